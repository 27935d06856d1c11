#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test (unit, in-process and
# multi-process). Multi-process suites drive the built `ensemble` binary and
# run serialized: the machine has 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
./deploy/setup.sh --deps-only
# The multi-host tests build hosts out of network namespaces with `ip` and `ss`
# (iproute2) and filter packets with `nft` (nftables); as root they must run, so
# what is missing is installed (without root they skip).
if [ "$(id -u)" -eq 0 ]; then
    missing=()
    command -v ip >/dev/null 2>&1 && command -v ss >/dev/null 2>&1 || missing+=(iproute2)
    command -v nft >/dev/null 2>&1 || [ -x /usr/sbin/nft ] || missing+=(nftables)
    if [ ${#missing[@]} -gt 0 ]; then
        echo "test: installing ${missing[*]}" >&2
        env DEBIAN_FRONTEND=noninteractive apt-get update -qq
        env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
fi
swift build --build-tests 2>&1 | grep -v "prohibited flag" | grep -E "error|warning: " || true
swift test --no-parallel
