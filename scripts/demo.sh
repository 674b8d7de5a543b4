#!/usr/bin/env bash
# Shows mconv on a fresh Debian 12 machine: installs the dependencies (as root), builds
# mconv, lists the GPUs of the shipped catalog and prints the Job that converting the
# small ONNX test model for a T4 would create.
set -euo pipefail

repo=$(cd -- "$(dirname -- "$0")/.." && pwd)
cd "$repo"

if [[ $(id -u) -eq 0 ]]; then
  scripts/install-deps.sh
fi
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build --target mconv

echo
echo "\$ mconv list-gpus"
build/src/mconv list-gpus
echo
echo "\$ mconv convert tests/fixtures/models/tiny_cnn.onnx --gpu T4 --dry-run"
build/src/mconv convert tests/fixtures/models/tiny_cnn.onnx --gpu T4 --dry-run
