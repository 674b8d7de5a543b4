#!/bin/sh
# Install the converter's pinned requirements into the Python environment of
# PYTHON. Used by scripts/python-env.sh and by both Dockerfiles.
#
#   converter/install-requirements.sh PYTHON REQUIREMENTS_FILE...
#
# PyPI's torch wheel for Linux depends on triton and cuda-bindings, which only
# torch.compile and other GPU-side Python code use. It also depends on CUDA's
# runtime libraries, which libtorch links against, so `import torch` needs
# them even on a machine without a GPU. This script installs torch without
# dependencies, then its dependencies except triton and cuda-bindings: with
# torch 2.15.0 that skips a 294 MB download. pip then reports that torch's
# requirements on those two are not met, which is expected.
set -eu

if [ $# -lt 2 ]; then
    echo "usage: $0 PYTHON REQUIREMENTS_FILE..." >&2
    exit 2
fi
python=$1
shift
skipped_torch_dependencies="triton cuda-bindings"
pip="$python -m pip --disable-pip-version-check --quiet"

torch_requirement=$(cat "$@" | grep -E '^torch==')
$pip install --no-deps "$torch_requirement"

# List torch's own requirements for this platform, less the GPU-side ones.
torch_dependencies=$("$python" - $skipped_torch_dependencies <<'PYTHON'
import importlib.metadata
import sys

from pip._vendor.packaging.requirements import Requirement

skipped = set(sys.argv[1:])
for line in importlib.metadata.requires("torch") or []:
    requirement = Requirement(line)
    if requirement.name in skipped:
        continue
    if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
        print(line.split(";")[0].strip())
PYTHON
)
echo "$torch_dependencies" | tr '\n' '\0' | xargs -0 $pip install

cat "$@" | grep -vE '^torch==' | $pip install -r /dev/stdin
