#!/usr/bin/env bash
# Writes Link/ensemble-node.order, the order in which the release ensemble-node's linker lays out
# its functions: every function a node runs in `ensemble bench --quick` (start, joins, the encode
# loads, tells, a capability change, a failover, stops), the most instructions first, so that the
# code a node runs shares as few pages as possible. A node maps its code 64 KiB around each page it
# touches: with the functions in link order, the few it runs are spread over most of its 14 MB of
# text (docs/decisions.md, "Code laid out by use"). The release build of deploy/setup.sh
# compiles every module, the dependencies' too, with one section per function; the Swift
# runtime's static libraries and libstdc++.a come that way.
#   deploy/function-order.sh DIR     # DIR: deploy/setup.sh's release build's ensemble and ensemble-node
# Runs the bench with its nodes under callgrind (a copy of ensemble-node without its DWARF 5,
# which valgrind 3.19 cannot read); a few minutes. Functions that are renamed or added later
# are laid out after the listed ones until the file is written again.
set -euo pipefail
usage() { echo "usage: deploy/function-order.sh DIR (a release build's ensemble and ensemble-node)" >&2; exit 2; }
[ $# -eq 1 ] && [ -x "${1:-}/ensemble" ] && [ -x "$1/ensemble-node" ] || usage
for tool in valgrind objcopy python3; do
    command -v "$tool" >/dev/null || { echo "function-order: $tool is needed" >&2; exit 1; }
done
cd "$(dirname "$0")/.."
. deploy/callgrind-nodes.sh
src=$(cd "$1" && pwd) work=$(mktemp -d /tmp/ensemble-function-order.XXXXXX)
cleanup() {  # the nodes by pid, politely for 20 s (callgrind writes its file at exit); their state dirs
    set +e
    stop_recorded_nodes "$work" 20
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

run_nodes_under_callgrind "$work" "$src" --demangle=no --dump-instr=no --dump-line=no --compress-strings=no --compress-pos=no
echo "function-order: bench --quick with its nodes under callgrind (work directory $work)" >&2
status=0
(cd "$work" && timeout "${TIMEOUT:-1200}" "$work/bin/ensemble" bench --quick --json) > "$work/bench.log" 2>&1 || status=$?
if [ "$status" -ne 0 ]; then
    echo "function-order: the bench ended with $status (the functions run until then are used); its last lines:" >&2
    tail -3 "$work/bench.log" >&2
fi
# What users do that the bench does not: the walkthrough's commands on a convention of three.
echo "function-order: the walkthrough's commands on three nodes under callgrind" >&2
ports=$(python3 -c 'import socket
s = []
for _ in range(3):
    t = socket.socket(); t.bind(("127.0.0.1", 0)); s.append(t)
print(" ".join(str(t.getsockname()[1]) for t in s))')
read -r leader second third <<< "$ports"
options=(--leader "127.0.0.1:$leader" --state-dir "$work/state" --node-binary "$work/bin/ensemble-node")
cli() { timeout 120 "$work/bin/ensemble" "$@" >> "$work/cli.log" 2>&1 || echo "function-order: ensemble $1 failed (went on)" >&2; }
cli start "$leader" "${options[@]}" --bootstrap --join-timeout 60
cli start "$second" "morse,Caesar cipher" "${options[@]}" --join-timeout 60
cli start "$third" "64bit encoder,morse,Caesar cipher" "${options[@]}" --join-timeout 60
for _ in 1 2; do printf 'hello world\nthe quick brown fox\n' | cli app --leader "127.0.0.1:$leader"; done
cli chgcap "$second" + "64bit encoder" --leader "127.0.0.1:$leader"
cli status --leader "127.0.0.1:$leader"
cli status --json --leader "127.0.0.1:$leader"
cli events --leader "127.0.0.1:$leader"
printf 'after the change\n' | cli app --leader "127.0.0.1:$leader"
cli stop "$third" "$second" "$leader" --leader "127.0.0.1:$leader" --state-dir "$work/state"
# The bench stops its nodes; callgrind writes each node's file as it exits.
for _ in $(seq 300); do
    alive=; for pid in $(cut -d'|' -f1 "$work/nodes"); do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ -z "$alive" ] && break; sleep 0.1
done
ls "$work"/cg.* >/dev/null 2>&1 || { echo "function-order: no callgrind output" >&2; cat "$work/bench.log" >&2; exit 1; }
python3 - "$work/bin/node" "$work"/cg.* > Link/ensemble-node.order <<'PY'
import sys
# Self instructions per function of the node binary, summed over every node's file. A cost line
# after `calls=` is the call's inclusive cost, which belongs to the callee.
node, files = sys.argv[1], sys.argv[2:]
cost = {}
for path in files:
    obj = fn = None
    after_call = False
    with open(path, errors="replace") as f:
        for line in f:
            if line.startswith("ob="):
                obj = line[3:].strip()
            elif line.startswith("fn="):
                fn = line[3:].strip() if obj == node else None
                if fn is not None:
                    cost.setdefault(fn, 0)
            elif line.startswith("calls="):
                after_call = True
            elif line[:1].isdigit() or line[:1] in "+-*":
                if after_call:
                    after_call = False
                elif fn is not None:
                    parts = line.split()
                    if len(parts) >= 2:
                        cost[fn] += int(parts[1])
seen = set()
for name, _ in sorted(cost.items(), key=lambda item: (-item[1], item[0])):
    name = name.split("'")[0]  # callgrind's recursion-depth suffix
    if name and not name.startswith("0x") and name not in seen:
        seen.add(name)
        print(".text." + name)
PY
count=$(wc -l < Link/ensemble-node.order)
echo "function-order: $count functions in Link/ensemble-node.order" >&2
[ "$count" -gt 1000 ] || { echo "function-order: too few functions; the bench's log:" >&2; tail -20 "$work/bench.log" >&2; exit 1; }
