#!/usr/bin/env bash
# Shows mconv on a fresh Debian 12 machine, run as root. It installs the dependencies,
# builds mconv and starts the local test cluster. Then it converts the small ONNX test
# model into an OpenVINO engine for x86-64 CPU nodes, because the cluster has no real
# GPU, and stops the cluster. The engine and its metadata land in demo-output/.
set -euo pipefail

repo=$(cd -- "$(dirname -- "$0")/.." && pwd)
cd "$repo"
step() { printf '\n== demo: %s\n' "$*"; }
trap 'echo "demo: failed while $current; see the output above" >&2' ERR

current="installing Debian packages"
if [[ $(id -u) -eq 0 ]]; then
  step "$current"
  scripts/install-deps.sh
fi
current="building mconv"
step "$current"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build --target mconv
current="preparing the converter's Python environment (.venv)"
step "$current"
scripts/python-env.sh

current="starting the local cluster"
step "$current"
state=$(mktemp -d /tmp/mconv-demo-XXXXXX)
stop_cluster() { tests/cluster/localcluster.sh stop --state "$state" || true; rm -rf "$state"; }
trap stop_cluster EXIT
tests/cluster/localcluster.sh start --state "$state"
tests/cluster/bin/kubectl --kubeconfig "$state/admin.kubeconfig" apply -f deploy/rbac.yaml -f deploy/admission-policy.yaml

current="converting"
mkdir -p demo-output
mconv() { build/src/mconv --kubeconfig "$state/alice.kubeconfig" "$@"; }
echo
echo "\$ mconv list-gpus"
mconv list-gpus
echo
echo "\$ mconv convert tests/fixtures/models/tiny_cnn.onnx --gpu cpu --output-file demo-output/tiny_cnn.blob --force"
mconv convert tests/fixtures/models/tiny_cnn.onnx --gpu cpu --output-file demo-output/tiny_cnn.blob --force
echo
echo "\$ mconv list"
mconv list
