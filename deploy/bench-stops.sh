# Sourced by deploy/callgrind-bench.sh and deploy/c1-threads.sh: `ensemble bench` under gdb,
# stopped in cpuTime(), which the bench calls right before and after each of its c1, c64 and
# tell phases (stops 1 and 2, 3 and 4, 5 and 6), where HOOK runs with the stop's number and
# writes it to WORK/stops when it is done. gdb kills the bench at stop LAST.

# Starts the bench in the background (gdb's pid in `gdbpid`, its output in WORK/bench.log);
# fails when ENSEMBLE lacks the bench's cpuTime().
#   start_bench_with_stops WORK ENSEMBLE HOOK LAST [BENCH OPTION ...]
start_bench_with_stops() {
    local work=$1 ensemble=$2 hook=$3 last=$4 symbol
    shift 4
    symbol=$(nm "$ensemble" | awk '/BenchCluster.*sumOverThreads.*cpuTime/ && !n++ { print $3 }')
    [ -n "$symbol" ] || return 1
    printf '%s\n' 'set pagination off' 'set startup-with-shell off' 'set $stops = 0' "break '$symbol'" 'commands' 'silent' \
        'set $stops = $stops + 1' "eval \"shell $hook %d\", \$stops" "if \$stops >= $last" 'kill' 'quit' 'end' 'continue' 'end' \
        'run' > "$work/gdb.cmds"
    (cd "$work" && exec gdb -batch -nx -x "$work/gdb.cmds" --args "$ensemble" bench "$@") > "$work/bench.log" 2>&1 &
    gdbpid=$!
}

# Waits until the hook has written stop LAST; fails with one line (NAME: ...) when the bench
# ended before, or after LIMIT seconds.
#   wait_for_stop WORK LAST LIMIT NAME
wait_for_stop() {
    local work=$1 last=$2 limit=$3 name=$4 began
    began=$(date +%s)
    while [ "$(cat "$work/stops" 2>/dev/null)" != "$last" ]; do
        kill -0 "$gdbpid" 2>/dev/null || { echo "$name: the bench ended early (log: $work/bench.log)" >&2; return 1; }
        [ $(( $(date +%s) - began )) -lt "$limit" ] || { echo "$name: gave up after $limit s (log: $work/bench.log)" >&2; return 1; }
        sleep 1
    done
}
