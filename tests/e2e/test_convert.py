"""End-to-end conversions on the local cluster, checked against the source model."""

import hashlib
import json
import re
import uuid

import numpy as np
import pytest

from conftest import MODELS


def sha256_of(path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@pytest.fixture
def namespace(cluster):
    """A namespace of the test's own where the mconv-users group has mconv's role."""
    name = f"e2e-{uuid.uuid4().hex[:8]}"
    cluster.kubectl("create", "namespace", name)
    cluster.kubectl("create", "rolebinding", "mconv-users", "-n", name, "--clusterrole=mconv-user", "--group=mconv-users")
    yield name
    cluster.kubectl("delete", "namespace", name, "--wait=false", check=False)


def run_openvino_blob(blob_path, metadata, inputs):
    import openvino as ov

    config = metadata["backend"].get("compileConfig", {})
    compiled = ov.Core().import_model(blob_path.read_bytes(), "CPU", config)
    return compiled(inputs)[0]


def test_onnx_converts_and_engine_matches_model(mconv, namespace, workdir):
    result = mconv("convert", str(MODELS / "tiny_cnn.onnx"), "--gpu", "cpu", "-n", namespace)

    assert result.returncode == 0, result.stderr
    engine = workdir / "tiny_cnn.x86-cpu.blob"
    metadata = json.loads((workdir / "tiny_cnn.x86-cpu.blob.json").read_text())
    assert f"engine written to {engine.name}" in result.stdout
    assert sha256_of(engine) == metadata["output"]["sha256"]
    assert metadata["input"]["sha256"] == sha256_of(MODELS / "tiny_cnn.onnx")
    assert metadata["accuracy"]["passed"] is True

    expected = np.load(MODELS / "tiny_cnn.output.npy")
    actual = run_openvino_blob(engine, metadata, [np.load(MODELS / "tiny_cnn.input.npy")])
    np.testing.assert_allclose(actual, expected, rtol=1e-4, atol=1e-5)


def test_torchscript_converts_to_onnx(mconv, namespace, workdir):
    result = mconv("convert", str(MODELS / "tiny_cnn.torchscript.pt"), "--gpu", "cpu", "--backend", "onnx", "-n", namespace,
                   "--output-file", "tiny.onnx", "--shape", "x=1x3x32x32")

    assert result.returncode == 0, result.stderr
    import onnxruntime

    session = onnxruntime.InferenceSession(str(workdir / "tiny.onnx"), providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    actual = session.run(None, {name: np.load(MODELS / "tiny_cnn.input.npy")})[0]
    np.testing.assert_allclose(actual, np.load(MODELS / "tiny_cnn.output.npy"), rtol=1e-4, atol=1e-5)


def test_identical_rerun_makes_no_new_job(mconv, cluster, namespace, workdir):
    first = mconv("convert", str(MODELS / "tiny_cnn.onnx"), "--gpu", "cpu", "-n", namespace, "--output-file", "first.blob")
    assert first.returncode == 0, first.stderr
    jobs = cluster.jobs(namespace)
    uid = cluster.kubectl("get", "job", jobs[0], "-n", namespace, "-o", "jsonpath={.metadata.uid}").stdout

    second = mconv("convert", str(MODELS / "tiny_cnn.onnx"), "--gpu", "cpu", "-n", namespace, "--output-file", "second.blob")

    assert second.returncode == 0, second.stderr
    assert re.search(r"job \"mconv-alice-tiny-cnn-\w+\" already (converted|runs) this", second.stderr)
    assert cluster.kubectl("get", "job", jobs[0], "-n", namespace, "-o", "jsonpath={.metadata.uid}").stdout == uid
    assert [job for job in cluster.jobs(namespace) if not job.endswith("-fetch")] == jobs
    assert sha256_of(workdir / "first.blob") == sha256_of(workdir / "second.blob")


def test_existing_output_needs_force(mconv, namespace, workdir):
    (workdir / "tiny_cnn.x86-cpu.blob").write_text("keep me")

    result = mconv("convert", str(MODELS / "tiny_cnn.onnx"), "--gpu", "cpu", "-n", namespace)

    assert result.returncode == 5
    assert "already exists; pass --force" in result.stderr
    assert (workdir / "tiny_cnn.x86-cpu.blob").read_text() == "keep me"


def test_detach_then_attach_downloads(mconv, cluster, namespace, workdir):
    detached = mconv("convert", str(MODELS / "tiny_cnn.pt2"), "--gpu", "cpu", "-n", namespace, "--detach")
    assert detached.returncode == 0, detached.stderr
    job = cluster.jobs(namespace)[0]
    assert f"mconv attach {job}" in detached.stdout

    attached = mconv("attach", job, "-n", namespace)

    assert attached.returncode == 0, attached.stderr
    metadata = json.loads((workdir / "tiny_cnn.x86-cpu.blob.json").read_text())
    assert sha256_of(workdir / "tiny_cnn.x86-cpu.blob") == metadata["output"]["sha256"]
    assert metadata["input"]["format"] == "export"


def test_fetch_after_finish_and_list(mconv, namespace, workdir):
    converted = mconv("convert", str(MODELS / "tiny_cnn.onnx"), "--gpu", "cpu", "--backend", "onnx", "-n", namespace, "-o", "json")
    assert converted.returncode == 0, converted.stderr
    events = [json.loads(line) for line in converted.stdout.splitlines()]
    done = events[-1]
    assert done["event"] == "done"
    assert {"step", "stage", "transfer"} <= {event["event"] for event in events}

    fetched = mconv("fetch", done["job"], "-n", namespace, "--output-file", "again.onnx")
    assert fetched.returncode == 0, fetched.stderr
    assert sha256_of(workdir / "again.onnx") == done["sha256"]

    listed = mconv("list", "-n", namespace, "-o", "json")
    assert listed.returncode == 0, listed.stderr
    conversions = json.loads(listed.stdout)["conversions"]
    assert [item["name"] for item in conversions if item["name"] == done["job"]] == [done["job"]]
    assert all(item["user"] == "alice" for item in conversions)

    other_user = mconv("list", "-n", namespace, "-o", "json", user="bob")
    assert json.loads(other_user.stdout)["conversions"] == []
