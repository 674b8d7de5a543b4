"""End-to-end `run` on the committed models, checked against PyTorch's outputs."""

import io
import json

import numpy as np
import onnxruntime
import openvino
import pytest

from conftest import MODELS_DIR, run_command, sha256_of, stage_model

REFERENCE_INPUT = np.load(MODELS_DIR / "tiny_cnn.input.npy")
REFERENCE_OUTPUT = np.load(MODELS_DIR / "tiny_cnn.output.npy")
STAGE_ORDER = ["waiting-input", "verifying", "exporting", "checking", "building", "validating", "benchmarking", "writing", "done"]


def convert(capsys, staging, fixture_name, backend, *extra):
    model = stage_model(staging, fixture_name)
    return run_command(
        capsys,
        "run",
        "--input", str(model),
        "--sha256", sha256_of(model),
        "--backend", backend,
        "--output-dir", str(staging / "out"),
        "--wait-input", "5",
        "--benchmark-iterations", "5",
        *extra,
    )


def onnx_runtime_output(model_path, input_name):
    session = onnxruntime.InferenceSession(str(model_path), providers=["CPUExecutionProvider"])
    return session.run(None, {input_name: REFERENCE_INPUT})[0]


def import_blob(staging):
    metadata = json.loads((staging / "out" / "metadata.json").read_text())
    blob = io.BytesIO((staging / "out" / "model.blob").read_bytes())
    return openvino.Core().import_model(blob, "CPU", metadata["backend"]["compileConfig"])


def test_torchscript_to_onnx(capsys, staging):
    exit_code, out, events = convert(capsys, staging, "tiny_cnn.torchscript.pt", "onnx", "--shape", "x=1x3x32x32:2x3x32x32:4x3x32x32")

    assert exit_code == 0, out
    output = onnx_runtime_output(staging / "out" / "model.onnx", "x")
    np.testing.assert_allclose(output, REFERENCE_OUTPUT, atol=1e-5, rtol=1e-4)
    assert [event["stage"] for event in events if event["event"] == "stage"] == STAGE_ORDER


def test_torchscript_keeps_dynamic_batch(capsys, staging):
    exit_code, out, _ = convert(capsys, staging, "tiny_cnn.torchscript.pt", "onnx", "--shape", "x=1x3x32x32:2x3x32x32:4x3x32x32")

    assert exit_code == 0, out
    batch = np.repeat(REFERENCE_INPUT, 3, axis=0)
    session = onnxruntime.InferenceSession(str(staging / "out" / "model.onnx"), providers=["CPUExecutionProvider"])
    output = session.run(None, {"x": batch})[0]
    assert output.shape == (3, 10)
    np.testing.assert_allclose(output[2:], REFERENCE_OUTPUT, atol=1e-5, rtol=1e-4)


def test_export_program_to_onnx(capsys, staging):
    exit_code, out, _ = convert(capsys, staging, "tiny_cnn.pt2", "onnx")

    assert exit_code == 0, out
    output = onnx_runtime_output(staging / "out" / "model.onnx", "x")
    np.testing.assert_allclose(output, REFERENCE_OUTPUT, atol=1e-5, rtol=1e-4)


def test_onnx_to_openvino(capsys, staging):
    exit_code, out, events = convert(capsys, staging, "tiny_cnn.onnx", "openvino", "--shape", "input=1x3x32x32:2x3x32x32:4x3x32x32")

    assert exit_code == 0, out
    compiled = import_blob(staging)
    output = compiled.create_infer_request().infer({"input": REFERENCE_INPUT})[compiled.outputs[0]]
    np.testing.assert_allclose(output, REFERENCE_OUTPUT, atol=1e-5, rtol=1e-4)
    assert "exporting" not in [event.get("stage") for event in events]


def test_torchscript_to_openvino(capsys, staging):
    exit_code, out, _ = convert(capsys, staging, "tiny_cnn.torchscript.pt", "openvino", "--shape", "x=1x3x32x32")

    assert exit_code == 0, out
    compiled = import_blob(staging)
    output = compiled.create_infer_request().infer({"x": REFERENCE_INPUT})[compiled.outputs[0]]
    np.testing.assert_allclose(output, REFERENCE_OUTPUT, atol=1e-5, rtol=1e-4)


