#!/bin/sh
# Create or update the repository's Python environment for the converter and
# its tests: <repo>/.venv, or the folder in MCONV_VENV.
#
# PyPI's torch wheel for Linux depends on triton and cuda-bindings, which only
# GPU code uses, and on CUDA's runtime libraries, which libtorch links against
# and which `import torch` therefore needs even on a machine without a GPU.
# This script installs torch without dependencies, then its dependencies
# except triton and cuda-bindings, which saves a 294 MB download.
#
# A stamp file records the hash of the requirement files and of this script,
# so a second run with nothing changed returns at once.
set -eu

repo=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
venv=${MCONV_VENV:-$repo/.venv}
requirements=$repo/converter/requirements.txt
dev_requirements=$repo/converter/requirements-dev.txt
stamp=$venv/.mconv-requirements.sha256
skipped_torch_dependencies="triton cuda-bindings"

wanted=$(cat "$requirements" "$dev_requirements" "$0" | sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ]; then
    echo "python-env: $venv is up to date"
    exit 0
fi

torch_requirement=$(grep -E '^torch==' "$requirements")
echo "python-env: installing into $venv ($torch_requirement and converter/requirements*.txt)"
python3 -m venv "$venv"
pip="$venv/bin/python -m pip --disable-pip-version-check --quiet"

$pip install --no-deps "$torch_requirement"

# List torch's own requirements for this platform, less the GPU-only ones.
torch_dependencies=$("$venv/bin/python" - $skipped_torch_dependencies <<'PYTHON'
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

grep -vE '^torch==' "$requirements" | $pip install -r /dev/stdin -r "$dev_requirements"

"$venv/bin/python" -c "import torch, onnx, onnxruntime, openvino" 
echo "$wanted" > "$stamp"
echo "python-env: done"
