import NodeLauncher
import ZMQ

#if canImport(Glibc)
import Glibc
#endif

// The node process that `ensemble start` launches: a lean binary with the
// runtime and the encoder app, and no command-line parser or Foundation.
//
// `main` is synchronous on purpose. With top-level `await` the main thread
// ends in `dispatch_main()`, whose `pthread_exit` unwinds the main thread's
// stack through the binary's unwind tables: a binary search of
// `.eh_frame_hdr` (300 kB) and a few `.eh_frame` entries, each page fault
// mapping 64 kB around it, about 0.7 MB resident per node for nothing.
// The node runs in a detached task instead (never on the main actor, whose
// queue nobody drains here) and the main thread waits.
func runNode(_ vector: [String]) -> Never {
    limitMallocArenas()
    let arguments: NodeArguments
    do {
        arguments = try NodeArguments(parsing: vector)
    } catch {
        printErrorLine("ensemble-node: \(error)")
        exit(2)
    }
    Task.detached { exit(await ForegroundNode.run(arguments)) }
    // Like the thread that `dispatch_main()` ended, this one takes no signals,
    // so SIGTERM and SIGINT still reach the signal sources that wait for them.
    var signals = sigset_t()
    sigfillset(&signals)
    pthread_sigmask(SIG_BLOCK, &signals, nil)
    while true { pause() }
}

/// One malloc arena for the whole process, unless `MALLOC_ARENA_MAX` says otherwise.
///
/// glibc gives each thread that allocates an arena of its own, and memory freed
/// in one stays there: with the actor threads a node had two arenas more, about
/// 0.45 MB more resident after the bench's c64 load, which took `rss_mb_cluster`
/// past its 45 MB target. Small blocks come from each thread's tcache without the
/// arena's lock, so one arena costs no CPU the bench can see (five rounds:
/// c64 CPU per request +1 %, within the noise; 0.5 MB less for the cluster).
func limitMallocArenas() {
    guard getenv("MALLOC_ARENA_MAX") == nil else { return }
    // Refused only by a libc without the option, which then keeps its own policy.
    SystemShim.limitMallocArenas(1)
}

runNode(Array(CommandLine.arguments.dropFirst()))
