"""TensorRT builder settings, decided without importing TensorRT.

`builder_settings` turns the command-line options into a BuilderSettings
value and rejects bad combinations. `apply_settings` writes that value into a
real IBuilderConfig. It calls only the methods used below, so tests can pass a
small recording object in place of TensorRT.
"""

import difflib
from dataclasses import dataclass

from ..errors import InvalidInputError
from ..shapes import Profile

MIB = 1 << 20

# --builder-flag NAME -> (trt.BuilderFlag member, set it or clear it). Precision
# flags are left out because --precision sets them.
ALLOWED_BUILDER_FLAGS = {
    "sparse-weights": ("SPARSE_WEIGHTS", True),
    "refit": ("REFIT", True),
    "strip-plan": ("STRIP_PLAN", True),
    "disable-timing-cache": ("DISABLE_TIMING_CACHE", True),
    "version-compatible": ("VERSION_COMPATIBLE", True),
    "exclude-lean-runtime": ("EXCLUDE_LEAN_RUNTIME", True),
    "obey-precision-constraints": ("OBEY_PRECISION_CONSTRAINTS", True),
    "prefer-precision-constraints": ("PREFER_PRECISION_CONSTRAINTS", True),
    "direct-io": ("DIRECT_IO", True),
    "no-tf32": ("TF32", False),
}

# NOTE: written for TensorRT 10.13, the version in the tensorrt image. The
# Python bindings of TensorRT 11.4 (wheel tensorrt_cu13_bindings 11.4.0.106)
# no longer contain the FP16 and INT8 builder flags, the precision-constraint
# flags or IInt8EntropyCalibrator2, so TensorRT 11 needs strongly typed networks.
PRECISION_FLAGS = {
    "fp32": (),
    "fp16": ("FP16",),
    "int8": ("INT8",),
    "best": ("FP16", "BF16"),
}


@dataclass(frozen=True)
class BuilderSettings:
    """Everything `apply_settings` writes into an IBuilderConfig."""

    set_flags: tuple[str, ...]
    clear_flags: tuple[str, ...]
    workspace_bytes: int | None
    profiles: tuple[Profile, ...]
    int8_calibration: bool


def builder_settings(
    precision: str,
    workspace_mib: int | None,
    builder_flags: list[str],
    profiles: list[Profile],
    has_calibration: bool,
    bf16_supported: bool = True,
) -> BuilderSettings:
    """Check the options and turn them into BuilderSettings.

    `bf16_supported` is False on GPUs below compute capability 8.0, which have
    no bf16 arithmetic, so "best" leaves BF16 out there.
    """
    if precision not in PRECISION_FLAGS:
        raise InvalidInputError(f"--precision {precision} is unknown; choose one of {', '.join(PRECISION_FLAGS)}")
    if precision == "int8" and not has_calibration:
        raise InvalidInputError("--precision int8 needs --calibration-dir with calibration inputs")
    if workspace_mib is not None and workspace_mib <= 0:
        raise InvalidInputError(f"--workspace {workspace_mib} must be a positive number of MiB")

    set_flags = [flag for flag in PRECISION_FLAGS[precision] if flag != "BF16" or bf16_supported]
    # "best" adds INT8 only when there is data to calibrate it with.
    if precision == "best" and has_calibration:
        set_flags.append("INT8")
    clear_flags = []
    for name in builder_flags:
        member, enable = lookup_builder_flag(name)
        (set_flags if enable else clear_flags).append(member)

    return BuilderSettings(
        set_flags=tuple(dict.fromkeys(set_flags)),
        clear_flags=tuple(dict.fromkeys(clear_flags)),
        workspace_bytes=workspace_mib * MIB if workspace_mib else None,
        profiles=tuple(profiles),
        int8_calibration="INT8" in set_flags,
    )


def lookup_builder_flag(name: str) -> tuple[str, bool]:
    if name in ALLOWED_BUILDER_FLAGS:
        return ALLOWED_BUILDER_FLAGS[name]
    close = difflib.get_close_matches(name, list(ALLOWED_BUILDER_FLAGS), n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    raise InvalidInputError(
        f"--builder-flag '{name}' is not allowed; {hint}allowed flags: {', '.join(sorted(ALLOWED_BUILDER_FLAGS))}"
    )


def apply_settings(settings: BuilderSettings, trt, builder, config, calibrator=None) -> None:
    """Write `settings` into `config`; `trt` is the tensorrt module or a stand-in with the same names."""
    for name in settings.set_flags:
        config.set_flag(getattr(trt.BuilderFlag, name))
    for name in settings.clear_flags:
        config.clear_flag(getattr(trt.BuilderFlag, name))
    if settings.workspace_bytes is not None:
        config.set_memory_pool_limit(trt.MemoryPoolType.WORKSPACE, settings.workspace_bytes)

    for profile in settings.profiles:
        optimization_profile = builder.create_optimization_profile()
        for shape in profile.values():
            optimization_profile.set_shape(shape.name, shape.min, shape.opt, shape.max)
        config.add_optimization_profile(optimization_profile)

    if settings.int8_calibration:
        config.int8_calibrator = calibrator
        config.set_calibration_profile(calibration_profile(builder, settings.profiles[0]))


def calibration_profile(builder, profile: Profile):
    """Fix every input at the first profile's opt shape, the shape of the --calibration-dir samples."""
    optimization_profile = builder.create_optimization_profile()
    for shape in profile.values():
        optimization_profile.set_shape(shape.name, shape.opt, shape.opt, shape.opt)
    return optimization_profile
