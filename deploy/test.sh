#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test (unit, in-process and
# multi-process). Multi-process suites drive the built `ensemble` binary and
# run serialized: the machine has 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
./deploy/setup.sh --deps-only
# The multi-host test builds hosts out of network namespaces with `ip` (iproute2);
# as root it must run, so a missing `ip` is installed (without root it skips).
if [ "$(id -u)" -eq 0 ] && ! command -v ip >/dev/null 2>&1; then
    echo "test: installing iproute2" >&2
    env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq iproute2 >/dev/null
fi
swift build --build-tests 2>&1 | grep -v "prohibited flag" | grep -E "error|warning: " || true
swift test --no-parallel
