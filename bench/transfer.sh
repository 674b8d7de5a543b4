#!/usr/bin/env bash
# Measures how mconv uploads and downloads a large model: wall time, transfer
# throughput, mconv's peak RSS against a small model's, the converter's peak
# RSS, and whether the downloaded engine has the model's SHA-256.
#
# It converts a generated ONNX model of --size-mib MiB (default 1024) and
# tests/fixtures/models/tiny_cnn.onnx on the local cluster's CPU entry with the
# onnx backend. That backend writes the checked model back unchanged as the
# engine, so each file crosses the API server's pods/exec WebSocket once in
# each direction. bench/README.md describes the figures.
#
# Exits 1 when a conversion fails or a downloaded engine's SHA-256 differs
# from its model's, 2 on a usage error, and never because of a timing.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
localcluster="$repo/tests/cluster/localcluster.sh"
kubectl_bin="$repo/tests/cluster/bin/kubectl"
small_model="$repo/tests/fixtures/models/tiny_cnn.onnx"
python="$repo/.venv/bin/python"

state=/tmp/mconv-bench
mconv="$repo/build-bench/src/mconv"
size_mib=1024

usage() {
	cat <<USAGE
usage: bench/transfer.sh [--size-mib N] [--state DIR] [--mconv PATH]

  --size-mib N   size of the generated model in MiB, 1 to 2047 (default: $size_mib)
  --state DIR    local cluster state folder (default: $state); a cluster already
                 running there is used and left running, else one is started
                 and stopped at the end
  --mconv PATH   mconv binary (default: build-bench/src/mconv)

Run it niced on a shared machine: nice bench/transfer.sh
USAGE
}

while (($#)); do
	case "$1" in
	--size-mib) size_mib="${2:?--size-mib needs a value}"; shift 2 ;;
	--state) state="${2:?--state needs a value}"; shift 2 ;;
	--mconv) mconv="${2:?--mconv needs a value}"; shift 2 ;;
	-h | --help) usage; exit 0 ;;
	*) echo "transfer.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
	esac
done

log() { echo "transfer.sh: $*" >&2; }

if ! [[ "$size_mib" =~ ^[0-9]+$ ]] || ((size_mib < 1 || size_mib > 2047)); then
	# protobuf cannot serialize a model of 2 GiB or more (see make_onnx_model.py).
	log "invalid --size-mib '$size_mib': give a whole number of MiB from 1 to 2047"
	exit 2
fi
[[ -x "$mconv" ]] || { log "mconv binary '$mconv' not found; build it with: cmake --build build-bench --target mconv"; exit 2; }
[[ -x "$python" ]] || { log "'$python' not found; create it with scripts/python-env.sh"; exit 2; }
[[ -x /usr/bin/time ]] || { log "/usr/bin/time not found; install it with: apt-get install -y time"; exit 2; }

work="$(mktemp -d /tmp/mconv-bench-transfer.XXXXXX)"
started_cluster=0
sampler_pid=""

cleanup() {
	if [[ -n "$sampler_pid" ]]; then
		kill "$sampler_pid" 2>/dev/null || true
	fi
	rm -rf "$work"
	if ((started_cluster)); then
		"$localcluster" stop --state "$state" >&2 || log "stopping the cluster in $state failed"
	fi
}
trap cleanup EXIT

admin_kubectl() { "$kubectl_bin" --kubeconfig "$state/admin.kubeconfig" "$@"; }

start_cluster() {
	if "$localcluster" status --state "$state" >/dev/null 2>&1; then
		log "using the cluster already running in $state"
	else
		started_cluster=1
		"$localcluster" start --state "$state" >&2
	fi
	admin_kubectl apply -f "$repo/deploy/rbac.yaml" -f "$repo/deploy/admission-policy.yaml" >/dev/null 2>&1
}

# Records the peak RSS (VmHWM, KiB) of the converter's `run` process for the
# model with the given SHA-256 into FILE, polling every 0.5 s until killed.
# The converter is a host process on the local cluster, so /proc shows it.
sample_converter_rss() {
	local sha256="$1" file="$2" peak=0 pid hwm
	echo 0 >"$file"
	while true; do
		for pid in $(pgrep -f -- "mconv_converter run .*--sha256 $sha256" || true); do
			hwm="$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)"
			if [[ -n "$hwm" ]] && ((hwm > peak)); then
				peak=$hwm
				echo "$peak" >"$file"
			fi
		done
		sleep 0.5
	done
}

