#!/usr/bin/env bash
# Prints how failure detection behaves, on free-ish ports with a private state dir:
#   - kill -9 of a member -> the leader declares it down (RUNS runs: median and max)
#   - SIGSTOP of a member (frozen) -> the leader declares it down (3 runs)
#   - a connection reset between the leader and a member (ss -K, root only) -> nobody
#     declared down; how many suspicions the resets raised and how many were refuted
# The leader is polled with `status --metrics` (it asks no other node); each poll costs
# the CLI's start-up (a few ms), so the figures are upper bounds. ENSEMBLE_BIN picks the
# binary (default: the release build, made by deploy/setup.sh). Everything it starts is
# stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${ENSEMBLE_BIN:-.build/release/ensemble}
[ -n "${ENSEMBLE_BIN:-}" ] || ./deploy/setup.sh >/dev/null
runs=${RUNS:-10}
base=${BASE_PORT:-$((20000 + RANDOM % 12000))}
leader=$base other=$((base + 10))
export ENSEMBLE_STATE_DIR=$(mktemp -d /tmp/ensemble-detect.XXXXXX)
export ENSEMBLE_LEADER=127.0.0.1:$leader
trap '"$bin" stop --all >/dev/null 2>&1 || true; rm -rf "$ENSEMBLE_STATE_DIR"' EXIT
ms() { echo $(( $(date +%s%N) / 1000000 )); }
# Every wait is bounded: give up after 30 s with one line.
deadline() { echo $(( $(ms) + 30000 )); }
check() { [ "$(ms)" -lt "$1" ] || { echo "measure-detection: gave up waiting for: $2" >&2; exit 1; }; }
# One sample of a leader metric with the label given (0 when absent).
metric() {
    "$bin" status --metrics 2>/dev/null | awk -v name="$1" -v label="$2" \
        'index($1, name "{") == 1 && index($1, label) > 0 { value = $2 } END { printf "%d\n", value + 0 }'
}
counter() { "$bin" status --json 2>/dev/null | tr -d ' \n' | grep -o "\"$1\":[0-9]*" | cut -d: -f2 || echo 0; }
lost() { metric ensemble_membership_changes_total 'change="lost"'; }
listed() { "$bin" status --json 2>/dev/null | grep -c "\"address\": \"127.0.0.1:$1\"" || true; }

"$bin" start "$leader" >/dev/null
"$bin" start "$other" "morse" >/dev/null

times=()
for run in $(seq 1 "$runs"); do
    port=$((base + 100 + run))
    "$bin" start "$port" "morse" >/dev/null
    end=$(deadline)
    until [ "$(listed "$port")" -eq 1 ]; do check "$end" "member $port listed"; sleep 0.05; done
    before=$(lost)
    t0=$(ms); kill -9 "$(cat "$ENSEMBLE_STATE_DIR/$port.pid")"
    until [ "$(lost)" -gt "$before" ]; do check "$end" "member $port declared down"; done
    times+=($(( $(ms) - t0 )))
done
sorted=($(printf '%s\n' "${times[@]}" | sort -n))
echo "kill -9 to declared down ($runs runs): median ${sorted[$(( runs / 2 ))]} ms, max ${sorted[$(( runs - 1 ))]} ms (all: ${times[*]})"

frozen=()
for run in 1 2 3; do
    port=$((base + 200 + run))
    "$bin" start "$port" "morse" >/dev/null
    end=$(deadline)
    until [ "$(listed "$port")" -eq 1 ]; do check "$end" "member $port listed"; sleep 0.05; done
    before=$(lost) pid=$(cat "$ENSEMBLE_STATE_DIR/$port.pid")
    t0=$(ms); kill -STOP "$pid"
    until [ "$(lost)" -gt "$before" ]; do check "$end" "frozen member $port declared down"; done
    frozen+=($(( $(ms) - t0 )))
    kill -9 "$pid"; kill -CONT "$pid" 2>/dev/null || true
done
echo "SIGSTOP to declared down (3 runs): ${frozen[*]} ms"

if [ "$(id -u)" -ne 0 ] || ! command -v ss >/dev/null 2>&1; then
    echo "connection resets: skipped (ss -K needs root and iproute2)"
    exit 0
fi
lostBefore=$(lost) probesBefore=$(counter probes) refutedBefore=$(counter suspicionsRefuted)
for run in $(seq 1 "$runs"); do
    # Aborts every connection to and from the member's port: the leader's and the member's own.
    ss -K -t dst 127.0.0.1 dport = "$other" >/dev/null
    ss -K -t src 127.0.0.1 sport = "$other" >/dev/null
    sleep 3
done
echo "connection resets ($runs, 3 s apart): declared down $(( $(lost) - lostBefore )), suspicions $(( $(counter probes) - probesBefore )), refuted $(( $(counter suspicionsRefuted) - refutedBefore ))"
