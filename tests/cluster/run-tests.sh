#!/usr/bin/env bash
# Builds the local cluster, runs its unit tests, starts a cluster in a
# temporary state folder, runs the end-to-end tests against it and always
# stops it. Exits non-zero if anything fails. Extra arguments go to
# "go test", for example: run-tests.sh -run TestExec -v
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

./localcluster.sh build
nice go test ./internal/... "$@"

state="$(mktemp -d /tmp/localcluster-test.XXXXXX)"
cleanup() {
	local status=$?
	./localcluster.sh stop --state "$state" || status=1
	if ((status != 0)); then
		echo "run-tests: failed; the cluster's logs are in $state/logs/" >&2
	else
		rm -rf "$state"
	fi
	exit "$status"
}
trap cleanup EXIT

./localcluster.sh start --state "$state"
LOCALCLUSTER_STATE="$state" nice go test -count=1 -timeout 15m ./e2e/ "$@"
