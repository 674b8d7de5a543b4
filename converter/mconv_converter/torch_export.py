"""Export TorchScript modules and torch.export programs to ONNX.

Loading either format runs code that the file carries, so this module runs
only inside the conversion pod, never on the user's machine.
"""

import logging
import warnings
from pathlib import Path

from .errors import InvalidInputError, UnsupportedModelError
from .shapes import Profile

ONNX_OPSET = 18


def import_torch():
    import torch

    # The exporter warns about optional packages the converter does not use
    # (torchvision, triton), which would read like failures in the Job's log.
    torch._logging.set_logs(all=logging.ERROR)
    return torch


def torchscript_to_onnx(model_path: Path, profiles: list[Profile], onnx_path: Path) -> None:
    """Export a TorchScript module, with float32 example inputs at the first profile's opt shapes."""
    torch = import_torch()
    try:
        module = torch.jit.load(str(model_path), map_location="cpu").eval()
    except Exception as error:
        raise InvalidInputError(f"cannot load TorchScript model '{model_path}': {error}") from error

    names = torchscript_input_names(module)
    examples = torchscript_examples(torch, names, profiles)
    try:
        with torch.no_grad():
            output_count = count_outputs(module(*examples))
    except Exception as error:
        shapes = ", ".join(f"{name}={'x'.join(map(str, example.shape))}" for name, example in zip(names, examples))
        raise InvalidInputError(
            f"the TorchScript model's forward() failed on float32 inputs of shape {shapes}: {error}; check --shape"
        ) from error
    output_names = ["output"] if output_count == 1 else [f"output_{index}" for index in range(output_count)]

    # NOTE: TorchScript carries no input types, so every input is exported as float32.
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                module,
                tuple(examples),
                str(onnx_path),
                input_names=names,
                output_names=output_names,
                dynamic_axes=dynamic_axes(profiles),
                opset_version=ONNX_OPSET,
                dynamo=False,
            )
    except Exception as error:
        raise UnsupportedModelError(f"exporting TorchScript to ONNX failed: {error}") from error


def torchscript_input_names(module) -> list[str]:
    arguments = module.forward.schema.arguments
    return [argument.name for argument in arguments if argument.name != "self"]


def torchscript_examples(torch, names: list[str], profiles: list[Profile]) -> list:
    if not profiles:
        raise InvalidInputError(
            "TorchScript models carry no input shapes; pass --shape for each input of forward(): "
            + ", ".join(f"--shape {name}=DIMS" for name in names)
        )
    first = profiles[0]
    missing = [name for name in names if name not in first]
    if missing:
        raise InvalidInputError(f"--shape is missing for forward() input(s) {', '.join(missing)} of the TorchScript model")
    unknown = [name for name in first if name not in names]
    if unknown:
        raise InvalidInputError(
            f"--shape names '{unknown[0]}', which is not an input of forward(); its inputs are {', '.join(names)}"
        )
    generator = torch.Generator().manual_seed(0)
    return [torch.rand(first[name].opt, generator=generator) for name in names]


def dynamic_axes(profiles: list[Profile]) -> dict[str, dict[int, str]]:
    """Name each dimension whose size varies within or across profiles."""
    axes: dict[str, dict[int, str]] = {}
    for profile in profiles:
        for shape in profile.values():
            for index in range(len(shape.opt)):
                sizes = {shape.min[index], shape.opt[index], shape.max[index]}
                sizes |= {other[shape.name].opt[index] for other in profiles if shape.name in other}
                if len(sizes) > 1:
                    axes.setdefault(shape.name, {})[index] = f"{shape.name}_dim{index}"
    return axes


def count_outputs(result) -> int:
    if isinstance(result, (tuple, list)):
        return sum(count_outputs(item) for item in result)
    if isinstance(result, dict):
        return sum(count_outputs(item) for item in result.values())
    return 1


def exported_program_to_onnx(model_path: Path, onnx_path: Path) -> None:
    """Export a torch.export program with the input shapes it was exported with.

    The weights go inside the ONNX file, so the ONNX backend's output is one
    file.
    """
    # NOTE: protobuf limits one file to 2 GiB, so larger programs fail to export here.
    torch = import_torch()
    try:
        program = torch.export.load(str(model_path))
    except Exception as error:
        raise InvalidInputError(f"cannot load torch.export program '{model_path}': {error}") from error

    output_count = len(program.graph_signature.user_outputs)
    output_names = ["output"] if output_count == 1 else [f"output_{index}" for index in range(output_count)]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                program,
                (),
                str(onnx_path),
                output_names=output_names,
                opset_version=ONNX_OPSET,
                dynamo=True,
                external_data=False,
                verbose=False,
            )
    except Exception as error:
        raise UnsupportedModelError(f"exporting the torch.export program to ONNX failed: {error}") from error
