#!/usr/bin/env bash
# The simulated convention at scale: N nodes (default 1000) running the real membership state
# machines (ControlPlane, FailureDetector, Placement) in the deterministic simulation, through a
# join storm, a capability change, a member failure, a leader failure (an election), a partition
# and its heal. Prints per phase the simulated time to agreement, messages and payload bytes per
# node (mean/max), the process's RSS and the wall time, as a table and one JSON line (SIMSCALE).
#   deploy/simulate-scale.sh [N]           # release build of the tests, then the run
# ENSEMBLE_SIM_SEED (default 1) picks the seed; ENSEMBLE_SIM_BYTES=0 skips encoding every message
# to count bytes (a third faster); SIM_TIMEOUT (s, default 3600) ends the run. The work grows as
# about N^1.7-2 (docs/performance.md, "Simulated scale"): 3,000 nodes take 3.5 minutes, 5,000 eight,
# 10,000 about 30 (and 9 GB of memory; the build before them about 20 more).
set -euo pipefail
cd "$(dirname "$0")/.."
nodes=${1:-1000}
[[ "$nodes" =~ ^[0-9]+$ ]] && [ "$nodes" -ge 4 ] || { echo "simulate-scale: N must be a whole number of at least 4" >&2; exit 2; }
# Testable imports in a release build: the simulation reaches the state machines' internals.
flags=(-c release -Xswiftc -enable-testing)
swift build "${flags[@]}" --build-tests >&2
out=$(mktemp /tmp/ensemble-simscale.XXXXXX)
trap 'rm -f "$out"' EXIT
status=0
ENSEMBLE_SIM_NODES=$nodes timeout "${SIM_TIMEOUT:-3600}" \
    swift test "${flags[@]}" --skip-build --filter 'ScaleSimulationTests/benchmark' >"$out" 2>&1 || status=$?
# The run's own lines, from its title to its JSON line.
awk '/^simulated scale:/{on=1} on && !/^(◇|↳|✔|✘)/{print} /^SIMSCALE /{on=0}' "$out"
if [ "$status" -ne 0 ]; then
    echo "simulate-scale: the run failed (exit $status); its last lines:" >&2
    tail -20 "$out" >&2
fi
exit "$status"
