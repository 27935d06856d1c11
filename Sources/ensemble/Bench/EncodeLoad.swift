import EncoderApp
import Ensemble
import Synchronization

/// Encode requests in flight on one client, matched to their answers by request id.
///
/// A run keeps its requests in flight as a closed loop driven by the client's message
/// handler: the answer that completes a request sends the next one on the spot, on the
/// client's I/O thread. No task waits per request, so the load generator, which shares
/// the machine's two cores with the nodes it measures, spends on bookkeeping what it
/// must and no more.
final class EncodeLoad: Sendable {
    /// The encoders a request expects and those that reported, as bits of
    /// `Acceptor.encoderTypes` indices. Plain values only (it is updated at every
    /// answer): no strings kept or compared, and a waiting caller is kept apart.
    private struct InFlight {
        /// Set by the dispatch notice.
        var expected: UInt8?
        var reported: UInt8 = 0
        var start: ContinuousClock.Instant
        var deadline: ContinuousClock.Instant

        var isComplete: Bool { expected.map { $0 & ~reported == 0 } ?? false }
    }

    /// The run under way: what is left to send and what came back.
    private struct Run {
        var text: String
        var timeout: Duration
        var unsent: Int
        var inFlight: Int
        var latencies: [Duration] = []
        var done: CheckedContinuation<[Duration], Never>
    }

    private struct State {
        var requests: [UInt64: InFlight] = [:]
        /// The callers of `encode(_:timeout:)`, each waiting for its one request.
        var callers: [UInt64: CheckedContinuation<Bool, Never>] = [:]
        var run: Run?
        var nextID: UInt64 = 1

        mutating func register(caller: CheckedContinuation<Bool, Never>?, timeout: Duration) -> UInt64 {
            let id = nextID
            nextID += 1
            let now = ContinuousClock.now
            requests[id] = InFlight(start: now, deadline: now + timeout)
            if let caller { callers[id] = caller }
            return id
        }

        /// Takes request `id` out; its caller is answered, or a run's request is replaced by
        /// the next while some are unsent, or the run ends with its last.
        mutating func end(_ id: UInt64, completed: Bool) -> Aftermath {
            guard let entry = requests.removeValue(forKey: id) else { return .none }
            if let caller = callers.removeValue(forKey: id) { return .resume(caller, completed) }
            // Changed in place: a copy of the run would copy its latencies at every answer.
            guard run != nil else { return .none }
            if completed { run!.latencies.append(ContinuousClock.now - entry.start) }
            if run!.unsent > 0 {
                run!.unsent -= 1
                return .send(register(caller: nil, timeout: run!.timeout), run!.text)
            }
            run!.inFlight -= 1
            guard run!.inFlight == 0, let finished = run else { return .none }
            run = nil
            return .finish(finished.done, finished.latencies)
        }
    }

    /// What ending a request leaves to do outside the lock.
    private enum Aftermath {
        case none
        case resume(CheckedContinuation<Bool, Never>, Bool)
        case send(UInt64, String)
        case finish(CheckedContinuation<[Duration], Never>, [Duration])
    }

    private static let encoderNames = Acceptor.encoderTypes.map { $0.typeName }

    private let client: EnsembleClient
    private let acceptor: ActorAddress
    private let state = Mutex(State())

    init(client: EnsembleClient, acceptor: ActorAddress) {
        self.client = client
        self.acceptor = acceptor
    }

    /// Takes the client's messages from now on (on its I/O thread).
    func attach() async {
        await client.handleMessages { [self] received in receive(received) }
    }

    /// Matches one message to the request it answers.
    private func receive(_ received: ReceivedMessage) {
        switch received.message {
        case let dispatched as EncodingDispatched:
            var expected: UInt8 = 0
            for name in dispatched.encoders { expected |= Self.bit(name) }
            answer(dispatched.requestID) { $0.expected = expected }
        case let report as EncodingReport:
            let bit = Self.bit(report.encoder)
            answer(report.requestID) { $0.reported |= bit }
        default:
            break
        }
    }

    private static func bit(_ encoder: String) -> UInt8 {
        encoderNames.firstIndex(of: encoder).map { 1 << $0 } ?? 0
    }

    /// Gives up requests past their deadline; runs until cancelled.
    ///
    /// One sweeper instead of a timer task per request.
    func sweep() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(20))
            let now = ContinuousClock.now
            let late = state.withLock { $0.requests.filter { $0.value.deadline <= now }.keys }
            for id in late { finish(state.withLock { $0.end(id, completed: false) }) }
        }
    }

    private func answer(_ id: UInt64, _ change: (inout InFlight) -> Void) {
        let aftermath = state.withLock { state -> Aftermath in
            // One lookup: the entry is changed where it is stored.
            guard let index = state.requests.index(forKey: id) else { return .none }
            change(&state.requests.values[index])
            guard state.requests.values[index].isComplete else { return .none }
            return state.end(id, completed: true)
        }
        finish(aftermath)
    }

    private func finish(_ aftermath: consuming Aftermath) {
        switch consume aftermath {
        case .none: break
        case .resume(let caller, let complete): caller.resume(returning: complete)
        case .send(let id, let text): send(id, text)
        case .finish(let done, let latencies): done.resume(returning: latencies)
        }
    }

    /// Sends request `id`; a send that fails ends it at once, as if it had expired.
    ///
    /// The client refuses sends only once it is closed: the run sends nothing more then
    /// (each failure sending the next would recurse once per request left).
    private func send(_ id: UInt64, _ text: String) {
        do {
            try client.tell(EncodeRequest(text: text, requestID: id), to: acceptor)
        } catch {
            let aftermath = state.withLock { state -> Aftermath in
                state.run?.unsent = 0
                return state.end(id, completed: false)
            }
            finish(aftermath)
        }
    }

    /// One request; its latency when every report came within `timeout`, else nil.
    func encode(_ text: String, timeout: Duration) async -> Duration? {
        let start = ContinuousClock.now
        let complete = await withCheckedContinuation { continuation in
            let id = state.withLock { $0.register(caller: continuation, timeout: timeout) }
            send(id, text)
        }
        return complete ? ContinuousClock.now - start : nil
    }

    /// `total` requests with `concurrency` in flight; latencies of those that completed, and the wall time.
    /// One run at a time.
    func run(total: Int, concurrency: Int, text: String) async -> (latencies: [Duration], elapsed: Duration) {
        let start = ContinuousClock.now
        let latencies = await withCheckedContinuation { (done: CheckedContinuation<[Duration], Never>) in
            let first = state.withLock { state -> [UInt64] in
                let count = min(concurrency, total)
                guard count > 0 else { return [] }
                var run = Run(text: text, timeout: .seconds(5), unsent: total - count, inFlight: count, done: done)
                run.latencies.reserveCapacity(total)
                state.run = run
                return (0..<count).map { _ in state.register(caller: nil, timeout: run.timeout) }
            }
            if first.isEmpty { done.resume(returning: []) }
            for id in first { send(id, text) }
        }
        return (latencies, ContinuousClock.now - start)
    }
}

extension Duration {
    var microseconds: Double { Double(components.seconds) * 1e6 + Double(components.attoseconds) / 1e12 }
    var milliseconds: Double { microseconds / 1000 }
}

/// The value at `fraction` (0...1) of sorted latencies, in microseconds.
func percentile(_ latencies: [Duration], _ fraction: Double) -> Double {
    guard !latencies.isEmpty else { return 0 }
    let sorted = latencies.sorted()
    let index = min(sorted.count - 1, Int((Double(sorted.count - 1) * fraction).rounded()))
    return sorted[index].microseconds
}
