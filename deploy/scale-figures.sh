#!/usr/bin/env bash
# How the convention's costs grow with its size: `ensemble bench --scale N --json` for each N,
# ROUNDS times in turn, then every figure's median and range per N, side by side.
#   deploy/scale-figures.sh [ROUNDS [N ...]]    # default: 3 rounds of N = 10 50 100
# Uses the release build (.build/release; deploy/setup.sh first), or $BIN's
# `ensemble`. Runs are kept in $OUT (default: a temporary file, named at the end).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}; shift || true
sizes=("$@"); [ ${#sizes[@]} -gt 0 ] || sizes=(10 50 100)
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || { echo "usage: deploy/scale-figures.sh [ROUNDS [N ...]]" >&2; exit 2; }
bin=${BIN:-.build/release}/ensemble
[ -x "$bin" ] || { echo "scale-figures: no $bin (deploy/setup.sh first, or set BIN)" >&2; exit 2; }
command -v python3 >/dev/null || { echo "scale-figures: python3 is needed for the summary" >&2; exit 2; }
out=${OUT:-$(mktemp /tmp/ensemble-scale.XXXXXX)}
for round in $(seq 1 "$rounds"); do
    for n in "${sizes[@]}"; do
        # A run that fails or hangs loses its round for that size, and says why.
        if line=$(timeout 900 "$bin" bench --scale "$n" --json | tail -1) && [[ "$line" == "{"* ]]; then
            echo "{\"round\": $round, \"n\": $n, \"figures\": $line}" >> "$out"
        else
            echo "scale-figures: round $round of N = $n gave no figures" >&2
        fi
    done
done
python3 - "$out" <<'PY'
import json, statistics, sys
runs = [json.loads(line) for line in open(sys.argv[1])]
sizes = sorted({run["n"] for run in runs})
keys = list(dict.fromkeys(key for run in runs for key in run["figures"]))
print("| figure | " + " | ".join(f"N = {n}" for n in sizes) + " |")
print("| --- |" + " --- |" * len(sizes))
for key in keys:
    cells = []
    for n in sizes:
        values = [run["figures"][key] for run in runs if run["n"] == n and key in run["figures"]]
        if not values:
            cells.append("")
            continue
        median = statistics.median(values)
        cell = f"{median:,.1f}" if median < 100 else f"{median:,.0f}"
        if len(values) > 1 and min(values) != max(values):
            cell += f" ({min(values):,.1f} – {max(values):,.1f})" if max(values) < 100 else f" ({min(values):,.0f} – {max(values):,.0f})"
        cells.append(cell)
    print(f"| {key} | " + " | ".join(cells) + " |")
PY
echo "runs kept in $out"
