"""Command-line parsing: option order builds profiles, bad usage exits with 10."""

import pytest

from mconv_converter.cli import build_parser, run_options
from mconv_converter.errors import InvalidInputError

BASE = ["run", "--input", "/staging/in/model.onnx", "--sha256", "a" * 64, "--backend", "tensorrt"]


def parsed_options(*extra):
    options = run_options(build_parser().parse_args([*BASE, *extra]))
    options.validate()
    return options


def test_profile_groups_shapes():
    options = parsed_options(
        "--shape", "input=1x3x32x32:4x3x32x32:8x3x32x32",
        "--shape", "mask=1x32:4x32:8x32",
        "--profile",
        "--shape", "input=16x3x32x32:32x3x32x32:64x3x32x32",
        "--shape", "mask=16x32:32x32:64x32",
    )

    assert len(options.profiles) == 2
    assert options.profiles[0]["mask"].max == (8, 32)
    assert options.profiles[1]["input"].opt == (32, 3, 32, 32)


def test_defaults():
    options = parsed_options()

    assert options.format == "auto"
    assert options.precision == "fp32"
    assert str(options.output_dir) == "/staging/out"
    assert options.profiles == []
    assert options.tolerances == (1e-4, 1e-3)


def test_tolerance_overrides_default():
    options = parsed_options("--precision", "fp16", "--tolerance-abs", "0.5")

    assert options.tolerances == (0.5, 1e-2)


def test_builder_flags_repeat():
    options = parsed_options("--builder-flag", "refit", "--builder-flag", "sparse-weights")

    assert options.builder_flags == ["refit", "sparse-weights"]


def test_bad_choice_is_invalid_input():
    with pytest.raises(InvalidInputError, match="invalid choice: 'tpu'"):
        build_parser().parse_args([*BASE[:-1], "tpu"])


def test_negative_wait_rejected():
    with pytest.raises(InvalidInputError, match="--wait-input -1 must be zero or more seconds"):
        parsed_options("--wait-input", "-1")


def test_missing_subcommand():
    with pytest.raises(InvalidInputError, match="required"):
        build_parser().parse_args([])
