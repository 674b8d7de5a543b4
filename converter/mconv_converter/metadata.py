"""metadata.json: what was built, from what, on which device, and how it performed."""

import json
import os
import platform
import sys
import time
from pathlib import Path

from . import __version__
from .fileio import write_bytes_atomic

METADATA_NAME = "metadata.json"
SCHEMA_VERSION = 1


def build_metadata(**sections) -> dict:
    """Combine the run's sections with fields about this converter and image."""
    return {
        "schemaVersion": SCHEMA_VERSION,
        "converterVersion": __version__,
        "image": os.environ.get("MCONV_IMAGE"),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "createdAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        **sections,
    }


def write_metadata(output_dir: Path, metadata: dict) -> Path:
    path = output_dir / METADATA_NAME
    text = json.dumps(metadata, indent=2, sort_keys=True, default=str) + "\n"
    write_bytes_atomic(path, text.encode())
    return path
