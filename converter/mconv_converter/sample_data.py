"""Input data for validation, benchmarking and int8 calibration.

User data comes as one NumPy file per input, named `<input name>.npy`. In
--sample-inputs each file is one inference's input. In --calibration-dir each
file stacks the calibration samples along a new first axis, so its shape is
`N x <opt shape of the first profile>`.
"""

from pathlib import Path

import numpy as np

from .errors import InvalidInputError
from .onnx_model import TensorInfo
from .shapes import InputRange, Profile, format_dims

SEED = 0


def generate_feeds(inputs: list[TensorInfo], profile: Profile, point: str, seed: int = SEED) -> dict[str, np.ndarray]:
    """Make random inputs at the profile's "min", "opt" or "max" shapes."""
    rng = np.random.default_rng(seed)
    return {info.name: random_array(rng, info.dtype, getattr(profile[info.name], point)) for info in inputs}


def random_array(rng: np.random.Generator, dtype: np.dtype, shape: tuple[int, ...]) -> np.ndarray:
    if dtype == np.bool_:
        return rng.integers(0, 2, size=shape).astype(np.bool_)
    if np.issubdtype(dtype, np.integer):
        # Small non-negative values stay valid as indices or token ids in most models.
        return rng.integers(0, 2, size=shape).astype(dtype)
    return rng.random(size=shape, dtype=np.float32).astype(dtype)


def load_arrays(folder: Path, inputs: list[TensorInfo], flag: str) -> dict[str, np.ndarray]:
    if not folder.is_dir():
        raise InvalidInputError(f"{flag} '{folder}' is not a folder")
    arrays = {}
    for info in inputs:
        path = folder / f"{info.name}.npy"
        if not path.is_file():
            raise InvalidInputError(f"{flag} '{folder}' has no '{info.name}.npy' for input '{info.name}'")
        try:
            array = np.load(path, allow_pickle=False)
        except (OSError, ValueError) as error:
            raise InvalidInputError(f"{flag}: cannot read '{path}' as a NumPy array: {error}") from error
        arrays[info.name] = check_dtype(array, info, path, flag)
    return arrays


def check_dtype(array: np.ndarray, info: TensorInfo, path: Path, flag: str) -> np.ndarray:
    if array.dtype != info.dtype:
        raise InvalidInputError(f"{flag}: '{path}' has dtype {array.dtype} but input '{info.name}' expects {info.dtype}")
    return array


def load_samples(folder: Path, inputs: list[TensorInfo], profiles: list[Profile]) -> tuple[int, dict[str, np.ndarray]]:
    """Load --sample-inputs; return the index of the first profile they fit and the arrays."""
    arrays = load_arrays(folder, inputs, "--sample-inputs")
    for index, profile in enumerate(profiles):
        if all(fits(profile[name], array.shape) for name, array in arrays.items()):
            return index, arrays
    shapes = ", ".join(f"{name}={format_dims(array.shape)}" for name, array in arrays.items())
    raise InvalidInputError(f"--sample-inputs shapes {shapes} fit no profile; add a --shape range that covers them")


def fits(shape: InputRange, dims: tuple[int, ...]) -> bool:
    if len(dims) != len(shape.opt):
        return False
    return all(low <= dim <= high for low, dim, high in zip(shape.min, dims, shape.max))


def load_calibration(folder: Path, inputs: list[TensorInfo], profile: Profile) -> dict[str, np.ndarray]:
    """Load --calibration-dir and check every input has the same number of samples."""
    arrays = load_arrays(folder, inputs, "--calibration-dir")
    counts = set()
    for name, array in arrays.items():
        expected = profile[name].opt
        if tuple(array.shape[1:]) != expected:
            raise InvalidInputError(
                f"--calibration-dir: '{name}.npy' has shape {format_dims(array.shape)} but must be "
                f"N x {format_dims(expected)} (samples stacked along a new first axis)"
            )
        counts.add(array.shape[0])
    if len(counts) != 1 or 0 in counts:
        raise InvalidInputError("--calibration-dir: every input file must hold the same, non-zero number of samples")
    return arrays
