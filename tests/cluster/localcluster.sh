#!/usr/bin/env bash
# Starts, stops and inspects the local test cluster, and injects faults into
# it. docs/local-cluster.md describes the cluster; run with no arguments for
# the usage.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
bin="$here/bin"
state="$repo/.cluster"
start_timeout=300

usage() {
	cat <<USAGE
usage: tests/cluster/localcluster.sh COMMAND [--state DIR] [ARGS]

commands:
  build                          build bin/localcluster and bin/kubectl if sources changed
  start                          build, start the cluster in the background, wait until ready
  stop                           stop the cluster and every process it started
  status                         print whether the cluster runs, and its components
  fault restart-apiserver        stop the API server and start it again
  fault cut-connections          reset every open client connection (watch, logs, exec)
  fault kill-pod NAMESPACE NAME  SIGKILL the pod's container processes
  fault node-notready NODE       make NODE report Ready=False
  fault node-ready NODE          make NODE report Ready=True again

--state DIR is the state folder (default: $repo/.cluster).
USAGE
}

log() { echo "localcluster: $*" >&2; }
die() { log "error: $*"; exit 1; }

# source_hash prints a hash of everything the binary is built from.
source_hash() {
	(cd "$here" && find . \( -path ./bin -o -path ./e2e \) -prune -o \( -name '*.go' -o -name go.mod -o -name go.sum \) -type f -print |
		LC_ALL=C sort | xargs sha256sum; go version) | sha256sum | cut -d' ' -f1
}

build() {
	command -v go >/dev/null || die "go not found in PATH; install Go 1.26 or newer"
	local hash
	hash="$(source_hash)"
	if [[ -x "$bin/localcluster" && -f "$bin/.source-hash" && "$(cat "$bin/.source-hash")" == "$hash" ]]; then
		return
	fi
	mkdir -p "$bin"
	log "building bin/localcluster (the first build takes about 9 minutes on 2 cores)"
	local started=$SECONDS
	(cd "$here" && nice go build -buildvcs=false -o "$bin/localcluster.new" ./cmd/localcluster)
	mv "$bin/localcluster.new" "$bin/localcluster"
	ln -sf localcluster "$bin/kubectl"
	echo "$hash" >"$bin/.source-hash"
	log "built in $((SECONDS - started))s"
}

# supervisor_pid prints the pid of the state folder's running supervisor, or
# fails if none runs.
supervisor_pid() {
	local pid
	pid="$(cat "$state/run/supervisor.pid" 2>/dev/null)" || return 1
	[[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
	grep -qa supervise "/proc/$pid/cmdline" 2>/dev/null || return 1
	echo "$pid"
}

start() {
	local pid
	if pid="$(supervisor_pid)"; then
		log "already running in $state (supervisor pid $pid); stop it first with: $0 stop --state $state"
		return 0
	fi
	build
	mkdir -p "$state/logs" "$state/run"
	rm -f "$state/run/status"

	local started=$SECONDS
	setsid "$bin/localcluster" supervise --state "$state" --repo "$repo" \
		>>"$state/logs/supervisor.log" 2>&1 </dev/null &
	local launched=$!
	echo "$launched" >"$state/run/session"

	local status=""
	while ((SECONDS - started < start_timeout)); do
		status="$(cat "$state/run/status" 2>/dev/null || true)"
		case "$status" in
		ready) break ;;
		failed:*)
			wait_for_exit "$launched" 30 || true
			die "start failed: ${status#failed: }"
			;;
		esac
		if ! kill -0 "$launched" 2>/dev/null; then
			die "the supervisor exited during start; see $state/logs/supervisor.log:
$(tail -n 5 "$state/logs/supervisor.log")"
		fi
		sleep 0.5
	done
	if [[ "$status" != ready ]]; then
		stop_session "$launched"
		die "the cluster was not ready after ${start_timeout}s; see the logs in $state/logs/"
	fi

	log "ready in $((SECONDS - started))s (state folder: $state)"
	log "kubeconfigs: $state/admin.kubeconfig, $state/alice.kubeconfig, $state/bob.kubeconfig"
	log "kubectl: $bin/kubectl --kubeconfig $state/admin.kubeconfig get nodes"
}

# wait_for_exit waits up to SECONDS for a process to exit.
wait_for_exit() {
	local pid=$1 seconds=$2 i
	for ((i = 0; i < seconds * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	return 1
}

# session_members prints the pids of the processes in session SID. It reads
# /proc itself, so procps need not be installed.
session_members() {
	local sid=$1 stat line pid
	local -a fields
	for stat in /proc/[0-9]*/stat; do
		read -r line 2>/dev/null <"$stat" || continue
		# The command name in brackets may contain spaces; the session id
		# is the fourth field after it.
		read -r -a fields <<<"${line##*) }"
		if [[ "${fields[3]}" == "$sid" ]]; then
			pid="${stat#/proc/}"
			echo "${pid%/stat}"
		fi
	done
}

# stop_session stops the supervisor, which stops its components in reverse
# order, then kills whatever is left in its session: everything the cluster
# started, containers included, unless a process made its own session.
stop_session() {
	local sid=$1
	kill -TERM "$sid" 2>/dev/null || true
	wait_for_exit "$sid" 60 || log "supervisor did not stop within 60s; killing what is left"
	local left
	left="$(session_members "$sid")"
	if [[ -n "$left" ]]; then
		log "killing leftover processes: $(echo $left)"
		kill -KILL $left 2>/dev/null || true
		sleep 0.5
	fi
	left="$(session_members "$sid")"
	[[ -z "$left" ]] || die "processes still running in session $sid: $(echo $left)"
}

stop() {
	local sid
	sid="$(cat "$state/run/session" 2>/dev/null || true)"
	if [[ -z "$sid" || -z "$(session_members "$sid")" ]]; then
		log "not running in $state"
		return 0
	fi
	stop_session "$sid"
	rm -f "$state/run/session"
	log "stopped"
}

status() {
	local pid
	if ! pid="$(supervisor_pid)"; then
		echo "not running (state folder: $state)"
		return 3
	fi
	echo "$(cat "$state/run/status" 2>/dev/null || echo unknown) (supervisor pid $pid, state folder: $state)"
	"$bin/localcluster" status --state "$state"
}

main() {
	[[ $# -gt 0 ]] || { usage; exit 2; }
	local command=$1
	shift
	local args=()
	while [[ $# -gt 0 ]]; do
		case "$1" in
		--state)
			[[ $# -ge 2 ]] || die "--state needs a folder"
			mkdir -p "$2"
			state="$(cd "$2" && pwd)"
			shift 2
			;;
		*)
			args+=("$1")
			shift
			;;
		esac
	done

	case "$command" in
	build) build ;;
	start) start ;;
	stop) stop ;;
	status) status ;;
	fault) "$bin/localcluster" fault --state "$state" "${args[@]}" ;;
	-h | --help | help) usage ;;
	*)
		usage >&2
		exit 2
		;;
	esac
}

main "$@"