# Prefixes each line of stdin with the Unix time in microseconds, because
# mconv's own event times have a resolution of one second.
stamp_lines() {
	local line
	while IFS= read -r line; do
		printf '%s\t%s\n' "$EPOCHREALTIME" "$line"
	done
}

# Converts MODEL as case NAME and writes the case's files into $work/NAME/.
# Returns 1 when mconv fails.
convert_case() {
	local name="$1" model="$2" dir="$work/$1" status
	mkdir -p "$dir"
	sha256sum "$model" | cut -d' ' -f1 >"$dir/model.sha256"
	stat -c %s "$model" >"$dir/model.size"

	sample_converter_rss "$(cat "$dir/model.sha256")" "$dir/converter-hwm-kib" &
	sampler_pid=$!

	log "converting $name ($(numfmt --to=iec-i --suffix=B --round=nearest "$(cat "$dir/model.size")"))"
	echo "$EPOCHREALTIME" >"$dir/started"
	set +e
	/usr/bin/time -v -o "$dir/time.txt" \
		"$mconv" --kubeconfig "$state/alice.kubeconfig" \
		--catalog "$repo/gpu-catalog.yaml" --images-lock "$repo/images.lock" \
		convert "$model" --gpu cpu --backend onnx --output-file "$dir/engine.onnx" -o json \
		2>"$dir/stderr.txt" | stamp_lines >"$dir/events.tsv"
	status=${PIPESTATUS[0]}
	set -e

	kill "$sampler_pid" 2>/dev/null || true
	wait "$sampler_pid" 2>/dev/null || true
	sampler_pid=""

	delete_job "$dir"
	if ((status != 0)); then
		log "mconv failed on $name with exit code $status; its last output:"
		tail -n 20 "$dir/stderr.txt" >&2
		tail -n 5 "$dir/events.tsv" | cut -f2 >&2
		return 1
	fi
	sha256sum "$dir/engine.onnx" | cut -d' ' -f1 >"$dir/engine.sha256"
}

# Deletes the case's Job as mconv does (background propagation), so that a
# later run converts the same model again instead of finding the finished Job,
# and waits until its staging volume claim (twice the model's size) is gone.
delete_job() {
	local dir="$1" job
	job="$(cut -f2 "$dir/events.tsv" | "$python" -c '
import json, sys
for line in sys.stdin:
    job = json.loads(line).get("job")
    if job:
        print(job)
        break
')"
	[[ -n "$job" ]] || return 0
	# NOTE: --cascade=foreground would never finish, because deploy/admission-policy.yaml
	# rejects the garbage collector's update that removes the foregroundDeletion finalizer.
	if ! admin_kubectl delete job "$job" --ignore-not-found --cascade=background --wait=true --timeout=120s >/dev/null ||
		! admin_kubectl wait --for=delete "pvc/$job" --timeout=120s >/dev/null 2>&1; then
		log "deleting Job $job or its claim failed; check with: $kubectl_bin --kubeconfig $state/admin.kubeconfig get job,pvc $job"
	fi
}

start_cluster

log "generating a ${size_mib} MiB ONNX model"
big_model="$work/model-${size_mib}mib.onnx"
generate_started=$EPOCHREALTIME
"$python" "$repo/bench/make_onnx_model.py" "$big_model" "$size_mib"
log "generated in $(awk -v a="$generate_started" -v b="$EPOCHREALTIME" 'BEGIN {printf "%.0f", b - a}') s"

failed=0
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
convert_case small "$small_model" || failed=1
convert_case large "$big_model" || failed=1
# The generated model is one of the two large files, so it goes now, before the table.
rm -f "$big_model"

"$python" "$repo/bench/transfer_figures.py" "$work/small" "$work/large" || failed=1
echo
echo "load average (1, 5, 15 min) before: $load_before, after: $(cut -d' ' -f1-3 /proc/loadavg)"
exit "$failed"
