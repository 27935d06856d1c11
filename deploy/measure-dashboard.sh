#!/usr/bin/env bash
# Prints how soon the dashboard's open pages hear of a change, on free-ish ports with a
# private state dir: a reader of /api/events (what the page's EventSource reads) timestamps
# each event as it arrives.
#   - chgcap sent -> the capabilities event read from the stream
#   - kill -9 of a member -> the failed event read from the stream
#   - kill of an actor -> the restarted event read from the stream
# Each figure is from just before the command runs (its own start-up included) to the read.
# Everything it starts is stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
./deploy/setup.sh >/dev/null
bin=.build/release/ensemble
base=${BASE_PORT:-$((20000 + RANDOM % 12000))}
leader=$base a=$((base + 10)) b=$((base + 20)) web=$((base + 30))
export ENSEMBLE_STATE_DIR=$(mktemp -d /tmp/ensemble-measure.XXXXXX)
export ENSEMBLE_LEADER=127.0.0.1:$leader
dashboard=
trap '[ -n "$dashboard" ] && kill "$dashboard" 2>/dev/null; "$bin" stop --all >/dev/null 2>&1 || true; rm -rf "$ENSEMBLE_STATE_DIR"' EXIT
ms() { echo $(( $(date +%s%N) / 1000000 )); }

"$bin" start "$leader" >/dev/null
"$bin" start "$a" "morse,Caesar cipher" >/dev/null
"$bin" start "$b" "64bit encoder" >/dev/null
echo "This is a multi-system test" | "$bin" app >/dev/null
"$bin" dashboard --port "$web" >"$ENSEMBLE_STATE_DIR/dashboard.out" 2>&1 &
dashboard=$!
log="$ENSEMBLE_STATE_DIR/events.log"
# The reader: one line per event, "MS KIND NODE", from the moment the stream is open.
python3 - "$web" >"$log" <<'PY' &
import http.client, json, sys, time
for attempt in range(300):
    try:
        connection = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=120)
        connection.request("GET", "/api/events")
        response = connection.getresponse()
        break
    except OSError:
        time.sleep(0.1)
else:
    sys.exit("measure-dashboard: the dashboard does not answer")
print("open", flush=True)
kind = None
for raw in response:
    line = raw.decode().rstrip("\n")
    if line.startswith("event: "):
        kind = line[7:]
    elif line.startswith("data: ") and kind == "convention":
        event = json.loads(line[6:])
        print(time.time_ns() // 1_000_000, event["kind"], event["node"], flush=True)
PY
reader=$!
trap '[ -n "$dashboard" ] && kill "$dashboard" 2>/dev/null; kill "$reader" 2>/dev/null; "$bin" stop --all >/dev/null 2>&1 || true; rm -rf "$ENSEMBLE_STATE_DIR"' EXIT
# Every wait is bounded: give up after 30 s with one line.
wait_for() {
    local end=$(( $(ms) + 30000 ))
    until grep -q "$1" "$log"; do
        [ "$(ms)" -lt "$end" ] || { echo "measure-dashboard: gave up waiting for: $1" >&2; exit 1; }
        sleep 0.01
    done
}
wait_for "^open"
wait_for " joined 127.0.0.1:$b$"

t0=$(ms); "$bin" chgcap "$b" + gpu >/dev/null
wait_for " capabilities 127.0.0.1:$b$"
echo "chgcap to the page's stream:   $(( $(grep " capabilities 127.0.0.1:$b$" "$log" | head -1 | cut -d' ' -f1) - t0 )) ms"

actor=$("$bin" status --json | python3 -c 'import json,sys; print(next(a["address"] for a in json.load(sys.stdin)["actors"] if a["type"] == "MorseEncoder"))')
t0=$(ms); "$bin" kill "$actor" >/dev/null
wait_for " restarted 127.0.0.1:$a$"
echo "actor kill to the page's stream: $(( $(grep " restarted 127.0.0.1:$a$" "$log" | head -1 | cut -d' ' -f1) - t0 )) ms"

t0=$(ms); kill -9 "$(cat "$ENSEMBLE_STATE_DIR/$b.pid")"
wait_for " failed 127.0.0.1:$b$"
echo "kill -9 to the page's stream:  $(( $(grep " failed 127.0.0.1:$b$" "$log" | head -1 | cut -d' ' -f1) - t0 )) ms"
