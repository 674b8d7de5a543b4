# Sourced by scripts that start the local cluster. The cluster runs the converter as an
# unprivileged user inside a private mount namespace where /tmp and /run are empty, so
# the checkout (with its .venv) must be readable by others and lie outside /tmp and
# /run. in_reachable_repo runs a command from the checkout itself when that holds, and
# otherwise from a bind mount of it under /var/tmp, which it removes afterwards.
in_reachable_repo() {
  local repo=$1
  shift
  case "$repo" in
    /tmp/* | /run/*) ;;
    *)
      if runuser -u nobody -- test -x "$repo/converter/bin/mconv-converter"; then
        (cd "$repo" && "$@")
        return
      fi
      ;;
  esac

  local view status
  view=$(mktemp -d /var/tmp/mconv-repo-XXXXXX)
  chmod 755 "$view"
  mount --bind "$repo" "$view" || return 1
  (cd "$view" && "$@")
  status=$?
  umount "$view" && rmdir "$view"
  return $status
}
