#!/usr/bin/env bash
# Where a c1 encode request's CPU time and system calls go, thread by thread: in Ensemble (the
# bench's c1 phase: its client and its three nodes) and in the libzmq model of the same
# pipeline (Sources/CZMQFloor/pipeline_floor.c). perf stat --per-thread counts each thread's
# task-clock, context switches and system calls (all, getpid and poll: libzmq's check of a
# socket's mailbox) while the requests run; each is divided by the requests in the window.
#   deploy/c1-threads.sh DIR      # DIR: a release build's `ensemble` and `ensemble-node`
#   REQUESTS=5000 deploy/c1-threads.sh DIR    # the model's requests (3,000; the bench's c1 is 3,000)
# gdb stops the bench in cpuTime(), which it calls right before and after its c1 phase; perf
# counts the processes between the two stops. The model runs as a command of its own (built
# here with cc) and is counted for its whole run, its 200 warm-up requests included. Both
# carry perf's own overhead; compare them with each other, not with `ensemble bench`.
# Needs perf (with the kernel's tracepoints), gdb, cc, libzmq3-dev and python3; about a minute.
set -euo pipefail
usage() { echo "usage: deploy/c1-threads.sh DIR (a release build's ensemble and ensemble-node)" >&2; exit 2; }
[ $# -eq 1 ] && [ -x "${1:-}/ensemble" ] && [ -x "$1/ensemble-node" ] || usage
for tool in perf gdb cc pkg-config python3 nm; do
    command -v "$tool" >/dev/null || { echo "c1-threads: $tool is needed" >&2; exit 1; }
done
. "$(dirname "$0")/callgrind-nodes.sh"
. "$(dirname "$0")/bench-stops.sh"
src=$(cd "$1" && pwd) here=$(cd "$(dirname "$0")" && pwd) work=$(mktemp -d /tmp/ensemble-c1-threads.XXXXXX)
requests=3000 modelRequests=${REQUESTS:-3000} events=task-clock,context-switches,raw_syscalls:sys_enter,syscalls:sys_enter_getpid,syscalls:sys_enter_poll
gdbpid= modelpid=
cleanup() {  # the bench (gdb's child), the model, then the nodes by pid; their state dirs
    set +e
    [ -n "$gdbpid" ] && { for pid in $(pgrep -P "$gdbpid"); do kill -9 "$pid"; done; kill "$gdbpid"; wait "$gdbpid"; } 2>/dev/null
    [ -n "$modelpid" ] && kill -9 "$modelpid" 2>/dev/null
    pkill -INT -f "perf stat --per-thread -e $events" 2>/dev/null
    stop_recorded_nodes "$work" 5
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
perf stat -e "$events" true >/dev/null 2>&1 || { echo "c1-threads: perf cannot count $events here" >&2; exit 1; }

mkdir "$work/bin"
cp "$src/ensemble" "$work/bin/ensemble"
cp "$src/ensemble-node" "$work/bin/node"
record_nodes "$work" "\"$work/bin/node\""
# Stop 1 is right before c1, stop 2 right after it.
cat > "$work/hook.sh" <<HOOK
#!/usr/bin/env bash
case \$1 in
    1) for pid in \$(cut -d'|' -f1 "$work/nodes"); do ls "/proc/\$pid/task" > "$work/tasks.\$pid"; done
       pids=\$(cut -d'|' -f1 "$work/nodes" | paste -sd,)
       bench=\$(pgrep -f "^$work/bin/ensemble bench" | head -1)
       (perf stat --per-thread -e $events -x '|' -o "$work/ensemble.stat" -p "\$pids,\$bench" >/dev/null 2>&1 &)
       sleep 0.5 ;;
    2) pkill -INT -f "perf stat --per-thread -e $events"; sleep 1 ;;
