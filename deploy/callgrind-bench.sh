#!/usr/bin/env bash
# Instructions (callgrind's Ir) per message on the nodes of `ensemble bench --quick`, per node and
# thread: per encode request at 1 and 64 in flight, per tell from one member (a) to the other (b).
#   deploy/callgrind-bench.sh DIR      # DIR: a release build's `ensemble` and `ensemble-node`
# The bench runs from a private directory whose `ensemble-node` runs a copy of the node without
# its DWARF 5 (valgrind 3.19 cannot read it) under callgrind. gdb stops the bench in cpuTime(),
# which it calls right before and after its c1, c64 and tell phases; there vgdb zeroes or dumps
# every node's counters once the nodes have settled, so a window holds one whole phase (counts
# checked by entries into the Acceptor's request handling, BenchSink's handler). Timers cost per second, and under
# valgrind a message lasts ~30 times longer: NodeIO.tick and the rest of an idle window's rate are
# printed apart ("timers"). The Acceptor places Rot13/Morse on either member: compare "a + b".
# About a minute; dumps and the top functions stay in the work directory it prints.
set -euo pipefail
usage() { echo "usage: deploy/callgrind-bench.sh DIR (a release build's ensemble and ensemble-node)" >&2; exit 2; }
[ $# -eq 1 ] && [ -x "${1:-}/ensemble" ] && [ -x "$1/ensemble-node" ] || usage
for tool in valgrind vgdb callgrind_annotate objcopy nm gdb python3; do
    command -v "$tool" >/dev/null || { echo "callgrind-bench: $tool is needed" >&2; exit 1; }
done
. "$(dirname "$0")/callgrind-nodes.sh"
. "$(dirname "$0")/bench-stops.sh"
src=$(cd "$1" && pwd) work=$(mktemp -d /tmp/ensemble-callgrind.XXXXXX)
settle=${SETTLE:-1} idle=${IDLE:-3} limit=${TIMEOUT:-900} gdbpid=
cleanup() {  # the bench (gdb's child), then the nodes by pid, politely for 10 s; their state dir
    set +e
    [ -n "$gdbpid" ] && { for pid in $(pgrep -P "$gdbpid"); do kill -9 "$pid"; done; kill "$gdbpid"; wait "$gdbpid"; } 2>/dev/null
    stop_recorded_nodes "$work" 10
    rm -rf "$work/bin" "$work"/vgdb-* "$work"/cg.*
}
trap cleanup EXIT
trap 'exit 1' INT TERM

run_nodes_under_callgrind "$work" "$src" --instr-atstart=no --separate-threads=yes --dump-instr=yes --compress-pos=no \
    --vgdb-prefix="$work/vgdb"
# Stop N in cpuTime: 1 before c1 (and an idle window first), 2 after it, 3 before c64, 4 after, 5 before the tells, 6 after.
cat > "$work/hook.sh" <<EOF
#!/usr/bin/env bash
each() { for pid in \$(cut -d'|' -f1 "$work/nodes"); do timeout 60 vgdb --vgdb-prefix="$work/vgdb" --pid=\$pid "\$@" >/dev/null 2>&1 & done; wait; }
keep() { mkdir -p "$work/\$1"; mv "$work"/cg.*.[0-9]*-[0-9]* "$work/\$1/"; date +%s.%N > "$work/\$1/end"; }
start() { date +%s.%N > "$work/\$1.start"; }
case \$1 in
    1) each instrumentation on; sleep $settle; each zero; start idle; sleep $idle; each dump; keep idle; start c1 ;;
    3) each zero; start c64 ;;
    5) sleep $settle; each zero; start tell ;;
    2) sleep $settle; each dump; keep c1 ;;
    4) sleep $settle; each dump; keep c64 ;;
    6) sleep $settle; each dump; keep tell ;;
esac
echo "\$1" > "$work/stops"
EOF
chmod +x "$work/hook.sh"
# A handler is counted where the runtime calls it: a SynchronousActor's receiveNow, else receive.
# The Acceptor's requests: its `distribute` (its `accept` in builds before it was a SynchronousActor).
nm "$work/bin/node" | awk '/ \$s10EncoderApp8AcceptorC(10distribute|6accept).*_n$/ { print $1, "Acceptor.request" }
    / \$s12NodeLauncher9BenchSinkC8Ensemble0E5ActorAadEP7receive_.*TW$/ { async["BenchSink.receive"] = $1 }
    / \$s12NodeLauncher9BenchSinkC8Ensemble16SynchronousActorAadEP10receiveNow_.*TW$/ { sync["BenchSink.receive"] = $1 }
    / \$s10EncoderApp(0A0|0[56](Morse|Rot13|Base64)A0)C8Ensemble0.5ActorAadEP7receive_.*TW$/ {
        async[match($3, /Morse|Rot13|Base64/) ? substr($3, RSTART, RLENGTH) : "Encoder"] = $1 }
    / \$s10EncoderApp(0A0|0[56](Morse|Rot13|Base64)A0)C8Ensemble16SynchronousActorAadEP10receiveNow_.*TW$/ {
        sync[match($3, /Morse|Rot13|Base64/) ? substr($3, RSTART, RLENGTH) : "Encoder"] = $1 }
    END { for (name in async) print (name in sync ? sync[name] : async[name]), name }' > "$work/entries"
lacks() { echo "callgrind-bench: $src lacks a function this script counts" >&2; exit 1; }
[ "$(wc -l < "$work/entries")" -eq 6 ] || lacks
echo "callgrind-bench: work directory $work"
began=$(date +%s)
start_bench_with_stops "$work" "$work/bin/ensemble" "$work/hook.sh" 6 --quick || lacks
wait_for_stop "$work" 6 "$limit" callgrind-bench || exit 1
cleanup
trap - EXIT

