"""Hashing, chunked copies and atomic writes, independent of models."""

import hashlib
import os
import tempfile
from pathlib import Path
from typing import BinaryIO, Callable

CHUNK_SIZE = 1 << 20
FILE_MODE = 0o644


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while chunk := stream.read(CHUNK_SIZE):
            digest.update(chunk)
    return digest.hexdigest()


def copy_stream(source: BinaryIO, target: BinaryIO) -> tuple[int, str]:
    """Copy until end of file in bounded chunks; return the byte count and SHA-256."""
    digest = hashlib.sha256()
    size = 0
    while chunk := source.read(CHUNK_SIZE):
        target.write(chunk)
        digest.update(chunk)
        size += len(chunk)
    return size, digest.hexdigest()


def write_atomic(path: Path, write: Callable[[BinaryIO], None]) -> None:
    """Call `write` on a temporary file beside `path`, then rename it over `path`.

    Readers see either the old file or the complete new one. The temporary file
    is removed when `write` raises.
    """
    descriptor, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(descriptor, FILE_MODE)
        with os.fdopen(descriptor, "wb") as stream:
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def write_bytes_atomic(path: Path, data: bytes) -> None:
    write_atomic(path, lambda stream: stream.write(data))


def move_atomic(source: Path, target: Path) -> None:
    """Move a finished file into place; a copy is made first across file systems."""
    try:
        os.replace(source, target)
    except OSError:
        with open(source, "rb") as stream:
            write_atomic(target, lambda out: copy_stream(stream, out))
        source.unlink()
