#!/usr/bin/env bash
# Where a node's resident memory is, at the moment `ensemble bench` reads
# rss_mb_cluster (right after the 64-in-flight encode load): runs
# `bench --quick` with ENSEMBLE_BENCH_SMAPS set, which makes it copy each
# node's /proc/PID/smaps then, and sums Rss per mapped file (and per
# permission), largest first, for each node. Extra arguments go to the bench
# (e.g. nothing, for a full run instead of --quick: pass --full).
#   deploy/rss-breakdown.sh            # quick bench, breakdown per node
#   KEEP=/tmp/x deploy/rss-breakdown.sh  # keep the smaps copies in /tmp/x
#   BIN=DIR deploy/rss-breakdown.sh      # another build's ensemble and ensemble-node (.build/release)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${BIN:-.build/release}/ensemble
[ -x "$bin" ] || { echo "rss-breakdown: no $bin (deploy/setup.sh first, or set BIN)" >&2; exit 2; }
dir=${KEEP:-$(mktemp -d /tmp/ensemble-smaps.XXXXXX)}
mkdir -p "$dir"
[ -n "${KEEP:-}" ] || trap 'rm -rf "$dir"' EXIT
quick=--quick
[ "${1:-}" = --full ] && { quick=; shift; }
ENSEMBLE_BENCH_SMAPS=$dir "$bin" bench $quick --json "$@" | tr ',' '\n' | grep -E 'rss_mb_cluster|encode_rps_c64|encode_cpu_us_per_req_c64'
for smaps in "$dir"/*.smaps; do
    echo "== node port $(basename "$smaps" .smaps)"
    awk '
        /^[0-9a-f]+-[0-9a-f]+ / {
            perms = $2
            name = (NF >= 6) ? $6 : "[anon]"
            sub(".*/", "", name)
            key = name " " perms
            next
        }
        /^Rss:/ { rss[key] += $2; total += $2; next }
        /^Anonymous:/ { anon += $2; next }
        END {
            for (k in rss) if (rss[k] > 0) printf "%8d kB  %s\n", rss[k], k | "sort -rn"
            close("sort -rn")
            printf "%8d kB  total (anonymous %d kB)\n", total, anon
        }' "$smaps"
done
