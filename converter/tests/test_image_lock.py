"""images.lock rewriting by image_lock.py and `build-image.sh --lock-only`."""

import shutil
import subprocess
import sys

import pytest

from conftest import CONVERTER_DIR, REPO_ROOT

sys.path.insert(0, str(CONVERTER_DIR))
from image_lock import LockError, rewrite_entry, update_lock_file  # noqa: E402

NEW_DIGEST = "sha256:" + "c" * 64
NEW_IMAGE = "registry.internal/mconv/converter-cpu@" + NEW_DIGEST


@pytest.fixture
def lock(tmp_path):
    path = tmp_path / "images.lock"
    shutil.copyfile(REPO_ROOT / "images.lock", path)
    return path


def entry_lines(text: str, entry: str) -> list[str]:
    lines = text.splitlines()
    start = lines.index(f"  {entry}:")
    block = []
    for line in lines[start + 1 :]:
        if line and not line.startswith("    "):
            break
        block.append(line)
    return block


def test_rewrite_changes_only_entry(lock):
    old = lock.read_text()
    new = rewrite_entry(old, "cpu", NEW_IMAGE, {"openvino": "2026.5.0"})

    assert f"    image: {NEW_IMAGE}" in entry_lines(new, "cpu")
    assert '    openvino: "2026.5.0"' in entry_lines(new, "cpu")
    assert entry_lines(new, "tensorrt") == entry_lines(old, "tensorrt")
    assert new.splitlines()[:10] == old.splitlines()[:10]
    assert len(new.splitlines()) == len(old.splitlines())


def test_rewrite_adds_missing_field(lock):
    new = rewrite_entry(lock.read_text(), "tensorrt", NEW_IMAGE, {"cudnn": "9.26"})

    block = entry_lines(new, "tensorrt")
    assert '    cudnn: "9.26"' in block
    assert '    tensorrt: "10.13.3"' in block
    assert "  cpu:" in new.splitlines()


def test_rewrite_rejects_tag(lock):
    with pytest.raises(LockError, match="is not REPOSITORY@sha256"):
        rewrite_entry(lock.read_text(), "cpu", "registry.internal/mconv/converter-cpu:latest", {})


def test_rewrite_unknown_entry(lock):
    with pytest.raises(LockError, match="entry 'tpu' not found under images:; entries: tensorrt, cpu"):
        rewrite_entry(lock.read_text(), "tpu", NEW_IMAGE, {})


def test_rewrite_rejects_image_field(lock):
    with pytest.raises(LockError, match="--set 'image'"):
        rewrite_entry(lock.read_text(), "cpu", NEW_IMAGE, {"image": "x"})


def test_failed_update_keeps_file(lock, tmp_path):
    old = lock.read_text()
    with pytest.raises(LockError):
        update_lock_file(lock, "cpu", "not-pinned", {})

    assert lock.read_text() == old
    assert sorted(path.name for path in tmp_path.iterdir()) == ["images.lock"]


def test_lock_only_mode(lock):
    result = subprocess.run(
        [str(CONVERTER_DIR / "build-image.sh"), "--lock", str(lock), "--lock-only", NEW_DIGEST,
         "--set", "openvino=2026.5.0", "cpu", "registry.internal/mconv"],
        capture_output=True, text=True, timeout=60,
    )

    assert result.returncode == 0, result.stderr
    assert f"    image: {NEW_IMAGE}" in entry_lines(lock.read_text(), "cpu")
    assert '    openvino: "2026.5.0"' in entry_lines(lock.read_text(), "cpu")


def test_lock_only_bad_digest(lock):
    old = lock.read_text()
    result = subprocess.run(
        [str(CONVERTER_DIR / "build-image.sh"), "--lock", str(lock), "--lock-only", "sha256:abc", "cpu", "registry.internal/mconv"],
        capture_output=True, text=True, timeout=60,
    )

    assert result.returncode != 0
    assert "is not REPOSITORY@sha256" in result.stderr
    assert lock.read_text() == old
