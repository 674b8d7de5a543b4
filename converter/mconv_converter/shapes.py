"""Input shapes and optimization profiles from `--shape` and `--profile`.

`--shape NAME=1x3x224x224` fixes an input's shape. `--shape
NAME=1x3x224x224:8x3x224x224:32x3x224x224` gives its min, opt and max shapes
for a dynamic input. Each `--profile` starts a new optimization profile, and
the `--shape` options after it belong to that profile. Without `--profile`,
all `--shape` options form one profile.
"""

import re
from dataclasses import dataclass

from .errors import InvalidInputError

NAME_PATTERN = re.compile(r"^[^=\s]+$")


@dataclass(frozen=True)
class InputRange:
    """The min, opt and max shapes of one input in one profile."""

    name: str
    min: tuple[int, ...]
    opt: tuple[int, ...]
    max: tuple[int, ...]

    @property
    def is_static(self) -> bool:
        return self.min == self.opt == self.max

    def as_dict(self) -> dict:
        return {"name": self.name, "min": list(self.min), "opt": list(self.opt), "max": list(self.max)}


Profile = dict[str, InputRange]


def parse_dims(text: str, option: str) -> tuple[int, ...]:
    parts = text.split("x")
    if not text or not all(part.isdigit() for part in parts):
        raise InvalidInputError(
            f"{option}: invalid dimensions '{text}'; write positive integers joined by 'x', such as 1x3x224x224"
        )
    dims = tuple(int(part) for part in parts)
    if 0 in dims:
        raise InvalidInputError(f"{option}: dimensions '{text}' contain 0; every dimension must be at least 1")
    return dims


def parse_shape(text: str) -> InputRange:
    """Parse one `--shape` value: NAME=DIMS or NAME=MIN:OPT:MAX."""
    option = f"--shape '{text}'"
    name, separator, spec = text.partition("=")
    if not separator or not NAME_PATTERN.match(name):
        raise InvalidInputError(f"{option}: expected NAME=DIMS or NAME=MIN:OPT:MAX, such as input=1x3x224x224")

    parts = spec.split(":")
    if len(parts) == 1:
        dims = parse_dims(parts[0], option)
        return InputRange(name, dims, dims, dims)
    if len(parts) != 3:
        raise InvalidInputError(f"{option}: expected 1 or 3 shapes separated by ':' (min:opt:max), got {len(parts)}")

    low, opt, high = (parse_dims(part, option) for part in parts)
    check_range(option, low, opt, high)
    return InputRange(name, low, opt, high)


def check_range(option: str, low: tuple, opt: tuple, high: tuple) -> None:
    if not len(low) == len(opt) == len(high):
        raise InvalidInputError(f"{option}: min, opt and max must have the same number of dimensions")
    for index, (a, b, c) in enumerate(zip(low, opt, high)):
        if not a <= b <= c:
            raise InvalidInputError(f"{option}: dimension {index} must satisfy min <= opt <= max, got {a}, {b}, {c}")


def group_profiles(tokens: list[str | None]) -> list[Profile]:
    """Build profiles from command-line tokens in order: None marks `--profile`."""
    profiles: list[Profile] = []
    current: Profile | None = None
    for token in tokens:
        if token is None:
            current = {}
            profiles.append(current)
            continue
        if current is None:
            current = {}
            profiles.append(current)
        shape = parse_shape(token)
        if shape.name in current:
            raise InvalidInputError(f"--shape: input '{shape.name}' is given twice in profile {len(profiles) - 1}")
        current[shape.name] = shape
    empty = [index for index, profile in enumerate(profiles) if not profile]
    if empty:
        raise InvalidInputError(f"--profile {empty[0]} has no --shape after it; give each profile its shapes")
    return profiles


def format_dims(dims: tuple[int, ...]) -> str:
    return "x".join(str(dim) for dim in dims)
