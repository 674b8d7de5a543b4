"""`run` on bad input: each case exits with a deterministic code and a message naming the cause."""

import numpy as np
import pytest

from conftest import MODELS_DIR, run_command, sha256_of, stage_model
from mconv_converter.errors import InvalidInputError
from mconv_converter.onnx_model import TensorInfo
from mconv_converter.sample_data import load_calibration
from mconv_converter.shapes import InputRange


def run_on(capsys, staging, model, *extra, sha256=None):
    return run_command(
        capsys,
        "run",
        "--input", str(model),
        "--sha256", sha256 or sha256_of(model),
        "--output-dir", str(staging / "out"),
        "--wait-input", "1",
        "--benchmark-iterations", "0",
        *extra,
    )


def error_event(events):
    errors = [event for event in events if event["event"] == "error"]
    assert len(errors) == 1
    return errors[0]


def test_weights_only_checkpoint(capsys, staging):
    model = stage_model(staging, "tiny_cnn.state_dict.pt")
    exit_code, _, events = run_on(capsys, staging, model, "--backend", "onnx")

    assert exit_code == 10
    assert error_event(events)["code"] == "invalid-input"
    assert "contains only weights" in error_event(events)["message"]


def test_legacy_pickle_checkpoint(capsys, staging):
    torch = pytest.importorskip("torch")
    model = staging / "in" / "model.pt"
    torch.save({"weight": torch.zeros(2)}, model, _use_new_zipfile_serialization=False)
    exit_code, _, events = run_on(capsys, staging, model, "--backend", "onnx")

    assert exit_code == 10
    assert "is a pickle file: it contains only weights" in error_event(events)["message"]


def test_truncated_torchscript(capsys, staging):
    model = staging / "in" / "model.pt"
    model.write_bytes((MODELS_DIR / "tiny_cnn.torchscript.pt").read_bytes()[:8000])
    exit_code, _, events = run_on(capsys, staging, model, "--backend", "onnx", "--shape", "x=1x3x32x32")

    assert exit_code == 10
    assert "so it is truncated" in error_event(events)["message"]


def test_corrupt_onnx(capsys, staging):
    model = staging / "in" / "model.onnx"
    model.write_bytes((MODELS_DIR / "tiny_cnn.onnx").read_bytes()[:3000])
    exit_code, _, events = run_on(capsys, staging, model, "--backend", "onnx")

    assert exit_code == 10
    assert "not a valid ONNX file" in error_event(events)["message"]


def test_random_bytes_rejected(capsys, staging):
    model = staging / "in" / "model.bin"
    model.write_bytes(np.random.default_rng(1).bytes(4096))
    exit_code, _, events = run_on(capsys, staging, model, "--backend", "onnx")

    assert exit_code == 10
    assert "'" + str(model) + "'" in error_event(events)["message"]


def test_empty_file_rejected(capsys, staging):
    model = staging / "in" / "model.onnx"
    model.write_bytes(b"")
    exit_code, _, events = run_on(capsys, staging, model, "--backend", "onnx")

    assert exit_code == 10
    assert "is empty" in error_event(events)["message"]


@pytest.mark.parametrize(
    ("shape", "message"),
    [
        ("input=1x3x64x64", "dimension 2 to [64]"),
        ("input=1x3x32", "has 3 dimensions"),
        ("inputs=1x3x32x32", "did you mean 'input'?"),
        ("input=4x3x32x32:2x3x32x32:8x3x32x32", "min <= opt <= max"),
        ("input=1x3xAx32", "invalid dimensions"),
    ],
)
def test_shape_mismatch(capsys, staging, shape, message):
    model = stage_model(staging, "tiny_cnn.onnx")
    exit_code, _, events = run_on(capsys, staging, model, "--backend", "onnx", "--shape", shape)

    assert exit_code == 10
    assert message in error_event(events)["message"]


def test_torchscript_without_shape(capsys, staging):
    model = stage_model(staging, "tiny_cnn.torchscript.pt")
    exit_code, _, events = run_on(capsys, staging, model, "--backend", "onnx")

    assert exit_code == 10
    assert "--shape x=DIMS" in error_event(events)["message"]


def test_torchscript_wrong_shape(capsys, staging):
    model = stage_model(staging, "tiny_cnn.torchscript.pt")
    exit_code, _, events = run_on(capsys, staging, model, "--backend", "onnx", "--shape", "x=1x3x64x64")

    assert exit_code == 10
    message = error_event(events)["message"]
    assert "forward() failed on float32 inputs of shape x=1x3x64x64" in message
    assert message.endswith("check --shape")


def test_int8_without_calibration(capsys, staging):
    model = stage_model(staging, "tiny_cnn.onnx")
    exit_code, _, events = run_on(capsys, staging, model, "--backend", "tensorrt", "--precision", "int8")

    assert exit_code == 10
    assert "--calibration-dir" in error_event(events)["message"]


