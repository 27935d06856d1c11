#!/usr/bin/env bash
# Installs what Ensemble needs (libzmq3-dev) when it is missing, then builds.
#   deploy/setup.sh              release build (.build/release/ensemble and ensemble-node)
#   deploy/setup.sh --deps-only  only the system packages
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v swift >/dev/null 2>&1; then
    echo "setup: swift is not on PATH; install a Swift 6 toolchain first (https://swift.org/install)" >&2
    exit 1
fi

if ! pkg-config --exists libzmq 2>/dev/null; then
    echo "setup: installing libzmq3-dev" >&2
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null 2>&1 || { echo "setup: libzmq3-dev is missing and there is no sudo; install it as root" >&2; exit 1; }
        sudo="sudo"
    fi
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libzmq3-dev pkg-config >/dev/null
fi

if [ "${1:-}" = "--deps-only" ]; then
    exit 0
fi

echo "setup: building (release)" >&2
# One section per function in every module, the dependencies' too, so that the node's linker
# lays out the functions it runs side by side (Package.swift, Link/ensemble-node.order).
# The static node's link warns that glibc's name lookups (getaddrinfo, getpwuid) may load NSS
# modules at run time: /etc/hosts and DNS are built in, other sources are modules taken from
# the host (docs/decisions.md, "The release node is one static executable").
swift build -c release -Xswiftc -Xfrontend -Xswiftc -function-sections 2>&1 | grep -v "prohibited flag" \
    | grep -v -e "in statically linked applications requires at runtime" -e "the use of \`mktemp' is dangerous" \
    | grep -E "error|warning: |Compiling|Build" | tail -5 >&2
test -x .build/release/ensemble
test -x .build/release/ensemble-node
