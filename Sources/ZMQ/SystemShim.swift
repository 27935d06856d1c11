import CZMQ

/// The few system calls Swift's Glibc module does not expose, reached through
/// the CZMQ shim so that no other module imports C headers.
public enum SystemShim {
    /// A non-blocking, close-on-exec eventfd, or -1 with `errno` set.
    public static func makeEventFD() -> Int32 { ensemble_eventfd() }

    /// The current thread's errno.
    public static var errno: Int32 { ensemble_errno() }

    /// Limits glibc's malloc to `arenas` arenas (`mallopt(M_ARENA_MAX)`); false when refused.
    @discardableResult
    public static func limitMallocArenas(_ arenas: Int32) -> Bool { ensemble_limit_malloc_arenas(arenas) != 0 }

    /// Gives the whole pages of malloc's free chunks back to the system (`malloc_trim(0)`):
    /// glibc keeps what was freed inside its heap resident for the next allocation, and only
    /// the top of the heap is given back by itself. True when any page was given back.
    @discardableResult
    public static func returnFreeMemory() -> Bool { ensemble_return_free_memory() != 0 }

    /// Raises this process's soft limit on open descriptors to its hard limit, at most `most`
    /// (a process that links to many peers needs a descriptor per connection); returns the soft
    /// limit in force afterwards, or nil when it cannot be read.
    @discardableResult
    public static func raiseFileLimit(atMost most: Int) -> Int? {
        let limit = ensemble_raise_file_limit(most)
        return limit < 0 ? nil : limit
    }

    /// Names a thread (at most 15 bytes), for profilers and `top -H`.
    public static func nameThread(_ thread: pthread_t, _ name: String) {
        _ = ensemble_name_thread(thread, String(name.utf8.prefix(15)) ?? "ensemble")
    }

    /// The calling thread's kernel id (as in `/proc/self/task`).
    public static func threadID() -> Int32 { ensemble_thread_id() }

    /// The CPU time `thread` has used, in nanoseconds; nil when it cannot be read.
    public static func cpuNanoseconds(of thread: pthread_t) -> Int64? {
        let nanoseconds = ensemble_thread_cpu_ns(thread)
        return nanoseconds < 0 ? nil : Int64(nanoseconds)
    }

    /// glibc's `POSIX_SPAWN_SETSID` flag: start the child in a new session.
    public static var spawnSetSIDFlag: Int16 { ensemble_spawn_setsid_flag() }

    /// Adds "close every descriptor from `lowest` up" to spawn file actions.
    public static func addCloseFrom(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ lowest: Int32) -> Int32 {
        ensemble_spawn_closefrom(actions, lowest)
    }
}
