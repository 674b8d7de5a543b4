#!/bin/sh
# Build a converter image, push it, and pin its digest in images.lock.
#
#   converter/build-image.sh [--engine docker|podman] [--lock FILE] ENTRY REGISTRY
#   converter/build-image.sh --lock-only sha256:DIGEST [--set NAME=VALUE]... [--lock FILE] ENTRY REGISTRY
#
# ENTRY is an entry of images.lock (tensorrt or cpu), built from
# converter/Dockerfile.ENTRY. REGISTRY is where the image goes, such as
# registry.example.com/mconv; the image is REGISTRY/converter-ENTRY. After the
# push, the script reads the pushed digest back from the registry and the
# library versions from the image, then rewrites the entry with
# converter/image_lock.py, which replaces the file atomically.
# --lock-only skips the build and the push and pins the given digest.
set -eu

converter=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
lock=$(dirname -- "$converter")/images.lock
engine=""
lock_only_digest=""
fields=""

usage() {
    sed -n '4,5p' "$0" | sed 's/^#   /usage: /' >&2
    exit 2
}

while [ $# -gt 0 ]; do
    case $1 in
        --engine) engine=$2; shift 2 ;;
        --lock) lock=$2; shift 2 ;;
        --lock-only) lock_only_digest=$2; shift 2 ;;
        --set) fields="$fields --set $2"; shift 2 ;;
        -h|--help) usage ;;
        -*) echo "build-image: error: unknown option '$1'" >&2; usage ;;
        *) break ;;
    esac
done
[ $# -eq 2 ] || usage
entry=$1
repository=$2/converter-$1

update_lock() {
    # $fields contains --set pairs without spaces in their values.
    # shellcheck disable=SC2086
    python3 "$converter/image_lock.py" --lock "$lock" --entry "$entry" --image "$repository@$1" $fields
    echo "build-image: pinned $entry to $repository@$1 in $lock"
}

if [ -n "$lock_only_digest" ]; then
    update_lock "$lock_only_digest"
    exit 0
fi

dockerfile=$converter/Dockerfile.$entry
if [ ! -f "$dockerfile" ]; then
    echo "build-image: error: no Dockerfile for entry '$entry' (expected $dockerfile)" >&2
    exit 2
fi
if [ -z "$engine" ]; then
    if command -v docker >/dev/null 2>&1; then engine=docker; else engine=podman; fi
fi

tag=$repository:$(git -C "$converter" rev-parse --short=12 HEAD)
"$engine" build --file "$dockerfile" --tag "$tag" "$converter"

digest_file=$(mktemp)
trap 'rm -f "$digest_file"' EXIT
if [ "$engine" = podman ]; then
    podman push --digestfile "$digest_file" "$tag"
    digest=$(cat "$digest_file")
else
    docker push "$tag"
    digest=$(docker image inspect --format '{{range .RepoDigests}}{{println .}}{{end}}' "$tag" \
        | grep -F "$repository@" | head -n 1 | sed 's/.*@//')
fi
case $digest in
    sha256:*) ;;
    *) echo "build-image: error: could not read the pushed digest of $tag" >&2; exit 1 ;;
esac

# Record the library versions that the image really contains.
versions=$("$engine" run --rm --entrypoint /opt/mconv/.venv/bin/python "$tag" -c '
import importlib, os
for module, field in (("tensorrt", "tensorrt"), ("openvino", "openvino")):
    try:
        version = importlib.import_module(module).__version__
    except ImportError:
        continue
    print(field + "=" + version.split("-")[0])
cuda = os.environ.get("CUDA_VERSION")
if cuda:
    print("cuda=" + ".".join(cuda.split(".")[:2]))
')
for pair in $versions; do
    fields="$fields --set $pair"
done
update_lock "$digest"
