#!/bin/sh
# Create or update the Python environment for the converter and its tests:
# <repo>/.venv, or the folder named by MCONV_VENV.
#
# converter/install-requirements.sh does the installing and explains how it
# keeps torch's download small. A stamp file records the hash of the
# requirement files and of both scripts, so a second run with nothing changed
# returns at once.
set -eu

repo=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
venv=${MCONV_VENV:-$repo/.venv}
# The local test cluster runs the converter as a non-root user, which must be able to
# run the environment's interpreter. A pyenv interpreter under /root is not readable
# for it, so prefer Debian's python3 (scripts/install-deps.sh installs python3-venv).
interpreter=${MCONV_PYTHON:-/usr/bin/python3}
[ -x "$interpreter" ] || interpreter=python3
requirements="$repo/converter/requirements.txt $repo/converter/requirements-dev.txt"
installer=$repo/converter/install-requirements.sh
stamp=$venv/.mconv-requirements.sha256

# shellcheck disable=SC2086 # the requirement paths contain no spaces
wanted=$(cat $requirements "$installer" "$0" | sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ]; then
    echo "python-env: $venv is up to date"
    exit 0
fi

echo "python-env: installing converter/requirements*.txt into $venv"
rm -f "$stamp"
# A new interpreter needs a new environment; the packages come again from pip's cache.
rm -rf "$venv"
"$interpreter" -m venv "$venv"
# shellcheck disable=SC2086
"$installer" "$venv/bin/python" $requirements
"$venv/bin/python" -c "import torch, onnx, onnxruntime, openvino"
echo "$wanted" > "$stamp"
echo "python-env: done"
