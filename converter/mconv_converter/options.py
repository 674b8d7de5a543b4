"""The options of `mconv-converter run`, checked before any slow step."""

import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .accuracy import DEFAULT_TOLERANCES
from .errors import InvalidInputError
from .formats import FORMATS
from .shapes import Profile, group_profiles

SHA256_PATTERN = re.compile(r"^[0-9a-fA-F]{64}$")
PRECISIONS = ("fp32", "fp16", "int8", "best")


@dataclass
class RunOptions:
    """Parsed `run` options; `validate` checks what needs no file access."""

    input: Path
    sha256: str
    output_dir: Path
    backend: str
    format: str = "auto"
    shape_tokens: list = field(default_factory=list)
    precision: str = "fp32"
    calibration_dir: Path | None = None
    workspace_mib: int | None = None
    builder_flags: list[str] = field(default_factory=list)
    tolerance_abs: float | None = None
    tolerance_rel: float | None = None
    sample_inputs: Path | None = None
    wait_input_seconds: float = 600.0
    wait_download_seconds: float = 0.0
    benchmark_iterations: int = 100
    expect_compute_capability: str | None = None
    profiles: list[Profile] = field(default_factory=list)

    def validate(self) -> None:
        check_sha256(self.sha256, "--sha256")
        if self.format not in ("auto", *FORMATS):
            raise InvalidInputError(f"--format {self.format} is unknown; choose auto, {', '.join(FORMATS)}")
        if self.precision not in PRECISIONS:
            raise InvalidInputError(f"--precision {self.precision} is unknown; choose one of {', '.join(PRECISIONS)}")
        if self.precision == "int8" and self.calibration_dir is None:
            raise InvalidInputError("--precision int8 needs --calibration-dir with calibration inputs")
        for flag, value in (("--wait-input", self.wait_input_seconds), ("--wait-download", self.wait_download_seconds)):
            if value < 0:
                raise InvalidInputError(f"{flag} {value:g} must be zero or more seconds")
        if self.benchmark_iterations < 0:
            raise InvalidInputError(f"--benchmark-iterations {self.benchmark_iterations} must be zero or more")
        for flag, value in (("--tolerance-abs", self.tolerance_abs), ("--tolerance-rel", self.tolerance_rel)):
            if value is not None and value < 0:
                raise InvalidInputError(f"{flag} {value:g} must be zero or more")
        self.profiles = group_profiles(self.shape_tokens)

    @property
    def tolerances(self) -> tuple[float, float]:
        default_abs, default_rel = DEFAULT_TOLERANCES[self.precision]
        tolerance_abs = default_abs if self.tolerance_abs is None else self.tolerance_abs
        tolerance_rel = default_rel if self.tolerance_rel is None else self.tolerance_rel
        return tolerance_abs, tolerance_rel

    def as_metadata(self) -> dict:
        values = asdict(self)
        values.pop("shape_tokens")
        values["profiles"] = [[shape.as_dict() for shape in profile.values()] for profile in self.profiles]
        return {camel_case(key): str(value) if isinstance(value, Path) else value for key, value in values.items()}


def camel_case(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(word.capitalize() for word in rest)


def check_sha256(value: str, flag: str) -> None:
    if not SHA256_PATTERN.match(value):
        raise InvalidInputError(f"{flag} '{value}' is not a SHA-256 hex digest (64 hex digits)")
