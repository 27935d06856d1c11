#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test (unit, in-process and
# multi-process). Multi-process suites drive the built `ensemble` binary and
# run serialized: the machine has 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
./deploy/setup.sh --deps-only
swift build --build-tests 2>&1 | grep -v "prohibited flag" | grep -E "error|warning: " || true
swift test --no-parallel
