#if DEBUG
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import ZMQ

/// A failure of the loop's wait, made from outside the process in debug builds, for the test
/// that a node whose I/O thread fails exits non-zero with one line. With `poll(2)` a lowered
/// descriptor limit made the wait fail for real; an epoll wait has no such limit, and nothing
/// else outside the process can make it fail. Set `ENSEMBLE_FAILPOINT_IO_WAIT` to a path: once
/// a file is there (looked for once a load-report interval), the next wait fails as a wait that
/// found its descriptor gone would. Release builds have none of this.
extension NodeIO {
    func checkIOWaitFailpoint() {
        guard let path = ioWaitFailpoint, !ioWaitFailpointTripped else { return }
        ioWaitFailpointTripped = access(path, F_OK) == 0
    }

    func failIfTripped() throws(ZMQError) {
        if ioWaitFailpointTripped { throw ZMQError(errno: EBADF, function: "epoll_wait") }
    }
}
#endif
