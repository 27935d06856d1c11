#!/usr/bin/env bash
# Compares release builds of ensemble with full `ensemble bench --json` runs taken in turn:
#   deploy/compare-builds.sh ROUNDS NAME=DIR NAME=DIR ...
# Each round runs every build once, in the order given (DIR holds that build's `ensemble`
# and `ensemble-node`, e.g. a clone's .build/release). The machine's speed drifts, so builds
# are compared run by run: for each figure it prints every build's median and, for the
# builds after the first, the median and range of the change against the first build's run
# of the same round. CPU figures (*_cpu_*) and context switches move least with the load
# around them. Runs are kept in $OUT (default: a temporary file, named at the end).
set -euo pipefail
usage() { echo "usage: deploy/compare-builds.sh ROUNDS NAME=DIR [NAME=DIR ...]" >&2; exit 2; }
[ $# -ge 2 ] || usage
rounds=$1; shift
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || usage
for spec in "$@"; do
    [[ "$spec" == *=* ]] || usage
    [ -x "${spec#*=}/ensemble" ] || { echo "compare-builds: no ensemble binary in ${spec#*=}" >&2; exit 2; }
done
command -v python3 >/dev/null || { echo "compare-builds: python3 is needed for the summary" >&2; exit 2; }
out=${OUT:-$(mktemp /tmp/ensemble-compare.XXXXXX)}
for round in $(seq 1 "$rounds"); do
    for spec in "$@"; do
        name=${spec%%=*} dir=${spec#*=}
        # A bench that fails or hangs loses its round for that build, not the comparison.
        if line=$(cd /tmp && timeout 600 "$dir/ensemble" bench --json 2>/dev/null | tail -1) && [[ "$line" == "{"* ]]; then
            echo "{\"round\": $round, \"build\": \"$name\", \"figures\": $line}" >> "$out"
        else
            echo "compare-builds: round $round of $name gave no figures" >&2
        fi
    done
done
python3 - "$out" <<'EOF'
import json, statistics, sys
runs = [json.loads(line) for line in open(sys.argv[1])]
builds = list(dict.fromkeys(run["build"] for run in runs))
by = {(run["round"], run["build"]): run["figures"] for run in runs}
# Every figure any build reported (an older build may lack newer ones), in the order first seen.
keys = list(dict.fromkeys(key for run in runs for key in run["figures"]))
first = builds[0] if builds else None
for key in keys:
    cells = []
    for build in builds:
        values = [figures[key] for (_, b), figures in by.items() if b == build and key in figures]
        if not values:
            continue
        cell = f"{build} {statistics.median(values):,.1f}"
        if build != first:
            changes = [by[(r, build)][key] / by[(r, first)][key] - 1 for (r, b) in by
                       if b == build and (r, first) in by and by[(r, first)].get(key)]
            if changes:
                cell += (f" ({statistics.median(changes) * 100:+.0f} % paired,"
                         f" {min(changes) * 100:+.0f} to {max(changes) * 100:+.0f})")
        cells.append(cell)
    print(f"{key}: " + " | ".join(cells))
EOF
echo "runs kept in $out"
