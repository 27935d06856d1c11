# Sourced by deploy/callgrind-bench.sh, deploy/function-order.sh and deploy/c1-threads.sh: a
# bench whose nodes are recorded, and run under callgrind or as they are. Each node started
# through WORK/bin/ensemble-node appends pid|capabilities|state dir to WORK/nodes.

# Puts a wrapper in WORK/bin/ensemble-node that records the node and runs LAUNCH (a command
# line, written as it is into the wrapper) with the node's arguments.
#   record_nodes WORK LAUNCH
record_nodes() {
    local work=$1 launch=$2
    cat > "$work/bin/ensemble-node" <<WRAPPER
#!/bin/sh
# Records pid|capabilities|state dir (arguments: PORT CAPS ... --state-dir DIR ...).
dir=; previous=; for a in "\$@"; do [ "\$previous" = --state-dir ] && dir=\$a; previous=\$a; done
echo "\$\$|\$2|\$dir" >> "$work/nodes"
exec $launch "\$@"
WRAPPER
    chmod +x "$work/bin/ensemble-node"
}

# Copies DIR's ensemble and ensemble-node into WORK/bin without their DWARF 5 (valgrind 3.19
# cannot read it) and puts a wrapper in the node's place that runs it under callgrind with the
# options given, writing WORK/cg.PID.
#   run_nodes_under_callgrind WORK DIR [CALLGRIND OPTION ...]
run_nodes_under_callgrind() {
    local work=$1 src=$2
    shift 2
    mkdir "$work/bin"
    objcopy --strip-debug "$src/ensemble" "$work/bin/ensemble"
    objcopy --strip-debug "$src/ensemble-node" "$work/bin/node"
    record_nodes "$work" "valgrind --tool=callgrind $* --callgrind-out-file=\"$work/cg.%p\" --log-file=\"$work/valgrind.%p.log\" \"$work/bin/node\""
}

# Stops the nodes WORK/nodes names by pid, politely (SIGTERM; callgrind writes its file as a node
# exits) for at most SECONDS, then with SIGKILL; removes the bench's state directories.
#   stop_recorded_nodes WORK SECONDS
stop_recorded_nodes() {
    local work=$1 seconds=$2 pids alive pid dir
    pids=$(cut -d'|' -f1 "$work/nodes" 2>/dev/null)
    for pid in $pids; do kill -TERM "$pid" 2>/dev/null; done
    for _ in $(seq $((seconds * 10))); do
        alive=; for pid in $pids; do kill -0 "$pid" 2>/dev/null && alive=1; done
        [ -z "$alive" ] && break; sleep 0.1
    done
    for pid in $pids; do kill -9 "$pid" 2>/dev/null; done
    for dir in $(cut -d'|' -f3 "$work/nodes" 2>/dev/null | sort -u); do
        case "$dir" in /tmp/ensemble-bench.*) rm -rf "$dir" ;; esac
    done
}
