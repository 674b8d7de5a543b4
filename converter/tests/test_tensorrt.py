"""TensorRT builder settings without a GPU, and a real build where one exists."""

import importlib.util
import json

import pytest

from conftest import run_command, sha256_of, stage_model
from mconv_converter.backends.tensorrt_config import ALLOWED_BUILDER_FLAGS, MIB, PRECISION_FLAGS, apply_settings, builder_settings
from mconv_converter.errors import InvalidInputError
from mconv_converter.shapes import InputRange

PROFILE = {"input": InputRange("input", (1, 3, 32, 32), (4, 3, 32, 32), (8, 3, 32, 32))}
SECOND_PROFILE = {"input": InputRange("input", (16, 3, 32, 32), (32, 3, 32, 32), (64, 3, 32, 32))}


class FlagNamespace:
    """Stands in for trt.BuilderFlag and trt.MemoryPoolType: each member is its own name."""

    def __getattr__(self, name: str) -> str:
        return name


class TrtModuleStandIn:
    BuilderFlag = FlagNamespace()
    MemoryPoolType = FlagNamespace()


class RecordingProfile:
    def __init__(self) -> None:
        self.shapes = {}

    def set_shape(self, name, low, opt, high) -> None:
        self.shapes[name] = (low, opt, high)


class RecordingBuilder:
    def create_optimization_profile(self) -> RecordingProfile:
        return RecordingProfile()


class RecordingConfig:
    """Records what apply_settings writes into an IBuilderConfig."""

    def __init__(self) -> None:
        self.flags = set()
        self.cleared = set()
        self.pool_limits = {}
        self.profiles = []
        self.int8_calibrator = None
        self.calibration_profile = None

    def set_flag(self, flag) -> None:
        self.flags.add(flag)

    def clear_flag(self, flag) -> None:
        self.cleared.add(flag)

    def set_memory_pool_limit(self, pool, size) -> None:
        self.pool_limits[pool] = size

    def add_optimization_profile(self, profile) -> int:
        self.profiles.append(profile)
        return len(self.profiles) - 1

    def set_calibration_profile(self, profile) -> None:
        self.calibration_profile = profile


def applied(settings, calibrator=None) -> RecordingConfig:
    config = RecordingConfig()
    apply_settings(settings, TrtModuleStandIn, RecordingBuilder(), config, calibrator)
    return config


@pytest.mark.parametrize(
    ("precision", "has_calibration", "flags"),
    [
        ("fp32", False, set()),
        ("fp16", False, {"FP16"}),
        ("int8", True, {"INT8"}),
        ("best", False, {"FP16", "BF16"}),
        ("best", True, {"FP16", "BF16", "INT8"}),
    ],
)
def test_precision_flags(precision, has_calibration, flags):
    settings = builder_settings(precision, None, [], [PROFILE], has_calibration)
    config = applied(settings, calibrator="calibrator" if has_calibration else None)

    assert config.flags == flags
    assert settings.int8_calibration == ("INT8" in flags)


def test_int8_sets_calibrator():
    settings = builder_settings("int8", None, [], [PROFILE, SECOND_PROFILE], True)
    config = applied(settings, calibrator="calibrator")

    assert config.int8_calibrator == "calibrator"
    assert config.calibration_profile.shapes["input"] == ((4, 3, 32, 32),) * 3
    assert config.calibration_profile not in config.profiles


def test_best_without_bf16_support():
    settings = builder_settings("best", None, [], [PROFILE], False, bf16_supported=False)

    assert applied(settings).flags == {"FP16"}


def test_int8_needs_calibration():
    with pytest.raises(InvalidInputError, match="--calibration-dir"):
        builder_settings("int8", None, [], [PROFILE], False)


def test_profiles_in_order():
    config = applied(builder_settings("fp32", None, [], [PROFILE, SECOND_PROFILE], False))

    assert len(config.profiles) == 2
    assert config.profiles[0].shapes["input"] == ((1, 3, 32, 32), (4, 3, 32, 32), (8, 3, 32, 32))
    assert config.profiles[1].shapes["input"] == ((16, 3, 32, 32), (32, 3, 32, 32), (64, 3, 32, 32))


def test_workspace_in_bytes():
    config = applied(builder_settings("fp32", 512, [], [PROFILE], False))

    assert config.pool_limits == {"WORKSPACE": 512 * MIB}


def test_workspace_default_untouched():
    config = applied(builder_settings("fp32", None, [], [PROFILE], False))

    assert config.pool_limits == {}


def test_workspace_must_be_positive():
    with pytest.raises(InvalidInputError, match="--workspace 0"):
        builder_settings("fp32", 0, [], [PROFILE], False)


def test_allowed_builder_flags():
    config = applied(builder_settings("fp16", None, ["sparse-weights", "refit", "no-tf32"], [PROFILE], False))

    assert config.flags == {"FP16", "SPARSE_WEIGHTS", "REFIT"}
    assert config.cleared == {"TF32"}


def test_unknown_builder_flag():
    with pytest.raises(InvalidInputError, match="did you mean 'refit'") as raised:
        builder_settings("fp32", None, ["refitt"], [PROFILE], False)

    assert "allowed flags: " in str(raised.value)


def test_precision_flag_not_allowed():
    # Precision flags come only from --precision, so that metadata.json's options tell the precision.
    with pytest.raises(InvalidInputError, match="'fp16' is not allowed"):
        builder_settings("fp32", None, ["fp16"], [PROFILE], False)


def gpu_skip_reason() -> str | None:
    if importlib.util.find_spec("tensorrt") is None:
        return "the tensorrt module is not installed (the TensorRT converter image has it)"
    import torch

    if not torch.cuda.is_available():
        return "no CUDA device is visible"
    return None


@pytest.mark.skipif(importlib.util.find_spec("tensorrt") is None, reason="the tensorrt module is not installed (the TensorRT converter image has it)")
def test_flag_names_exist_in_tensorrt():
    import tensorrt

    members = [member for member, _ in ALLOWED_BUILDER_FLAGS.values()]
    members += [flag for flags in PRECISION_FLAGS.values() for flag in flags] + ["INT8"]
    missing = [member for member in members if not hasattr(tensorrt.BuilderFlag, member)]
    assert missing == []
    assert hasattr(tensorrt.MemoryPoolType, "WORKSPACE")


@pytest.mark.skipif(gpu_skip_reason() is not None, reason=str(gpu_skip_reason()))
def test_real_tensorrt_build(capsys, staging):
    model = stage_model(staging, "tiny_cnn.onnx")
    exit_code, out, _ = run_command(
        capsys, "run", "--input", str(model), "--sha256", sha256_of(model), "--backend", "tensorrt",
        "--output-dir", str(staging / "out"), "--precision", "fp16", "--benchmark-iterations", "20",
        "--shape", "input=1x3x32x32:4x3x32x32:8x3x32x32", "--profile", "--shape", "input=16x3x32x32:32x3x32x32:64x3x32x32",
    )

    assert exit_code == 0, out
    metadata = json.loads((staging / "out" / "metadata.json").read_text())
    assert metadata["device"]["computeCapability"]
    assert metadata["device"]["versions"]["tensorrt"]
    assert metadata["accuracy"]["cases"] == 6
    assert (staging / "out" / "engine.plan").stat().st_size > 0
