#!/usr/bin/env bash
# Prints how fast the convention heals, on free-ish ports with a private state dir:
#   - kill -9 of a node hosting encoders -> the next complete set of four reports
#   - chgcap returning -> every member's view showing the change
#   - SIGSTOP of a member -> the leader no longer lists it
#   - a member resuming -> listed again as a new life
# Figures include the CLI's own start-up per poll (a few ms each); they are
# upper bounds. Everything it starts is stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
./deploy/setup.sh >/dev/null
bin=.build/release/ensemble
base=${BASE_PORT:-$((20000 + RANDOM % 12000))}
leader=$base a=$((base + 10)) b=$((base + 20))
export ENSEMBLE_STATE_DIR=$(mktemp -d /tmp/ensemble-measure.XXXXXX)
export ENSEMBLE_LEADER=127.0.0.1:$leader
trap '"$bin" stop --all >/dev/null 2>&1 || true; pkill -CONT -f "ensemble start $a " 2>/dev/null || true; rm -rf "$ENSEMBLE_STATE_DIR"' EXIT
ms() { echo $(( $(date +%s%N) / 1000000 )); }
# Every wait is bounded: give up after 30 s with one line.
deadline() { echo $(( $(ms) + 30000 )); }
check() { [ "$(ms)" -lt "$1" ] || { echo "measure-healing: gave up waiting for: $2" >&2; exit 1; }; }
listed() { "$bin" status --json 2>/dev/null | grep -c "\"address\": \"127.0.0.1:$1\"" || true; }

"$bin" start "$leader" >/dev/null
"$bin" start "$a" "morse,Caesar cipher" >/dev/null
"$bin" start "$b" "64bit encoder,morse,Caesar cipher" >/dev/null
echo "This is a multi-system test" | "$bin" app >/dev/null

t0=$(ms); end=$(deadline); kill -9 "$(cat "$ENSEMBLE_STATE_DIR/$a.pid")"
until [ "$(echo "This is a multi-system test" | "$bin" app --timeout 1 2>/dev/null | wc -l)" -eq 4 ]; do check "$end" "four reports"; done
echo "kill -9 to four reports:        $(( $(ms) - t0 )) ms"
"$bin" start "$a" "morse,Caesar cipher" >/dev/null

"$bin" chgcap "$b" + probe >/dev/null; t0=$(ms); end=$(deadline)
for port in "$leader" "$a" "$b"; do
    until "$bin" status "$port" --json | grep -q '"probe"'; do check "$end" "the change in $port's view"; done
done
echo "chgcap to every view (polled): $(( $(ms) - t0 )) ms"

old=$("$bin" status --json | grep -A1 "\"127.0.0.1:$a\"" | grep incarnation | cut -d'"' -f4)
pid=$(cat "$ENSEMBLE_STATE_DIR/$a.pid"); t0=$(ms); end=$(deadline); kill -STOP "$pid"
until [ "$(listed "$a")" -eq 0 ]; do check "$end" "the frozen node declared down"; sleep 0.02; done
echo "SIGSTOP to declared down:       $(( $(ms) - t0 )) ms"
t0=$(ms); end=$(deadline); kill -CONT "$pid"
until "$bin" status --json | grep -A1 "\"127.0.0.1:$a\"" | grep incarnation | grep -qv "$old"; do check "$end" "the rejoin"; sleep 0.02; done
echo "SIGCONT to rejoined (new life): $(( $(ms) - t0 )) ms"
