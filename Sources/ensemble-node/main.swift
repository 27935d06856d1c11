import NodeLauncher

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

runNode(Array(CommandLine.arguments.dropFirst()))
