#!/usr/bin/env bash
# A floor for `encode_p50_us_c1` and `encode_cpu_us_per_req_c1`: the encode
# pipeline's shape (client -> leader -> two members -> leader -> client, one
# request at a time) on libzmq alone, with and without the leader's early frame
# to the client. The same C source as `ensemble bench`'s `encode_floor_*` figures
# (Sources/CZMQFloor/pipeline_floor.c), built here as a command of its own; needs
# a C compiler and libzmq3-dev. Prints one line per run.
#   deploy/pipeline-floor.sh          # 3 runs of 3,000 requests each way
#   RUNS=5 REQUESTS=5000 deploy/pipeline-floor.sh
set -euo pipefail
cd "$(dirname "$0")/../Sources/CZMQFloor"
work=$(mktemp -d /tmp/ensemble-floor.XXXXXX)
trap 'rm -rf "$work"' EXIT
cc -O2 -DENSEMBLE_PIPELINE_FLOOR_MAIN -Iinclude -o "$work/pipeline-floor" pipeline_floor.c \
    $(pkg-config --cflags --libs libzmq) -lpthread
for _ in $(seq 1 "${RUNS:-3}"); do
    for early in 1 0; do "$work/pipeline-floor" "${REQUESTS:-3000}" "$early"; done
done