def test_openvino_covers_all_profiles(capsys, staging):
    exit_code, out, _ = convert(
        capsys, staging, "tiny_cnn.onnx", "openvino",
        "--shape", "input=1x3x32x32:2x3x32x32:4x3x32x32", "--profile", "--shape", "input=8x3x32x32:12x3x32x32:16x3x32x32",
    )

    assert exit_code == 0, out
    compiled = import_blob(staging)
    assert str(compiled.inputs[0].get_partial_shape()) == "[1..16,3,32,32]"
    metadata = json.loads((staging / "out" / "metadata.json").read_text())
    assert metadata["accuracy"]["cases"] == 6


def test_metadata_records_run(capsys, staging):
    exit_code, out, _ = convert(capsys, staging, "tiny_cnn.onnx", "openvino", "--shape", "input=2x3x32x32")

    assert exit_code == 0, out
    metadata = json.loads((staging / "out" / "metadata.json").read_text())
    assert metadata["input"]["sha256"] == sha256_of(MODELS_DIR / "tiny_cnn.onnx")
    assert metadata["output"]["sha256"] == sha256_of(staging / "out" / "model.blob")
    assert metadata["device"]["versions"]["openvino"].startswith("2026.4.1")
    assert metadata["device"]["device"]
    assert metadata["accuracy"]["passed"] is True
    assert metadata["performance"]["batchSize"] == 2
    assert metadata["performance"]["latencyMs"]["p99"] >= metadata["performance"]["latencyMs"]["p50"]
    assert set(metadata["timingsSeconds"]) >= {"verifying", "building", "validating", "benchmarking"}
    assert metadata["options"]["profiles"] == [[{"name": "input", "min": [2, 3, 32, 32], "opt": [2, 3, 32, 32], "max": [2, 3, 32, 32]}]]


def test_image_digest_in_metadata(capsys, staging, monkeypatch):
    monkeypatch.setenv("MCONV_IMAGE", "registry.example.com/mconv/converter-cpu@sha256:" + "a" * 64)
    exit_code, out, _ = convert(capsys, staging, "tiny_cnn.onnx", "onnx")

    assert exit_code == 0, out
    metadata = json.loads((staging / "out" / "metadata.json").read_text())
    assert metadata["image"].endswith("a" * 64)


def test_result_event_lists_files(capsys, staging):
    exit_code, out, events = convert(capsys, staging, "tiny_cnn.onnx", "onnx")

    assert exit_code == 0, out
    result = next(event for event in events if event["event"] == "result")
    files = {entry["name"]: entry for entry in result["files"]}
    assert set(files) == {"model.onnx", "metadata.json"}
    assert files["model.onnx"]["sha256"] == sha256_of(staging / "out" / "model.onnx")
    assert files["metadata.json"]["size"] == (staging / "out" / "metadata.json").stat().st_size
    assert not [path.name for path in (staging / "out").iterdir() if path.name.startswith(".")]


def test_sample_inputs_validate(capsys, staging, tmp_path):
    samples = tmp_path / "samples"
    samples.mkdir()
    np.save(samples / "input.npy", REFERENCE_INPUT)
    exit_code, out, _ = convert(capsys, staging, "tiny_cnn.onnx", "openvino", "--sample-inputs", str(samples))

    assert exit_code == 0, out
    metadata = json.loads((staging / "out" / "metadata.json").read_text())
    assert metadata["accuracy"]["cases"] == 1


def test_accuracy_beyond_tolerance(capsys, staging):
    # bf16 or f16 inference cannot match ONNX Runtime's fp32 results exactly.
    exit_code, out, events = convert(
        capsys, staging, "tiny_cnn.onnx", "openvino", "--precision", "fp16", "--tolerance-abs", "0", "--tolerance-rel", "0"
    )
    if "accuracy" not in out and exit_code == 0:
        pytest.skip("this CPU ran the f16 request in fp32 with results identical to ONNX Runtime's")

    assert exit_code == 12, out
    error = next(event for event in events if event["event"] == "error")
    assert error["code"] == "accuracy"
    assert "--tolerance-abs 0" in error["message"]
    assert list((staging / "out").iterdir()) == []


def test_inspect_onnx(capsys):
    exit_code, out, _ = run_command(capsys, "inspect", str(MODELS_DIR / "tiny_cnn.onnx"))

    assert exit_code == 0
    description = json.loads(out)
    assert description["format"] == "onnx"
    assert description["inputs"] == [{"name": "input", "dims": [None, 3, 32, 32], "dtype": "float32"}]
    assert description["outputs"][0]["name"] == "output"


def test_inspect_torchscript_not_loaded(capsys):
    exit_code, out, _ = run_command(capsys, "inspect", str(MODELS_DIR / "tiny_cnn.torchscript.pt"))

    assert exit_code == 0
    assert json.loads(out) == {"format": "torchscript"}