def test_int8_on_openvino(capsys, staging, tmp_path):
    model = stage_model(staging, "tiny_cnn.onnx")
    exit_code, _, events = run_on(
        capsys, staging, model, "--backend", "openvino", "--precision", "int8", "--calibration-dir", str(tmp_path)
    )

    assert exit_code == 10
    assert "not supported by --backend openvino" in error_event(events)["message"]


def test_unknown_builder_flag(capsys, staging):
    model = stage_model(staging, "tiny_cnn.onnx")
    exit_code, _, events = run_on(capsys, staging, model, "--backend", "tensorrt", "--builder-flag", "sparse-weight")

    assert exit_code == 10
    message = error_event(events)["message"]
    assert "'sparse-weight' is not allowed" in message
    assert "did you mean 'sparse-weights'?" in message


def test_hash_mismatch(capsys, staging):
    model = stage_model(staging, "tiny_cnn.onnx")
    exit_code, _, events = run_on(capsys, staging, model, "--backend", "onnx", sha256="0" * 64)

    assert exit_code == 10
    assert f"has SHA-256 {sha256_of(model)} but --sha256 is {'0' * 64}" in error_event(events)["message"]


def test_format_mismatch(capsys, staging):
    model = stage_model(staging, "tiny_cnn.onnx")
    exit_code, _, events = run_on(capsys, staging, model, "--backend", "onnx", "--format", "torchscript")

    assert exit_code == 10
    assert "pass --format onnx" in error_event(events)["message"]


def test_malformed_sha256(capsys, staging):
    model = stage_model(staging, "tiny_cnn.onnx")
    exit_code, _, events = run_on(capsys, staging, model, "--backend", "onnx", sha256="abc")

    assert exit_code == 10
    assert "'abc' is not a SHA-256" in error_event(events)["message"]


def test_unknown_option(capsys, staging):
    exit_code, _, events = run_command(capsys, "run", "--input", "x", "--sha256", "0" * 64, "--backend", "onnx", "--colour")

    assert exit_code == 10
    assert "--colour" in error_event(events)["message"]


def test_output_outside_staging(capsys, staging, tmp_path):
    model = stage_model(staging, "tiny_cnn.onnx")
    exit_code, _, events = run_command(
        capsys, "run", "--input", str(model), "--sha256", sha256_of(model), "--backend", "onnx", "--output-dir", str(tmp_path / "elsewhere")
    )

    assert exit_code == 10
    assert "outside the staging folder" in error_event(events)["message"]


def test_calibration_shape_mismatch(tmp_path):
    np.save(tmp_path / "input.npy", np.zeros((4, 3, 16, 16), dtype=np.float32))
    info = TensorInfo("input", (None, 3, 32, 32), np.dtype(np.float32))
    profile = {"input": InputRange("input", (1, 3, 32, 32), (1, 3, 32, 32), (1, 3, 32, 32))}

    with pytest.raises(InvalidInputError, match="must be N x 1x3x32x32"):
        load_calibration(tmp_path, [info], profile)


def test_calibration_file_missing(tmp_path):
    info = TensorInfo("input", (None, 3, 32, 32), np.dtype(np.float32))
    profile = {"input": InputRange("input", (1, 3, 32, 32), (1, 3, 32, 32), (1, 3, 32, 32))}

    with pytest.raises(InvalidInputError, match="has no 'input.npy'"):
        load_calibration(tmp_path, [info], profile)


def test_no_gpu_is_infrastructure_fault(capsys, staging):
    pytest.importorskip("torch")
    import torch

    if torch.cuda.is_available():
        pytest.skip("a CUDA device is visible here")
    model = stage_model(staging, "tiny_cnn.onnx")
    exit_code, _, events = run_on(capsys, staging, model, "--backend", "tensorrt")

    assert exit_code == 20
    assert error_event(events)["code"] == "infrastructure"


def test_onnx_backend_rejects_fp16(capsys, staging):
    model = stage_model(staging, "tiny_cnn.onnx")
    exit_code, _, events = run_on(capsys, staging, model, "--backend", "onnx", "--precision", "fp16")

    assert exit_code == 10
    assert "--precision fp16 is not supported by --backend onnx" in error_event(events)["message"]


def test_model_fails_at_run_time(capsys, staging):
    import onnx
    from onnx import TensorProto, helper

    # Reshape to a fixed 2x2 works for a batch of 1 only, so the opt and max shapes fail.
    graph = helper.make_graph(
        [helper.make_node("Reshape", ["input", "shape"], ["output"])],
        "fixed_reshape",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", 4])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, [2, 2])],
        [helper.make_tensor("shape", TensorProto.INT64, [2], [2, 2])],
    )
    model = staging / "in" / "model.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)], ir_version=9), model)
    exit_code, _, events = run_on(capsys, staging, model, "--backend", "onnx", "--shape", "input=1x4:2x4:3x4")

    assert exit_code == 11
    assert "ONNX Runtime failed on inputs of shape input=2x4" in error_event(events)["message"]
