"""The staging volume that the client and the Job share.

The client uploads the model with `receive`, the Job's `run` waits for it and
writes the engine, and the client downloads with `send` and confirms with
`ack`. All writes stay under the staging root, MCONV_STAGING (default
/staging), so the container can run with a read-only root file system.
"""

import os
import sys
import tempfile
import time
from pathlib import Path
from typing import BinaryIO

from .errors import InputTimeoutError, InvalidInputError
from .fileio import CHUNK_SIZE, FILE_MODE, copy_stream, write_bytes_atomic

DEFAULT_STAGING_ROOT = "/staging"
DOWNLOADED_MARKER = ".downloaded"
POLL_INTERVAL_SECONDS = 0.5


def staging_root() -> Path:
    return Path(os.environ.get("MCONV_STAGING", DEFAULT_STAGING_ROOT)).resolve()


def require_inside_staging(path: Path, flag: str) -> Path:
    """Return `path` resolved, or raise when it lies outside the staging root."""
    root = staging_root()
    resolved = path.resolve()
    if resolved != root and root not in resolved.parents:
        raise InvalidInputError(
            f"{flag} '{path}' is outside the staging folder '{root}'; "
            "pass a path under it (MCONV_STAGING sets the folder)"
        )
    return resolved


def receive(dest: Path, expected_sha256: str, expected_size: int | None, source: BinaryIO) -> int:
    """Store `source` at `dest` only when its hash (and size, if given) match.

    The data goes to a temporary file in the same folder, which is renamed to
    `dest` after the check, so `dest` never contains a partial upload.
    Returns the number of bytes stored.
    """
    dest = require_inside_staging(dest, "--dest")
    dest.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    try:
        os.fchmod(descriptor, FILE_MODE)
        with os.fdopen(descriptor, "wb") as target:
            size, digest = copy_stream(source, target)
            target.flush()
            os.fsync(target.fileno())
        check_received(size, digest, expected_size, expected_sha256)
        os.replace(temp_name, dest)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return size


def check_received(size: int, digest: str, expected_size: int | None, expected_sha256: str) -> None:
    if expected_size is not None and size != expected_size:
        raise InvalidInputError(
            f"received {size} bytes but --size is {expected_size}; the upload was cut short, send the file again"
        )
    if digest != expected_sha256.lower():
        raise InvalidInputError(
            f"received data has SHA-256 {digest} but --sha256 is {expected_sha256}; "
            "the upload was corrupted or --sha256 names another file, send it again"
        )


def send(path: Path, target: BinaryIO) -> int:
    """Write the file at `path` to `target` in bounded chunks; return the byte count."""
    if not path.is_file():
        raise InvalidInputError(f"--path '{path}' is not a file; list the output folder to find the engine's name")
    size = 0
    with open(path, "rb") as stream:
        while chunk := stream.read(CHUNK_SIZE):
            target.write(chunk)
            size += len(chunk)
    target.flush()
    return size


def acknowledge(output_dir: Path) -> Path:
    """Mark the outputs as downloaded, so that a waiting `run` exits."""
    output_dir = require_inside_staging(output_dir, "--output-dir")
    marker = output_dir / DOWNLOADED_MARKER
    output_dir.mkdir(parents=True, exist_ok=True)
    write_bytes_atomic(marker, f"{time.time():.3f}\n".encode())
    return marker


def wait_for_input(path: Path, timeout_seconds: float) -> None:
    """Block until `path` exists; `receive` renames it into place when complete."""
    deadline = time.monotonic() + timeout_seconds
    while not path.exists():
        if time.monotonic() >= deadline:
            raise InputTimeoutError(
                f"input '{path}' did not appear within --wait-input {timeout_seconds:g} seconds; "
                "the upload never finished, so start the conversion again"
            )
        time.sleep(POLL_INTERVAL_SECONDS)


def wait_for_download(output_dir: Path, timeout_seconds: float) -> bool:
    """Block until `ack` marks the outputs downloaded; return False on timeout."""
    marker = output_dir / DOWNLOADED_MARKER
    deadline = time.monotonic() + timeout_seconds
    while not marker.exists():
        if time.monotonic() >= deadline:
            return False
        time.sleep(POLL_INTERVAL_SECONDS)
    return True


def binary_stdin() -> BinaryIO:
    return sys.stdin.buffer


def binary_stdout() -> BinaryIO:
    return sys.stdout.buffer
