import ZMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A POSIX semaphore one thread sleeps on until another posts it: how an idle
/// `ActorExecutor` worker blocks (in the kernel, never spinning).
///
/// `@unchecked Sendable`: POSIX documents `sem_post`, `sem_wait` and
/// `sem_timedwait` as safe to call from any thread at once (`sem_post` even from
/// a signal handler); the pointer is allocated once and freed in `deinit`.
final class ThreadSemaphore: @unchecked Sendable {
    private let semaphore: UnsafeMutablePointer<sem_t>

    init() {
        semaphore = .allocate(capacity: 1)
        // Not shared between processes, starting at 0: `sem_init` fails only for a value above SEM_VALUE_MAX.
        _ = sem_init(semaphore, 0, 0)
    }

    deinit {
        sem_destroy(semaphore)
        semaphore.deallocate()
    }

    /// Wakes the thread sleeping on it (or lets its next wait return at once).
    func post() {
        // Fails only when the count would pass SEM_VALUE_MAX, which one post per wake-up never nears.
        _ = sem_post(semaphore)
    }

    /// Sleeps until posted (an interrupting signal is retried).
    func wait() {
        while sem_wait(semaphore) != 0 {
            guard SystemShim.errno == EINTR else { return }
        }
    }

    /// Sleeps until posted or until `nanoseconds` pass; true when posted.
    func wait(nanoseconds: Int) -> Bool {
        var deadline = timespec()
        // `sem_timedwait` takes a CLOCK_REALTIME deadline; a clock step only shortens or stretches one short wait.
        clock_gettime(CLOCK_REALTIME, &deadline)
        let total = deadline.tv_nsec + nanoseconds
        deadline.tv_sec += total / 1_000_000_000
        deadline.tv_nsec = total % 1_000_000_000
        while sem_timedwait(semaphore, &deadline) != 0 {
            // ETIMEDOUT (or EINVAL, which a deadline built here cannot be): not posted.
            guard SystemShim.errno == EINTR else { return false }
        }
        return true
    }
}
