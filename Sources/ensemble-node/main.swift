import Ensemble
import NodeLauncher
import ZMQ

#if canImport(Glibc)
import Glibc
#endif

// The node process that `ensemble start` launches: a lean binary with the
// runtime and the encoder app, and no command-line parser or Foundation.
// The library's node main (`NodeMain.runFromCommandLine`, the one a node binary
// of one's own calls) with the encoder app's types, and the bench's when asked.
// It keeps `main` synchronous and the main thread waiting (see there why).

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

limitMallocArenas()
NodeMain.runFromCommandLine(program: "ensemble-node") { ForegroundNode.types(for: $0) }
