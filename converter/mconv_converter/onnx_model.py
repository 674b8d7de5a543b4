"""Check an ONNX model and match the requested shapes against its inputs."""

import difflib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import InvalidInputError, UnsupportedModelError
from .shapes import InputRange, Profile, format_dims


@dataclass(frozen=True)
class TensorInfo:
    """An input or output of the graph: its dimensions are ints, or None where dynamic."""

    name: str
    dims: tuple[int | None, ...]
    dtype: np.dtype

    @property
    def is_static(self) -> bool:
        return None not in self.dims

    def as_dict(self) -> dict:
        return {"name": self.name, "dims": list(self.dims), "dtype": str(self.dtype)}


def check_model(path: Path):
    """Load the model, run onnx.checker and shape inference; return the inferred ModelProto."""
    import onnx

    try:
        model = onnx.load(str(path))
    except Exception as error:
        raise InvalidInputError(
            f"'{path}' is not a valid ONNX file ({type(error).__name__}: {error}); upload an uncorrupted model"
        ) from error
    if not model.graph.node:
        raise InvalidInputError(f"'{path}' contains no ONNX graph nodes; upload an uncorrupted model")

    try:
        onnx.checker.check_model(str(path), full_check=False)
    except onnx.checker.ValidationError as error:
        raise InvalidInputError(f"ONNX checker rejected '{path}': {error}") from error

    try:
        return onnx.shape_inference.infer_shapes(model, check_type=True)
    except Exception as error:
        raise UnsupportedModelError(f"ONNX shape inference failed on '{path}': {error}") from error


def graph_inputs(model) -> list[TensorInfo]:
    initializers = {initializer.name for initializer in model.graph.initializer}
    return [tensor_info(value) for value in model.graph.input if value.name not in initializers]


def graph_outputs(model) -> list[TensorInfo]:
    return [tensor_info(value) for value in model.graph.output]


def tensor_info(value) -> TensorInfo:
    import onnx

    tensor_type = value.type.tensor_type
    dims = tuple(dim.dim_value if dim.HasField("dim_value") else None for dim in tensor_type.shape.dim)
    dtype = np.dtype(onnx.helper.tensor_dtype_to_np_dtype(tensor_type.elem_type))
    return TensorInfo(value.name, dims, dtype)


def resolve_profiles(inputs: list[TensorInfo], profiles: list[Profile]) -> tuple[list[Profile], list[str]]:
    """Check the requested profiles against the model and complete them.

    Static inputs that a profile leaves out get their fixed shape. Without any
    --shape, dynamic dimensions default to 1. Returns the profiles and a note
    for each default that was applied.
    """
    notes: list[str] = []
    use_defaults = not profiles
    resolved = []
    for index, profile in enumerate(profiles or [{}]):
        check_names(inputs, profile)
        resolved.append({info.name: resolve_input(info, profile, index, notes, use_defaults) for info in inputs})
    return resolved, notes


def check_names(inputs: list[TensorInfo], profile: Profile) -> None:
    known = [info.name for info in inputs]
    for name in profile:
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else f"; the model's inputs are {', '.join(known)}"
            raise InvalidInputError(f"--shape names input '{name}', which the model does not have{hint}")


def resolve_input(info: TensorInfo, profile: Profile, index: int, notes: list[str], use_defaults: bool) -> InputRange:
    if info.name in profile:
        shape = profile[info.name]
        check_fits(info, shape)
        return shape
    if info.is_static:
        dims = tuple(info.dims)
        return InputRange(info.name, dims, dims, dims)
    if use_defaults:
        dims = tuple(1 if dim is None else dim for dim in info.dims)
        notes.append(f"input '{info.name}' has dynamic dimensions and no --shape, using {format_dims(dims)}")
        return InputRange(info.name, dims, dims, dims)
    raise InvalidInputError(
        f"profile {index} has no --shape for input '{info.name}', whose shape is {describe_dims(info.dims)}; "
        f"add --shape {info.name}=MIN:OPT:MAX to that profile"
    )


def check_fits(info: TensorInfo, shape: InputRange) -> None:
    if len(shape.opt) != len(info.dims):
        raise InvalidInputError(
            f"--shape for '{info.name}' has {len(shape.opt)} dimensions but the model's input has "
            f"{len(info.dims)} ({describe_dims(info.dims)})"
        )
    for position, fixed in enumerate(info.dims):
        sizes = {shape.min[position], shape.opt[position], shape.max[position]}
        if fixed is not None and sizes != {fixed}:
            raise InvalidInputError(
                f"--shape for '{info.name}' sets dimension {position} to {sorted(sizes)}, but the model fixes it "
                f"at {fixed} ({describe_dims(info.dims)}); use {fixed} there"
            )


def describe_dims(dims: tuple[int | None, ...]) -> str:
    return "x".join("?" if dim is None else str(dim) for dim in dims)
