#!/usr/bin/env bash
# Shows mconv on a fresh Debian 12 machine, run as root. It installs the dependencies,
# builds mconv and starts the local test cluster. Then it converts the small ONNX test
# model into an OpenVINO engine for x86-64 CPU nodes, because the cluster has no real
# GPU, and stops the cluster. The engine and its metadata land in demo-output/.
set -euo pipefail

repo=$(cd -- "$(dirname -- "$0")/.." && pwd)
cd "$repo"
# shellcheck source=scripts/reachable-repo.sh
source scripts/reachable-repo.sh

current="starting"
step() {
  current=$*
  printf '\n== demo: %s\n' "$current"
}
trap 'echo "demo: failed while $current; see the output above" >&2' ERR

mconv() { build/src/mconv --kubeconfig "$state/alice.kubeconfig" "$@"; }

# Starts the cluster, converts the model and stops the cluster again.
run_demo() {
  step "starting the local cluster"
  state=$(mktemp -d /tmp/mconv-demo-XXXXXX)
  trap 'tests/cluster/localcluster.sh stop --state "$state" || true; rm -rf "$state"' EXIT
  tests/cluster/localcluster.sh start --state "$state"
  tests/cluster/bin/kubectl --kubeconfig "$state/admin.kubeconfig" apply -f deploy/rbac.yaml -f deploy/admission-policy.yaml

  step "converting"
  mkdir -p demo-output
  echo "\$ mconv list-gpus"
  mconv list-gpus
  echo
  echo "\$ mconv convert tests/fixtures/models/tiny_cnn.onnx --gpu cpu --output-file demo-output/tiny_cnn.blob --force"
  mconv convert tests/fixtures/models/tiny_cnn.onnx --gpu cpu --output-file demo-output/tiny_cnn.blob --force
  echo
  echo "\$ mconv list"
  mconv list
}

if [[ $(id -u) -eq 0 ]]; then
  step "installing Debian packages"
  scripts/install-deps.sh
fi
step "building mconv"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build --target mconv
step "preparing the converter's Python environment (.venv)"
scripts/python-env.sh

# The cluster's pods must reach the checkout: see scripts/reachable-repo.sh.
in_reachable_repo "$repo" run_demo
