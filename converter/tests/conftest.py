"""Shared fixtures: the committed test models and a private staging folder."""

import hashlib
import json
import shutil
import sys
from pathlib import Path

import pytest

CONVERTER_DIR = Path(__file__).resolve().parents[1]
REPO_ROOT = CONVERTER_DIR.parent
MODELS_DIR = REPO_ROOT / "tests" / "fixtures" / "models"
WRAPPER = CONVERTER_DIR / "bin" / "mconv-converter"

sys.path.insert(0, str(CONVERTER_DIR))

from mconv_converter.__main__ import main  # noqa: E402
from mconv_converter.progress import EVENT_PREFIX  # noqa: E402


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def staging(tmp_path, monkeypatch) -> Path:
    """A staging root with in/ and out/, set as MCONV_STAGING."""
    root = tmp_path / "staging"
    (root / "in").mkdir(parents=True)
    (root / "out").mkdir()
    monkeypatch.setenv("MCONV_STAGING", str(root))
    return root


def stage_model(staging: Path, fixture_name: str, target_name: str = "model") -> Path:
    """Copy a committed model into staging/in, as the upload would."""
    target = staging / "in" / target_name
    shutil.copyfile(MODELS_DIR / fixture_name, target)
    return target


def run_command(capsys, *argv: str) -> tuple[int, str, list[dict]]:
    """Run mconv-converter in this process; return its exit code, stdout and parsed events."""
    exit_code = main(list(argv))
    out = capsys.readouterr().out
    events = [json.loads(line[len(EVENT_PREFIX):]) for line in out.splitlines() if line.startswith(EVENT_PREFIX)]
    return exit_code, out, events
