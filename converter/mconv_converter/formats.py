"""Recognize the uploaded model's format from its contents, not its name."""

import zipfile
from pathlib import Path

from .errors import InvalidInputError

FORMATS = ("torchscript", "export", "onnx")
PICKLE_MAGIC = b"\x80"
ZIP_MAGIC = b"PK\x03\x04"

WEIGHTS_ONLY_HINT = (
    "it contains only weights (a torch.save checkpoint such as a state_dict), not a model graph; "
    "save the model with torch.jit.save, torch.export.save or torch.onnx.export and convert that file"
)


def detect_format(path: Path) -> str:
    """Return "torchscript", "export" or "onnx", or raise InvalidInputError."""
    if path.stat().st_size == 0:
        raise InvalidInputError(f"model '{path}' is empty; upload the model file again")
    if zipfile.is_zipfile(path):
        return detect_zip_format(path)
    with open(path, "rb") as stream:
        head = stream.read(4)
    if head == ZIP_MAGIC:
        raise InvalidInputError(
            f"model '{path}' starts like a zip archive but has no central directory, so it is truncated; upload it again"
        )
    if head.startswith(PICKLE_MAGIC):
        raise InvalidInputError(f"model '{path}' is a pickle file: {WEIGHTS_ONLY_HINT}")
    return "onnx"


def detect_zip_format(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            entries = {strip_top_folder(name) for name in archive.namelist()}
    except zipfile.BadZipFile as error:
        raise InvalidInputError(f"model '{path}' is a damaged zip archive ({error}); upload it again") from error

    if "constants.pkl" in entries and any(name.startswith("code/") for name in entries):
        return "torchscript"
    if "archive_format" in entries or "models/model.json" in entries:
        return "export"
    if "data.pkl" in entries:
        raise InvalidInputError(f"model '{path}' is a PyTorch checkpoint: {WEIGHTS_ONLY_HINT}")
    raise InvalidInputError(
        f"model '{path}' is a zip archive but neither TorchScript nor torch.export; "
        "upload a file written by torch.jit.save, torch.export.save or torch.onnx.export"
    )


def strip_top_folder(name: str) -> str:
    # PyTorch archives put every entry under one folder named after the file.
    _, separator, rest = name.partition("/")
    return rest if separator else name


def resolve_format(path: Path, requested: str) -> str:
    """Detect the format and check it against --format unless that is "auto"."""
    detected = detect_format(path)
    if requested not in ("auto", detected):
        raise InvalidInputError(
            f"--format {requested} does not match the file, which is {detected}; "
            f"pass --format {detected} or --format auto"
        )
    return detected
