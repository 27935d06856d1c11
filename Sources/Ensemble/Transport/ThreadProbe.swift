import ZMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// What the I/O standby asks of the thread that runs the loop: the CPU time it has used, and
/// whether it is runnable. A job that holds the loop while its thread computes or sleeps is
/// taken over; one whose thread only waits for a CPU (a loaded machine) is not, since taking
/// the loop over would not get it one sooner.
struct ThreadProbe: Sendable, Equatable {
    let thread: UInt
    let kernelID: Int32

    /// The calling thread's.
    static func current() -> ThreadProbe {
        ThreadProbe(thread: UInt(pthread_self()), kernelID: SystemShim.threadID())
    }

    /// CPU time used so far; nil when it cannot be read.
    var cpuNanoseconds: Int64? { SystemShim.cpuNanoseconds(of: pthread_t(thread)) }

    /// Whether the thread is running or waiting for a CPU (state R in `/proc`); nil when unreadable.
    var isRunnable: Bool? {
        let path = "/proc/self/task/\(kernelID)/stat"
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 512)
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard count > 0 else { return nil }
        // "tid (name) S ...": the name may hold spaces and parentheses, the state follows the last ")".
        let text = buffer[..<count]
        guard let close = text.lastIndex(of: UInt8(ascii: ")")), close + 2 < count else { return nil }
        return text[close + 2] == UInt8(ascii: "R")
    }
}
