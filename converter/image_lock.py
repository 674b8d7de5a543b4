"""Rewrite one entry of images.lock in place, keeping its comments and layout.

build-image.sh calls this after pushing an image:

    python3 converter/image_lock.py --lock images.lock --entry cpu \\
        --image registry.example.com/mconv/converter-cpu@sha256:<64 hex> --set openvino=2026.4.1

Only the entry's `image:` line and the scalar fields named by --set change.
The new file is written beside the old one and renamed over it, so a crash
never leaves a half-written images.lock. Uses the standard library only, so
it runs with any python3.
"""

import argparse
import os
import re
import sys
import tempfile
from pathlib import Path

IMAGE_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._/:-]*@sha256:[0-9a-f]{64}$")
FIELD_NAME_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")
ENTRY_INDENT = "  "
FIELD_INDENT = "    "


class LockError(Exception):
    """images.lock or a requested change is invalid."""


def rewrite_entry(text: str, entry: str, image: str, fields: dict[str, str]) -> str:
    """Return `text` with the entry's image and the given fields replaced or added."""
    if not IMAGE_PATTERN.match(image):
        raise LockError(f"image '{image}' is not REPOSITORY@sha256:<64 hex digits>")
    lines = text.splitlines(keepends=True)
    start, end = find_entry(lines, entry)
    block = lines[start + 1 : end]

    set_field(block, "image", image)
    for name, value in fields.items():
        if not FIELD_NAME_PATTERN.match(name) or name == "image":
            raise LockError(f"--set '{name}' is not a field name that this tool may set")
        set_field(block, name, f'"{value}"')
    return "".join(lines[: start + 1] + block + lines[end:])


def find_entry(lines: list[str], entry: str) -> tuple[int, int]:
    """Return the index of the entry's header line and of the line after its block."""
    header = f"{ENTRY_INDENT}{entry}:"
    in_images = False
    for index, line in enumerate(lines):
        if line.rstrip() == "images:":
            in_images = True
        elif in_images and line.rstrip() == header:
            return index, block_end(lines, index + 1)
    names = [line.strip().rstrip(":") for line in lines if re.match(rf"^{ENTRY_INDENT}[A-Za-z0-9_-]+:\s*$", line)]
    raise LockError(f"entry '{entry}' not found under images:; entries: {', '.join(names) or 'none'}")


def block_end(lines: list[str], index: int) -> int:
    last_field = index
    while index < len(lines):
        line = lines[index]
        if line.startswith(FIELD_INDENT) and line.strip():
            last_field = index + 1
        elif line.strip() and not line.lstrip().startswith("#"):
            break
        index += 1
    return last_field


def set_field(block: list[str], name: str, value: str) -> None:
    pattern = re.compile(rf"^{FIELD_INDENT}{name}:")
    for index, line in enumerate(block):
        if pattern.match(line):
            block[index] = f"{FIELD_INDENT}{name}: {value}\n"
            return
    block.append(f"{FIELD_INDENT}{name}: {value}\n")


def update_lock_file(path: Path, entry: str, image: str, fields: dict[str, str]) -> None:
    new_text = rewrite_entry(path.read_text(), entry, image, fields)
    descriptor, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(descriptor, "w") as stream:
            stream.write(new_text)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temp_name, path.stat().st_mode & 0o777)
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def parse_fields(values: list[str]) -> dict[str, str]:
    fields = {}
    for value in values:
        name, separator, field_value = value.partition("=")
        if not separator or not field_value:
            raise LockError(f"--set '{value}' must be NAME=VALUE")
        fields[name] = field_value
    return fields


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Rewrite one entry of images.lock.")
    parser.add_argument("--lock", type=Path, required=True, help="path of images.lock")
    parser.add_argument("--entry", required=True, help="entry under images:, such as tensorrt or cpu")
    parser.add_argument("--image", required=True, help="REPOSITORY@sha256:DIGEST of the pushed image")
    parser.add_argument("--set", dest="fields", action="append", default=[], metavar="NAME=VALUE", help="version field to set; repeatable")
    arguments = parser.parse_args(argv)
    try:
        update_lock_file(arguments.lock, arguments.entry, arguments.image, parse_fields(arguments.fields))
    except (LockError, OSError) as error:
        print(f"image_lock: error: {arguments.lock}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
