#!/usr/bin/env bash
# Takes the picture of the dashboard that docs/ shows (docs/dashboard.png, or the path given):
# the browser test's convention (the walkthrough's three nodes, the encoders placed, a chgcap
# and an actor restarted), its page in Debian's headless Chromium, saved as a PNG.
# Installs libzmq3-dev and chromium when missing (as root).
set -euo pipefail
cd "$(dirname "$0")/.."
out="$(realpath -m "${1:-docs/dashboard.png}")"
./deploy/setup.sh --deps-only
if ! command -v chromium >/dev/null 2>&1; then
    echo "dashboard-screenshot: installing chromium" >&2
    env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
fi
swift build --build-tests 2>&1 | grep -E "error|warning: " | grep -v "prohibited flag" || true
rm -f "$out"
ENSEMBLE_SCREENSHOT="$out" swift test --skip-build --filter 'DashboardPageTests/aBrowserSeesTheMembersAndAChgcapAsItHappens' 2>&1 | grep -E "✔|✘|skipped" || true
[ -s "$out" ] || { echo "dashboard-screenshot: no picture was taken (see the test's output above)" >&2; exit 1; }
echo "dashboard-screenshot: $out"
