#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The environment a node process starts with: the starting process's own, with glibc's
/// per-thread cache of freed blocks made deep enough for a node's bursts of mail.
///
/// glibc keeps 7 freed blocks of each size per thread by default. A node frees a batch of
/// envelopes, arrays and messages of one size at a time (64 requests in flight free hundreds),
/// so most blocks overflowed that cache into the shared bins, and most allocations then took
/// `malloc`'s slow path: callgrind put 15 % of the leader's instructions per request at 64 in
/// flight in `malloc` and `free`. 128 a size keeps them in the cache (`docs/decisions.md`,
/// "A deeper allocation cache"). glibc reads its tunables only when a process starts, so the
/// command that starts a node sets them; a value the user set already is kept.
public enum NodeEnvironment {
    /// The glibc tunable a node is started with.
    public static let allocationCacheTunable = "glibc.malloc.tcache_count=128"

    /// `current` (lines of `NAME=value`) with `GLIBC_TUNABLES` naming the allocation cache's
    /// depth: added to the user's tunables, unless they set that one themselves.
    public static func environment(_ current: [String]) -> [String] {
        let prefix = "GLIBC_TUNABLES="
        guard let index = current.firstIndex(where: { $0.hasPrefix(prefix) }) else {
            return current + [prefix + allocationCacheTunable]
        }
        let tunables = current[index].dropFirst(prefix.count)
        let name = allocationCacheTunable.prefix { $0 != "=" }
        if tunables.split(separator: ":").contains(where: { $0.hasPrefix(name + "=") }) { return current }
        var lines = current
        lines[index] = prefix + (tunables.isEmpty ? "" : tunables + ":") + allocationCacheTunable
        return lines
    }

    /// This process's environment, as `NAME=value` lines.
    public static var current: [String] {
        var lines: [String] = []
        var pointer = environ
        while let entry = pointer.pointee {
            lines.append(String(cString: entry))
            pointer += 1
        }
        return lines
    }

    /// This process's environment as a node should start with it.
    public static var forNode: [String] { environment(current) }
}
