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
    # The dashboard's tests drive its page in Debian's headless Chromium and scrape its /metrics
    # with Debian's Prometheus (their own port and configuration, not the packaged service).
    # Where the packages cannot be installed, those two tests skip and say so; nothing else fails.
    extras=()
    command -v chromium >/dev/null 2>&1 || extras+=(chromium fonts-dejavu-core)
    command -v prometheus >/dev/null 2>&1 || extras+=(prometheus)
    if [ ${#extras[@]} -gt 0 ]; then
        echo "test: installing ${extras[*]}" >&2
        { env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
            env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${extras[@]}" >/dev/null; } ||
            echo "test: ${extras[*]} could not be installed; the browser and Prometheus tests will skip" >&2
    fi
fi
# Every test stops the nodes it started by their pids, but a test process that crashes (or is
# killed) cannot: when the run ends, however it ends, a node process started since it began with
# a state directory under the temporary directory is stopped by its pid, and named.
before=$(pgrep -x ensemble-node || true)
tmp=${TMPDIR:-/tmp}
stop_leftover_nodes() {
    local pid left=()
    for pid in $(pgrep -x ensemble-node || true); do
        grep -qx "$pid" <<<"$before" && continue
        tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q -- "--state-dir $tmp/" || continue
        kill -9 "$pid" 2>/dev/null && left+=("$pid")
    done
    [ ${#left[@]} -eq 0 ] || echo "test: stopped ${#left[@]} node(s) a test left running: pids ${left[*]}" >&2
}
trap stop_leftover_nodes EXIT
swift build --build-tests 2>&1 | grep -v "prohibited flag" | grep -E "error|warning: " || true
swift test --no-parallel

# The Python client (clients/python), installed from scratch into a venv of its own
# (Debian's pip refuses system-wide installs), against conventions of the binary just built.
venv=.build/python-client-venv
rm -rf "$venv"
if ! python3 -m venv "$venv" >/dev/null 2>&1; then
    echo "test: installing python3-venv" >&2
    env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv python3-pip >/dev/null
    rm -rf "$venv"
    python3 -m venv "$venv"
fi
"$venv/bin/pip" install -q --disable-pip-version-check "./clients/python[test]"
ENSEMBLE_BIN="$(swift build --show-bin-path)/ensemble" "$venv/bin/python" -m pytest -q -p no:cacheprovider clients/python/tests
