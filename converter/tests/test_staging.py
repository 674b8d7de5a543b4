"""receive, send, ack and the waits of `run`, through the real wrapper script."""

import hashlib
import json
import os
import signal
import subprocess
import threading
import time

from conftest import MODELS_DIR, WRAPPER, run_command, sha256_of, stage_model
from mconv_converter import staging as staging_module

PAYLOAD = (MODELS_DIR / "tiny_cnn.onnx").read_bytes()
PAYLOAD_SHA256 = hashlib.sha256(PAYLOAD).hexdigest()


def wrapper(*argv: str, stdin: bytes = b"") -> subprocess.CompletedProcess:
    return subprocess.run([str(WRAPPER), *argv], input=stdin, capture_output=True, timeout=60, env=os.environ.copy())


def test_receive_stores_file(staging):
    dest = staging / "in" / "model.onnx"
    result = wrapper("receive", "--dest", str(dest), "--sha256", PAYLOAD_SHA256, "--size", str(len(PAYLOAD)), stdin=PAYLOAD)

    assert result.returncode == 0, result.stdout + result.stderr
    assert dest.read_bytes() == PAYLOAD
    assert list((staging / "in").iterdir()) == [dest]


def test_receive_bad_hash(staging):
    dest = staging / "in" / "model.onnx"
    result = wrapper("receive", "--dest", str(dest), "--sha256", "f" * 64, stdin=PAYLOAD)

    assert result.returncode == 10
    assert f"has SHA-256 {PAYLOAD_SHA256} but --sha256 is {'f' * 64}" in result.stdout.decode()
    assert list((staging / "in").iterdir()) == []


def test_receive_truncated_stdin(staging):
    dest = staging / "in" / "model.onnx"
    result = wrapper(
        "receive", "--dest", str(dest), "--sha256", PAYLOAD_SHA256, "--size", str(len(PAYLOAD)), stdin=PAYLOAD[:1000]
    )

    assert result.returncode == 10
    assert f"received 1000 bytes but --size is {len(PAYLOAD)}" in result.stdout.decode()
    assert list((staging / "in").iterdir()) == []


def test_receive_truncated_without_size(staging):
    dest = staging / "in" / "model.onnx"
    result = wrapper("receive", "--dest", str(dest), "--sha256", PAYLOAD_SHA256, stdin=PAYLOAD[:1000])

    assert result.returncode == 10
    assert not dest.exists()


def test_receive_outside_staging(staging, tmp_path):
    result = wrapper("receive", "--dest", str(tmp_path / "model.onnx"), "--sha256", PAYLOAD_SHA256, stdin=PAYLOAD)

    assert result.returncode == 10
    assert "outside the staging folder" in result.stdout.decode()
    assert not (tmp_path / "model.onnx").exists()


def test_receive_keeps_old_file_on_failure(staging):
    dest = staging / "in" / "model.onnx"
    dest.write_bytes(b"previous upload")
    result = wrapper("receive", "--dest", str(dest), "--sha256", PAYLOAD_SHA256, stdin=b"garbage")

    assert result.returncode == 10
    assert dest.read_bytes() == b"previous upload"


def test_send_writes_only_file(staging):
    path = stage_model(staging, "tiny_cnn.onnx")
    result = wrapper("send", "--path", str(path))

    assert result.returncode == 0, result.stderr
    assert result.stdout == PAYLOAD


def test_send_missing_file(staging):
    result = wrapper("send", "--path", str(staging / "out" / "engine.plan"))

    assert result.returncode == 10
    assert result.stdout == b""
    assert "is not a file" in result.stderr.decode()


def test_ack_marks_downloaded(staging):
    result = wrapper("ack", "--output-dir", str(staging / "out"))

    assert result.returncode == 0, result.stdout + result.stderr
    assert (staging / "out" / ".downloaded").is_file()


