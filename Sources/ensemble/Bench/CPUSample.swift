import Ensemble

#if canImport(Glibc)
import Glibc
#endif

/// CPU time used so far by some processes, by process and by kind of thread, and the kernel's
/// part of it: where a request's CPU goes (which node, the client, libzmq's threads, the kernel).
struct CPUSample {
    /// Each process's CPU time (every thread's, from `schedstat`: exact, not in clock ticks).
    var byProcess: [pid_t: Duration] = [:]
    /// The part spent in libzmq's own threads (`ZMQbg/…`: its I/O and reaper threads).
    var libzmq: Duration = .zero
    /// The part spent in the kernel, from the processes' `stat` (clock ticks, 10 ms each).
    var kernel: Duration = .zero

    /// Reads `pids` now (a process that is gone counts nothing).
    init(_ pids: [pid_t]) {
        for pid in pids {
            var total = Duration.zero
            for thread in directoryEntries("/proc/\(pid)/task") {
                let nanoseconds = readSmallFile("/proc/\(pid)/task/\(thread)/schedstat")?
                    .split(separator: " ").first.flatMap { Int64($0) } ?? 0
                total += .nanoseconds(nanoseconds)
                if readSmallFile("/proc/\(pid)/task/\(thread)/comm")?.hasPrefix("ZMQbg") == true {
                    libzmq += .nanoseconds(nanoseconds)
                }
            }
            byProcess[pid] = total
            kernel += Self.kernelTime(of: pid)
        }
    }

    private init() {}

    /// What was used between `earlier` and this sample.
    func since(_ earlier: CPUSample) -> CPUSample {
        var difference = CPUSample()
        for (pid, time) in byProcess { difference.byProcess[pid] = time - (earlier.byProcess[pid] ?? .zero) }
        difference.libzmq = libzmq - earlier.libzmq
        difference.kernel = kernel - earlier.kernel
        return difference
    }

    /// The kernel's part of `pid`'s CPU time so far: `stime`, the 15th field of `/proc/PID/stat`
    /// (counted after the command's name, which is in parentheses and may hold spaces).
    private static func kernelTime(of pid: pid_t) -> Duration {
        guard let stat = readSmallFile("/proc/\(pid)/stat"), let close = stat.lastIndex(of: ")") else { return .zero }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After the name: state is field 3, so stime (field 15) is the 13th here.
        guard fields.count > 12, let ticks = Int64(fields[12]) else { return .zero }
        let perSecond = Int64(sysconf(Int32(_SC_CLK_TCK)))
        return perSecond > 0 ? .milliseconds(ticks * 1000 / perSecond) : .zero
    }
}
