import Synchronization

/// The messages that reached a client and were not answers to `ask`, in arrival
/// order, for one reader at a time.
///
/// A queue under a lock with at most one waiting reader. `AsyncStream` did the same
/// job, but its generic code is not specialized outside the standard library and
/// looked up type metadata at every message: about a third of a busy client's time.
final class ClientInbox: Sendable {
    private struct State {
        var queue: [ReceivedMessage] = []
        var head = 0
        var waiter: CheckedContinuation<ReceivedMessage?, Never>?
        var finished = false
    }

    private let state = Mutex(State())
    /// Beyond this many unread messages, new ones are dropped (the oldest are kept).
    let limit: Int

    init(limit: Int = 100_000) { self.limit = limit }

    /// Whether a reader is waiting in `next()` (for tests).
    var hasWaitingReader: Bool { state.withLock { $0.waiter != nil } }

    /// Hands a message to the waiting reader, or queues it.
    func yield(_ message: ReceivedMessage) {
        let waiter = state.withLock { state -> CheckedContinuation<ReceivedMessage?, Never>? in
            guard !state.finished else { return nil }
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            if state.queue.count - state.head < limit { state.queue.append(message) }
            return nil
        }
        waiter?.resume(returning: message)
    }

    /// No more messages: a waiting reader, and every later one, gets nil once the queue is read.
    func finish() {
        let waiter = state.withLock { state -> CheckedContinuation<ReceivedMessage?, Never>? in
            state.finished = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }

    /// The next message; nil once finished and read, or when the reading task is cancelled.
    ///
    /// A message already queued is taken without suspending: a busy reader pays for no
    /// continuation or cancellation record per message.
    func next() async -> ReceivedMessage? {
        if let ready = state.withLock({ Self.take(from: &$0) }) { return ready }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let ready = state.withLock { state -> ReceivedMessage?? in
                    if let ready = Self.take(from: &state) { return ready }
                    state.waiter = continuation
                    return .none
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<ReceivedMessage?, Never>? in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(returning: nil)
        }
    }

    /// The oldest queued message; `.some(nil)` when finished or the reader is cancelled; nil to wait.
    private static func take(from state: inout State) -> ReceivedMessage?? {
        if state.head < state.queue.count {
            let message = state.queue[state.head]
            state.head += 1
            if state.head == state.queue.count {
                state.queue.removeAll(keepingCapacity: state.queue.capacity <= 1024)
                state.head = 0
            }
            return .some(message)
        }
        if state.finished || Task.isCancelled { return .some(nil) }
        return nil
    }
}

/// The messages actors sent to a client (`EnsembleClient.messages`), read with `for await`.
///
/// One reader at a time. Cancelling the reading task ends that reader's loop only:
/// a later loop goes on with the messages that came meanwhile.
public struct ClientMessages: AsyncSequence, Sendable {
    public typealias Element = ReceivedMessage
    public typealias Failure = Never

    let inbox: ClientInbox

    /// Reads the client's messages in arrival order.
    public struct AsyncIterator: AsyncIteratorProtocol {
        public typealias Element = ReceivedMessage
        public typealias Failure = Never

        let inbox: ClientInbox

        /// The next message; nil when the client closed or the reading task was cancelled.
        public mutating func next() async -> ReceivedMessage? { await inbox.next() }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(inbox: inbox) }
}
