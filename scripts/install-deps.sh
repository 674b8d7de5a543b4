#!/usr/bin/env bash
# Installs the Debian packages that build and test mconv. Run as root on Debian 12.
#
# libcurl 8 (WebSocket API) and Catch2 v3 come from bookworm-backports, which this
# script adds using the mirror that the machine's own apt sources already name.
set -euo pipefail

if [[ $(id -u) -ne 0 ]]; then
  echo "install-deps.sh: run as root (it calls apt-get)" >&2
  exit 1
fi

sources=/etc/apt/sources.list.d/debian.sources
backports=/etc/apt/sources.list.d/mconv-backports.sources

if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  mirror=$(awk '/^URIs:/ { print $2; exit }' "$sources" 2>/dev/null || true)
  if [[ -z "$mirror" ]]; then
    mirror=$(awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }' /etc/apt/sources.list 2>/dev/null || true)
  fi
  if [[ -z "$mirror" ]]; then
    echo "install-deps.sh: no Debian mirror found in $sources or /etc/apt/sources.list" >&2
    exit 1
  fi
  printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
    "$mirror" >"$backports"
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends -t bookworm-backports \
  libcurl4-openssl-dev catch2
apt-get install -y -qq --no-install-recommends \
  build-essential cmake ninja-build pkg-config \
  libcli11-dev nlohmann-json3-dev libfmt-dev libyaml-cpp-dev libssl-dev \
  libzip-dev libprotobuf-dev \
  python3 python3-venv openssl