esac
echo "\$1" > "$work/stops"
HOOK
chmod +x "$work/hook.sh"
start_bench_with_stops "$work" "$work/bin/ensemble" "$work/hook.sh" 2 ||
    { echo "c1-threads: $src/ensemble lacks the bench's cpuTime()" >&2; exit 1; }
wait_for_stop "$work" 2 600 c1-threads || { tail -5 "$work/bench.log" >&2; exit 1; }
wait "$gdbpid" 2>/dev/null || true
gdbpid=

cc -O2 -DENSEMBLE_PIPELINE_FLOOR_MAIN -I"$here/../Sources/CZMQFloor/include" -o "$work/pipeline-floor" \
    "$here/../Sources/CZMQFloor/pipeline_floor.c" $(pkg-config --cflags --libs libzmq) -lpthread
"$work/pipeline-floor" "$modelRequests" 1 > "$work/model.out" &
modelpid=$!
perf stat --per-thread -e "$events" -x '|' -o "$work/model.stat" -p "$modelpid" >/dev/null 2>&1 &
statpid=$!
wait "$modelpid"
modelpid=
wait "$statpid" 2>/dev/null || true

python3 - "$work" "$requests" "$modelRequests" <<'EOF'
import collections, sys
work, requests, model_requests = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
role = {}  # a node's thread id: whose loop it is
for line in open(f"{work}/nodes"):
    pid, caps, _ = line.split("|")
    for tid in open(f"{work}/tasks.{pid}").read().split():
        role[tid] = "the leader's" if not caps else "the members'"
def read(path):  # per thread: {event: value}; a thread is "name-tid"
    threads = collections.defaultdict(dict)
    for line in open(path):
        fields = line.strip().split("|")
        if len(fields) < 4 or not fields[0] or fields[0].startswith("#"): continue
        try: value = float(fields[1])
        except ValueError: continue
        threads[fields[0]][fields[3] if fields[3] else fields[2]] = value
    return threads
def show(title, rows, count):
    print(f"\n{title} (per request, {count} requests)")
    print(f"  {'threads':<34}{'CPU us':>8}{'switches':>10}{'syscalls':>10}{'getpid':>8}{'poll':>6}")
    for name, e in rows:
        print(f"  {name:<34}{e.get('task-clock', 0) * 1000 / count:>8.1f}{e.get('context-switches', 0) / count:>10.1f}"
              f"{e.get('raw_syscalls:sys_enter', 0) / count:>10.1f}{e.get('syscalls:sys_enter_getpid', 0) / count:>8.1f}"
              f"{e.get('syscalls:sys_enter_poll', 0) / count:>6.1f}")
def group(threads, key):
    out = collections.OrderedDict()
    for thread, e in threads.items():
        k = key(thread)
        if k is None: continue
        acc = out.setdefault(k, collections.Counter())
        for name, v in e.items(): acc[name] += v
    return sorted(out.items(), key=lambda item: -item[1].get("task-clock", 0))
ensemble = read(f"{work}/ensemble.stat")
# Threads are named by kind: a node's loop and standby "ensemble-io", the client's "ensemble-client",
# libzmq's "ZMQbg/IO/0"; the Swift runtime's pools by their queue names.
def ensemble_kind(thread):
    name = thread.rsplit("-", 1)[0]
    if name.startswith("ZMQbg"): return "libzmq's I/O threads (all)"
    if name == "ensemble-client": return "the client's loop"
    if name == "ensemble-io": return f"{role.get(thread.rsplit('-', 1)[1], 'a node')} loop and standby"
    return "others (Swift's pools, timers)"
model = read(f"{work}/model.stat")
def model_kind(thread):
    return "libzmq's I/O threads (all)" if thread.startswith("ZMQbg") else "client, leader and members"
show("Ensemble: the bench's c1 phase", group(ensemble, ensemble_kind), requests)
show("the model: pipeline_floor.c, its warm-up included", group(model, model_kind), model_requests + 200)
print("\n" + open(f"{work}/model.out").read().strip())
EOF