def test_run_times_out_waiting(capsys, staging):
    start = time.monotonic()
    exit_code, _, events = run_command(
        capsys, "run", "--input", str(staging / "in" / "model.onnx"), "--sha256", "0" * 64,
        "--backend", "onnx", "--output-dir", str(staging / "out"), "--wait-input", "1",
    )

    assert exit_code == 13
    assert time.monotonic() - start >= 1
    assert events[0] == {"event": "stage", "stage": "waiting-input"}
    assert events[-1]["code"] == "input-timeout"
    assert "--wait-input 1 seconds" in events[-1]["message"]


def test_run_waits_for_upload(capsys, staging):
    model = staging / "in" / "model.onnx"
    upload = threading.Timer(1.0, lambda: stage_model(staging, "tiny_cnn.onnx", "model.onnx"))
    upload.start()
    exit_code, out, _ = run_command(
        capsys, "run", "--input", str(model), "--sha256", sha256_of(MODELS_DIR / "tiny_cnn.onnx"),
        "--backend", "onnx", "--output-dir", str(staging / "out"), "--wait-input", "30", "--benchmark-iterations", "0",
    )
    upload.join()

    assert exit_code == 0, out
    assert (staging / "out" / "model.onnx").is_file()


def test_run_ends_early_on_ack(capsys, staging):
    model = stage_model(staging, "tiny_cnn.onnx")
    ack = threading.Timer(1.0, lambda: staging_module.acknowledge(staging / "out"))
    ack.start()
    start = time.monotonic()
    exit_code, out, events = run_command(
        capsys, "run", "--input", str(model), "--sha256", sha256_of(model), "--backend", "onnx",
        "--output-dir", str(staging / "out"), "--benchmark-iterations", "0", "--wait-download", "60",
    )
    ack.join()

    assert exit_code == 0, out
    assert time.monotonic() - start < 30
    stages = [event["stage"] for event in events if event["event"] == "stage"]
    assert stages[-2:] == ["waiting-download", "done"]


def test_run_ignores_stale_ack(capsys, staging):
    model = stage_model(staging, "tiny_cnn.onnx")
    staging_module.acknowledge(staging / "out")
    start = time.monotonic()
    exit_code, out, _ = run_command(
        capsys, "run", "--input", str(model), "--sha256", sha256_of(model), "--backend", "onnx",
        "--output-dir", str(staging / "out"), "--benchmark-iterations", "0", "--wait-download", "1",
    )

    assert exit_code == 0, out
    assert time.monotonic() - start >= 1
    assert "no download acknowledged" in out


def test_download_wait_times_out(staging):
    start = time.monotonic()
    downloaded = staging_module.wait_for_download(staging / "out", 0.6)

    assert downloaded is False
    assert time.monotonic() - start >= 0.6


def test_wrapper_help():
    result = wrapper("run", "--help")

    assert result.returncode == 0
    assert "--wait-download SECONDS" in result.stdout.decode()


def test_sigterm_while_waiting(staging):
    process = subprocess.Popen(
        [str(WRAPPER), "run", "--input", str(staging / "in" / "model.onnx"), "--sha256", "0" * 64,
         "--backend", "onnx", "--output-dir", str(staging / "out"), "--wait-input", "60"],
        stdout=subprocess.PIPE, text=True, env=os.environ.copy(),
    )
    first_line = ""
    while "waiting-input" not in first_line:
        first_line = process.stdout.readline()
    process.send_signal(signal.SIGTERM)
    out, _ = process.communicate(timeout=30)

    assert process.returncode == 143
    error = json.loads(out.splitlines()[-1].removeprefix("MCONV-EVENT "))
    assert error["code"] == "terminated"


def test_serve_waits_for_a_new_ack(capsys, staging):
    out = staging / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "metadata.json").write_text("{}")
    (out / ".downloaded").write_text("")

    exit_code, _, events = run_command(capsys, "serve", "--output-dir", str(out), "--wait-download", "1")

    assert exit_code == 0
    assert events == [{"event": "stage", "stage": "waiting-download"}]
    assert not (out / ".downloaded").exists()


def test_serve_rejects_unfinished_outputs(capsys, staging):
    exit_code, _, events = run_command(capsys, "serve", "--output-dir", str(staging / "out"), "--wait-download", "1")

    assert exit_code == 10
    assert "contains no metadata.json" in events[-1]["message"]
