import Synchronization

/// Requests waiting for their replies, by correlation id, each with a deadline.
final class PendingReplies: Sendable {
    private struct Waiter {
        var continuation: CheckedContinuation<Envelope, any Error>
        var timer: Task<Void, Never>?
        var destination: NodeAddress?
    }

    private let waiters = Mutex<[UInt64: Waiter]>([:])
    private let nextID = Atomic<UInt64>(1)

    /// A fresh correlation id (never 0).
    func makeID() -> UInt64 {
        nextID.wrappingAdd(1, ordering: .relaxed).oldValue
    }

    /// Registers `id`, runs `send`, and waits for the reply or `timeout`.
    func wait(
        for id: UInt64, timeout: Duration, destination: NodeAddress? = nil, what: @autoclosure () -> String,
        send: () -> Void
    ) async throws -> Envelope {
        let description = what()
        return try await withCheckedThrowingContinuation { continuation in
            waiters.withLock { $0[id] = Waiter(continuation: continuation, timer: nil, destination: destination) }
            let timer = Task { [weak self] in
                try? await Task.sleep(for: timeout)
                guard !Task.isCancelled else { return }
                self?.fail(id, EnsembleError.timeout(description))
            }
            let registered = waiters.withLock { table -> Bool in
                guard table[id] != nil else { return false }
                table[id]!.timer = timer
                return true
            }
            if !registered { timer.cancel() }
            send()
        }
    }

    /// Hands `envelope` to whoever waits for its correlation id; false when nobody does.
    @discardableResult
    func resolve(_ envelope: Envelope) -> Bool {
        guard let waiter = waiters.withLock({ $0.removeValue(forKey: envelope.correlationID) }) else { return false }
        waiter.timer?.cancel()
        waiter.continuation.resume(returning: envelope)
        return true
    }

    /// Fails one waiter.
    func fail(_ id: UInt64, _ error: any Error) {
        guard let waiter = waiters.withLock({ $0.removeValue(forKey: id) }) else { return }
        waiter.timer?.cancel()
        waiter.continuation.resume(throwing: error)
    }

    /// Fails every request waiting on `destination` (that node is gone).
    func failAll(to destination: NodeAddress, _ error: any Error) {
        let gone = waiters.withLock { table -> [Waiter] in
            let ids = table.filter { $0.value.destination == destination }.map(\.key)
            return ids.compactMap { table.removeValue(forKey: $0) }
        }
        for waiter in gone {
            waiter.timer?.cancel()
            waiter.continuation.resume(throwing: error)
        }
    }

    /// Fails every waiter (shutdown).
    func failAll(_ error: any Error) {
        let all = waiters.withLock { table -> [Waiter] in
            defer { table.removeAll() }
            return Array(table.values)
        }
        for waiter in all {
            waiter.timer?.cancel()
            waiter.continuation.resume(throwing: error)
        }
    }
}
