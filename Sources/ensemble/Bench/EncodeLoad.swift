import EncoderApp
import Ensemble
import Synchronization

/// Encode requests in flight on one client, matched to their answers by request id.
///
/// A run keeps its requests in flight as a closed loop driven by the pump: the answer
/// that completes a request sends the next one on the spot, on the client's I/O thread.
/// No task waits per request, so the load generator, which shares the machine's two
/// cores with the nodes it measures, spends on bookkeeping what it must and no more.
final class EncodeLoad: Sendable {
    private struct InFlight {
        // Four names each: arrays searched beat sets hashed.
        var expected: [String]?
        var reported: [String] = []
        var start: ContinuousClock.Instant
        var deadline: ContinuousClock.Instant
        /// The caller waiting for this one request; nil for a request of the run.
        var caller: CheckedContinuation<Bool, Never>?
    }

    /// The run under way: what is left to send and what came back. Plain values only:
    /// it is updated at every answer.
    private struct Run {
        var text: String
        var timeout: Duration
        var unsent: Int
        var inFlight: Int
        var latencies: [Duration] = []
    }

    private struct State {
        var requests: [UInt64: InFlight] = [:]
        var run: Run?
        var runDone: CheckedContinuation<[Duration], Never>?
        var nextID: UInt64 = 1

        mutating func register(caller: CheckedContinuation<Bool, Never>?, timeout: Duration) -> UInt64 {
            let id = nextID
            nextID += 1
            let now = ContinuousClock.now
            requests[id] = InFlight(start: now, deadline: now + timeout, caller: caller)
            return id
        }

        /// A run's request ended: its latency is kept when it completed; returns the next
        /// request to send while some are unsent (0 when none).
        mutating func runRequestEnded(startedAt start: ContinuousClock.Instant, completed: Bool) -> UInt64 {
            // Changed in place: a copy of the run would copy its latencies at every answer.
            guard run != nil else { return 0 }
            if completed { run!.latencies.append(ContinuousClock.now - start) }
            guard run!.unsent > 0 else {
                run!.inFlight -= 1
                return 0
            }
            run!.unsent -= 1
            return register(caller: nil, timeout: run!.timeout)
        }

        /// The run's latencies and its waiter, once its last request ended.
        mutating func finishedRun() -> (CheckedContinuation<[Duration], Never>, [Duration])? {
            guard let run, run.inFlight == 0, run.unsent == 0, let done = runDone else { return nil }
            self.run = nil
            runDone = nil
            return (done, run.latencies)
        }
    }

    private let client: EnsembleClient
    private let acceptor: ActorAddress
    private let state = Mutex(State())

    init(client: EnsembleClient, acceptor: ActorAddress) {
        self.client = client
        self.acceptor = acceptor
    }

    /// Routes the client's incoming messages to the requests waiting for them; runs until the client closes.
    func pump() async {
        for await received in client.messages {
            switch received.message {
            case let dispatched as EncodingDispatched:
                update(dispatched.requestID) { $0.expected = dispatched.encoders }
            case let report as EncodingReport:
                update(report.requestID) { entry in
                    if !entry.reported.contains(report.encoder) { entry.reported.append(report.encoder) }
                }
            default:
                continue
            }
        }
    }

    /// Gives up requests past their deadline; runs until cancelled.
    ///
    /// One sweeper instead of a timer task per request.
    func sweep() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(20))
            let now = ContinuousClock.now
            let late = state.withLock { $0.requests.filter { $0.value.deadline <= now }.keys }
            for id in late { end(id, now: now) { _ in true } }
        }
    }

    private func update(_ id: UInt64, _ change: (inout InFlight) -> Void) {
        end(id, now: nil) { entry in
            change(&entry)
            guard let expected = entry.expected else { return false }
            return expected.allSatisfy(entry.reported.contains)
        }
    }

    /// Applies `change` to a request; when it says the request is over, takes it out and tells
    /// its waiter (complete when `expiredAt` is nil); a run's request is replaced by the next.
    private func end(_ id: UInt64, now expiredAt: ContinuousClock.Instant?, _ change: (inout InFlight) -> Bool) {
        var caller: CheckedContinuation<Bool, Never>?
        var next: UInt64 = 0
        var text = ""
        var finished: (CheckedContinuation<[Duration], Never>, [Duration])?
        state.withLock { state in
            // Changed where it is stored: a copy taken out would copy its arrays at the first append.
            guard state.requests[id] != nil, change(&state.requests[id]!),
                let entry = state.requests.removeValue(forKey: id)
            else { return }
            if let waiting = entry.caller {
                caller = waiting
                return
            }
            next = state.runRequestEnded(startedAt: entry.start, completed: expiredAt == nil)
            if next != 0 { text = state.run!.text }
            finished = state.finishedRun()
        }
        caller?.resume(returning: expiredAt == nil)
        if next != 0 { send(next, text) }
        if let (done, latencies) = finished { done.resume(returning: latencies) }
    }

    /// Sends request `id`; a send that fails ends it at once, as if it had expired.
    ///
    /// The client refuses sends only once it is closed: the run sends nothing more then
    /// (each failure sending the next would recurse once per request left).
    private func send(_ id: UInt64, _ text: String) {
        do {
            try client.tell(EncodeRequest(text: text, requestID: id), to: acceptor)
        } catch {
            state.withLock { $0.run?.unsent = 0 }
            end(id, now: ContinuousClock.now) { _ in true }
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
                var run = Run(text: text, timeout: .seconds(5), unsent: total - count, inFlight: count)
                run.latencies.reserveCapacity(total)
                state.run = run
                state.runDone = done
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
