#!/usr/bin/env bash
# The leader's resident memory once it settles, which `bench --scale` does not wait for: starts
# a convention of N nodes by hand (`ensemble start`, ports BASE, BASE+2, ...; a state directory
# of its own), then samples the leader's RSS (and its heap's), its descriptors and the largest
# member's RSS every 10 s until the leader's has not moved for three samples or SECONDS pass.
# libzmq's pipes take a second 16 KB chunk only once a connection has carried 256 messages, so
# the leader keeps growing for about two minutes after the bench has read it.
#   deploy/leader-memory.sh [N [SECONDS]]     # default: 100 nodes, at most 300 s
#   ELECT=1 deploy/leader-memory.sh           # then kill -9 the founder and follow the elected leader
#   HEAPTRACK=1 deploy/leader-memory.sh       # the founder under heaptrack: what it holds at the end, by site
# Every process it starts is killed by its pid when it ends (pid files of its state directory).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100}; limit=${2:-300}
base=${BASE:-25000}
bin=${BIN:-.build/release}
[[ "$n" =~ ^[0-9]+$ && "$n" -ge 2 && "$limit" =~ ^[0-9]+$ ]] || { echo "usage: deploy/leader-memory.sh [N>=2 [SECONDS]]" >&2; exit 2; }
[ -x "$bin/ensemble" ] || { echo "leader-memory: no $bin/ensemble (deploy/setup.sh first, or set BIN)" >&2; exit 2; }
state=$(mktemp -d /tmp/ensemble-leader-memory.XXXXXX)
stop_all() {
    for file in "$state"/*.pid; do [ -f "$file" ] && kill -9 "$(head -1 "$file")" 2>/dev/null || true; done
}
trap 'stop_all; sleep 1; rm -rf "$state"' EXIT
leader=127.0.0.1:$base
options=(--leader "$leader" --state-dir "$state" --join-timeout 30)
founder_binary=()
if [ -n "${HEAPTRACK:-}" ]; then
    command -v heaptrack >/dev/null || { echo "leader-memory: heaptrack is not installed" >&2; exit 2; }
    printf '#!/bin/sh\nexec heaptrack -o %s/founder %s "$@"\n' "$state" "$(realpath "$bin/ensemble-node")" > "$state/heaptrack-node"
    chmod +x "$state/heaptrack-node"
    founder_binary=(--node-binary "$state/heaptrack-node")
fi
"$bin/ensemble" start "$base" "${options[@]}" --bootstrap ${founder_binary[@]+"${founder_binary[@]}"} >/dev/null
for i in $(seq 1 $((n - 1))); do
    "$bin/ensemble" start $((base + 2 * i)) morse "${options[@]}" >/dev/null &
done
wait
pid_of() { head -1 "$state/$1.pid"; }
rss_kb() { awk '/^Rss:/ { print $2 }' "/proc/$1/smaps_rollup"; }
heap_kb() { awk '/\[heap\]/ { heap = 1; next } /^[0-9a-f]+-/ { heap = 0 } heap && /^Rss:/ { sum += $2 } END { print sum + 0 }' "/proc/$1/smaps"; }
# Follows the leader whose pid is $1, on port $2, and prints its settled figures.
follow() {
    local pid=$1 port=$2 start=$SECONDS last=-1 still=0 rss member
    printf '%6s %10s %10s %6s %16s\n' seconds rss_kb heap_kb fds member_rss_max_kb
    while :; do
        rss=$(rss_kb "$pid")
        member=0
        for file in "$state"/*.pid; do
            local other; other=$(head -1 "$file")
            [ "$other" = "$pid" ] && continue
            kill -0 "$other" 2>/dev/null || continue
            local kb; kb=$(rss_kb "$other" 2>/dev/null || echo 0)
            [ "$kb" -gt "$member" ] && member=$kb
        done
        printf '%6d %10d %10d %6d %16d\n' $((SECONDS - start)) "$rss" "$(heap_kb "$pid")" "$(ls "/proc/$pid/fd" | wc -l)" "$member"
        if [ "$rss" -eq "$last" ]; then still=$((still + 1)); else still=0; fi
        last=$rss
        [ "$still" -ge 3 ] || [ $((SECONDS - start)) -ge "$limit" ] && break
        sleep 10
    done
    awk -v port="$port" -v rss="$last" -v member="$member" -v settled="$still" 'BEGIN {
        printf "leader :%s %s at %.1f MB; members at most %.1f MB\n", port, (settled >= 3 ? "settled" : "still growing"), rss / 1024, member / 1024 }'
}
echo "== founder :$base, $n nodes"
follow "$(pid_of "$base")" "$base"
if [ -n "${HEAPTRACK:-}" ]; then
    kill -9 "$(pid_of "$base")"
    sleep 3
    # "Leaked" here: still allocated when the founder was killed, i.e. what it held.
    heaptrack_print -f "$state"/founder.*zst --print-leaks 1 --print-peaks 0 --print-allocators 0 \
        --print-temporary 0 2>/dev/null > "$state/held.txt" || true
    grep -E '^[0-9.]+[KMG]? leaked over .* from$' -A1 "$state/held.txt" | grep -v '^--' | paste - - | head -12
    grep -E '^total memory leaked' "$state/held.txt" || true
fi
if [ -n "${ELECT:-}" ]; then
    kill -9 "$(pid_of "$base")" 2>/dev/null || true
    # The elected leader is the node whose port most members' links connect to (they JOIN it).
    for _ in $(seq 1 30); do
        sleep 1
        for i in $(seq 1 $((n - 1))); do
            port=$((base + 2 * i))
            if [ "$(ss -Htn state established "( sport = :$port )" | wc -l)" -ge $((n / 2)) ]; then
                echo "== elected leader :$port"
                follow "$(pid_of "$port")" "$port"
                exit 0
            fi
        done
    done
    echo "leader-memory: no elected leader found within 30 s" >&2
    exit 1
fi