python3 - "$work" <<'EOF'
import glob, os, re, sys
work, kinds, order = sys.argv[1], ("io", "actor", "zmq", "other"), ("leader", "a (source)", "b (sink)")
role = {}
for line in open(f"{work}/nodes"):
    pid, caps, _ = line.split("|")
    role[pid] = "leader" if not caps else ("b (sink)" if "64bit" in caps else "a (source)")
entry = {int(a, 16): what for a, what in (line.split() for line in open(f"{work}/entries"))}
def read(path):  # the thread's kind, Ir, Ir in calls of NodeIO.tick, entries into the counted functions
    names, kind, total, tick, counts, callee, after_call = {}, "other", 0, 0, {}, "", False
    for line in open(path, errors="replace"):
        if line.startswith("0x"):  # address, line, Ir (after calls=: the call's inclusive Ir)
            address, ir = int(line.split()[0], 16), int(line.split()[-1])
            if after_call: tick += ir if "6NodeIOC4tick" in callee else 0
            elif address in entry: counts[entry[address]] = counts.get(entry[address], 0) + ir
            after_call = False
        elif m := re.match(r"(c?fn)=\((\d+)\)(?: (.*))?", line):
            name = names.setdefault(m[2], (m[3] or "").strip())
            if m[1] == "cfn": callee = name
            elif "NodeIOC7runLoop" in name: kind = "io"
            elif "ActorExecutorC4work" in name: kind = "actor"
            elif "epoll_t::loop" in name or "worker_poller_base_t" in name: kind = "zmq"
        elif line.startswith("calls="): after_call = True
        elif line.startswith("summary:"): total = int(line.split()[1])
    return kind, total, tick, counts
def phase(name):  # per node: Ir and tick Ir per kind of thread, entries; the window's seconds
    out = {n: {"counts": {}, "ir": dict.fromkeys(kinds, 0), "tick": dict.fromkeys(kinds, 0)} for n in order}
    for path in glob.glob(f"{work}/{name}/cg.*"):
        kind, total, tick, counts = read(path)
        node = out[role[os.path.basename(path).split(".")[1]]]
        node["ir"][kind] += total; node["tick"][kind] += tick
        for what, n in counts.items(): node["counts"][what] = node["counts"].get(what, 0) + n
    return out, float(open(f"{work}/{name}/end").read()) - float(open(f"{work}/{name}.start").read())
idle, idle_s = phase("idle")
rate = {n: {k: (idle[n]["ir"][k] - idle[n]["tick"][k]) / idle_s for k in kinds} for n in order}
rate["a + b"] = {k: rate[order[1]][k] + rate[order[2]][k] for k in kinds}
print(f"idle window ({idle_s:.1f} s), Ir/s: " + ", ".join(f"{n} {sum(idle[n]['ir'].values()) / idle_s / 1000:.0f}k"
      f" ({sum(idle[n]['tick'].values()) / idle_s / 1000:.0f}k in NodeIO.tick)" for n in order))
for name, count, what, counter in (("c1", 300, "encode request, 1 in flight", "Acceptor.request"),
        ("c64", 3000, "encode request, 64 in flight", "Acceptor.request"), ("tell", 50000, "tell from a to b", "BenchSink.receive")):
    data, seconds = phase(name)
    entered = sum(data[n]["counts"].get(counter, 0) for n in order)
    print(f"\n{name}: Ir per {what}: {count} in {seconds:.1f} s ({counter} entered {entered} times)")
    print(f"  {'node':<11}{'per msg':>9}{'io':>9}{'actor':>9}{'zmq':>9}{'other':>9}  | {'timers':>7}" + ("  encoders" if name != "tell" else ""))
    data["a + b"] = {k: {x: data[order[1]][k][x] + data[order[2]][k][x] for x in kinds} for k in ("ir", "tick")} | {"counts": {}}
    for n in order + ("a + b",):
        d = data[n]
        timers = {k: d["tick"][k] + rate[n][k] * seconds for k in kinds}
        net = [d["ir"][k] - timers[k] for k in kinds]
        hosts = " ".join(e for e in ("Encoder", "Base64", "Rot13", "Morse") if d["counts"].get(e, 0) >= count)
        print(f"  {n:<11}" + "".join(f"{v / count / 1000:>8.1f}k" for v in [sum(net)] + net)
              + f"  | {sum(timers.values()) / count / 1000:>6.1f}k" + (f"  {hosts}" if name != "tell" else ""))
print("\nk: thousand instructions. io: the node's I/O thread; actor: its actor threads; zmq: libzmq's; other: the rest."
      "\ntimers: NodeIO.tick's calls, and the idle rate outside them times the window, per message; not in the other columns.")
EOF
leader=$(awk -F'|' '$2 == "" { print $1 }' "$work/nodes")
top="$work/leader-io-c1-top.txt"
{
    echo "# the leader's I/O thread in c1 (300 requests), timers included: Ir per request, then callgrind_annotate's line"
    for cost in self:no inclusive:yes; do
        echo "# by ${cost%:*} cost"
        callgrind_annotate --inclusive=${cost#*:} $(grep -l 'NodeIOC7runLoop' "$work"/c1/cg."$leader".*) |
            awk '/file:function/ { on = 1; next } on && $1 ~ /^[0-9,]+$/ && n++ < 15 { v = $1; gsub(",", "", v); sub(/ \[[^]]*\]$/, ""); printf "%8.0f  %s\n", v / 300, $0 }'
    done
} | { command -v swift-demangle >/dev/null && swift-demangle --simplified || cat; } > "$top"
echo "top functions of the leader's I/O thread at c1: $top"
echo "run took $(( $(date +%s) - began )) s"
