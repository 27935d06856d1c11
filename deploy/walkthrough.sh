#!/usr/bin/env bash
# The walkthrough of the Thespian act 5 example, on Ensemble: a leader on
# 1900, two members with capabilities, one encode request, then stop.
# Installs and builds first (deploy/setup.sh). Every node it starts is
# stopped when it ends, whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."
./deploy/setup.sh
ensemble() { .build/release/ensemble "$@"; }
export ENSEMBLE_STATE_DIR="${ENSEMBLE_STATE_DIR:-$(mktemp -d /tmp/ensemble-walkthrough.XXXXXX)}"
trap '.build/release/ensemble stop --all >/dev/null 2>&1 || true' EXIT

run() {
    local shown="\$" arg
    for arg in "$@"; do
        case "$arg" in *" "*) shown+=" \"$arg\"" ;; *) shown+=" $arg" ;; esac
    done
    echo "$shown"
    "$@"
}
run ensemble start 1900
run ensemble start 10000 "morse,Caesar cipher"
run ensemble start 10101 "64bit encoder"
echo '$ echo "This is a multi-system test" | ensemble app'
echo "This is a multi-system test" | ensemble app
run ensemble status
run ensemble stop 1900 10000 10101
