#!/usr/bin/env bash
# Runs every test of mconv on a fresh Debian 12 machine: installs what the tests need,
# builds with warnings as errors, and runs each suite. Ends with one line counting the
# suites that passed and failed, and exits non-zero if any failed.
#
#   scripts/test.sh            every suite
#   scripts/test.sh unit asan  only the named suites
#
# Suites: unit (C++ unit tests), asan (the same under AddressSanitizer and
# UndefinedBehaviorSanitizer), converter (the converter's pytest suite), cluster (the
# local cluster's own tests), e2e (mconv against the local cluster).
set -uo pipefail

repo=$(cd -- "$(dirname -- "$0")/.." && pwd)
cd "$repo"
# shellcheck source=scripts/reachable-repo.sh
source scripts/reachable-repo.sh

all_suites=(unit asan converter cluster e2e)
suites=("${@:-${all_suites[@]}}")
passed=0
failed=0
failed_names=()

log() { printf '\n== %s\n' "$*"; }

setup() {
  if [[ $(id -u) -eq 0 ]]; then
    log "installing Debian packages (scripts/install-deps.sh)"
    scripts/install-deps.sh || return 1
  else
    echo "test.sh: not root, so Debian packages are not installed; run scripts/install-deps.sh as root if the build fails"
  fi
}

suite_unit() {
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMCONV_WERROR=ON >/dev/null &&
    cmake --build build &&
    ctest --test-dir build --output-on-failure -j2
}

suite_asan() {
  cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DMCONV_WERROR=ON -DMCONV_SANITIZE=ON >/dev/null &&
    cmake --build build-asan &&
    ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --test-dir build-asan --output-on-failure -j2
}

suite_converter() {
  scripts/python-env.sh && .venv/bin/python -m pytest converter/tests -q
}

suite_cluster() {
  tests/cluster/run-tests.sh
}

# Starts one local cluster for the client layer's [cluster] unit tests and for the
# end-to-end tests, and always stops it, from a path the cluster's pods can reach.
suite_e2e() {
  in_reachable_repo "$repo" e2e_steps
}

e2e_steps() {
  # Reuse the unit suite's build folder as configured, since a bind mount changes the path.
  if [[ ! -f build/CMakeCache.txt ]]; then
    cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMCONV_WERROR=ON >/dev/null || return 1
  fi
  cmake --build build &&
    scripts/python-env.sh || return 1

  local state
  state=$(mktemp -d /tmp/mconv-test-cluster-XXXXXX)
  if ! tests/cluster/localcluster.sh start --state "$state"; then
    rm -rf "$state"
    return 1
  fi
  tests/cluster/bin/kubectl --kubeconfig "$state/admin.kubeconfig" apply -f deploy/rbac.yaml -f deploy/admission-policy.yaml >/dev/null &&
    MCONV_TEST_KUBECONFIG="$state/admin.kubeconfig" build/tests/unit/mconv_unit_tests "[cluster]" &&
    MCONV_E2E_STATE="$state" MCONV_BINARY="$PWD/build/src/mconv" .venv/bin/python -m pytest tests/e2e -q
  local status=$?
  tests/cluster/localcluster.sh stop --state "$state"
  rm -rf "$state"
  return $status
}

run_suite() {
  local name=$1
  log "suite $name"
  local started=$SECONDS
  if "suite_$name"; then
    passed=$((passed + 1))
    echo "test.sh: suite $name passed in $((SECONDS - started))s"
  else
    failed=$((failed + 1))
    failed_names+=("$name")
    echo "test.sh: suite $name FAILED after $((SECONDS - started))s"
  fi
}

for name in "${suites[@]}"; do
  if ! declare -F "suite_$name" >/dev/null; then
    echo "test.sh: unknown suite '$name'; use one of: ${all_suites[*]}" >&2
    exit 2
  fi
done

if ! setup; then
  echo "test.sh: installing the dependencies failed" >&2
  exit 1
fi
for name in "${suites[@]}"; do run_suite "$name"; done

echo
[[ $failed -eq 0 ]] || echo "test.sh: failed suites: ${failed_names[*]}"
echo "suites: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
