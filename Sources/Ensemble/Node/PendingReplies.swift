import Synchronization

/// Requests waiting for their replies, by correlation id, each with a deadline.
///
/// Correlation ids are random 64-bit numbers, so an id seen on one connection
/// says nothing about the next; and a reply is taken only from the node the
/// request went to (`resolve(_:from:)`).
final class PendingReplies: Sendable {
    private struct Waiter {
        var continuation: CheckedContinuation<Envelope, any Error>
        var timer: Task<Void, Never>?
        /// The node life the request went to (incarnation 0: whichever life answers at that address).
        var destination: NodeID?
    }

    private let waiters = Mutex<[UInt64: Waiter]>([:])

    /// A fresh random correlation id (never 0).
    func makeID() -> UInt64 {
        var generator = SystemRandomNumberGenerator()
        return UInt64.random(in: 1...UInt64.max, using: &generator)
    }

    /// Registers `id`, runs `send`, and waits for the reply or `timeout`; a cancelled task
    /// stops waiting at once with `CancellationError` (a reply that comes later is dropped).
    func wait(
        for id: UInt64, timeout: Duration, destination: NodeID? = nil, what: @autoclosure () -> String,
        send: () -> Void
    ) async throws -> Envelope {
        let description = what()
        return try await withTaskCancellationHandler {
            try await register(id, timeout: timeout, destination: destination, description: description, send: send)
        } onCancel: {
            fail(id, CancellationError())
        }
    }

    private func register(
        _ id: UInt64, timeout: Duration, destination: NodeID?, description: String, send: () -> Void
    ) async throws -> Envelope {
        try await withCheckedThrowingContinuation { continuation in
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
            // Cancelled before the waiter was in the table: the cancellation handler found nothing to fail.
            if Task.isCancelled {
                fail(id, CancellationError())
                return
            }
            send()
        }
    }

    /// Whether a request with correlation id `id` waits for its reply.
    func isWaiting(for id: UInt64) -> Bool { waiters.withLock { $0[id] != nil } }

    /// Hands `envelope` to whoever waits for its correlation id, if it came from the node the
    /// request went to (`source`; nil where only that node can answer: a client's one
    /// connection to its gateway); false when nobody waits for it from there.
    @discardableResult
    func resolve(_ envelope: Envelope, from source: NodeID? = nil) -> Bool {
        let taken = waiters.withLock { table -> Waiter? in
            guard let waiter = table[envelope.correlationID] else { return nil }
            if let source, let destination = waiter.destination {
                guard source.address == destination.address,
                    destination.incarnation == 0 || destination.incarnation == source.incarnation
                else { return nil }
            }
            return table.removeValue(forKey: envelope.correlationID)
        }
        guard let waiter = taken else { return false }
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

    /// Fails every request waiting on the node at `destination` (that node is gone).
    func failAll(to destination: NodeAddress, _ error: any Error) {
        let gone = waiters.withLock { table -> [Waiter] in
            let ids = table.filter { $0.value.destination?.address == destination }.map(\.key)
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
