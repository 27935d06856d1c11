import EncoderApp
import Ensemble
import Synchronization

/// Encode requests in flight on one client, matched to their answers by request id.
final class EncodeLoad: Sendable {
    private struct InFlight {
        // Four names each: arrays searched beat sets hashed, and the load generator shares the cores it measures.
        var expected: [String]?
        var reported: [String] = []
        var deadline: ContinuousClock.Instant
        var continuation: CheckedContinuation<Bool, Never>
    }

    private let client: EnsembleClient
    private let acceptor: ActorAddress
    private let inFlight = Mutex<[UInt64: InFlight]>([:])
    private let nextID = Atomic<UInt64>(1)

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
    /// One sweeper instead of a timer task per request: the load generator shares
    /// the machine's two cores with the nodes it measures, so it must stay lean.
    func sweep() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(20))
            let now = ContinuousClock.now
            let expired = inFlight.withLock { table -> [CheckedContinuation<Bool, Never>] in
                let late = table.filter { $0.value.deadline <= now }
                for id in late.keys { table[id] = nil }
                return late.values.map(\.continuation)
            }
            for continuation in expired { continuation.resume(returning: false) }
        }
    }

    private func update(_ id: UInt64, _ change: (inout InFlight) -> Void) {
        let finished = inFlight.withLock { table -> CheckedContinuation<Bool, Never>? in
            guard var entry = table[id] else { return nil }
            change(&entry)
            if let expected = entry.expected, expected.allSatisfy(entry.reported.contains) {
                table[id] = nil
                return entry.continuation
            }
            table[id] = entry
            return nil
        }
        finished?.resume(returning: true)
    }

    /// One request; its latency when every report came within `timeout`, else nil.
    func encode(_ text: String, timeout: Duration) async -> Duration? {
        let id = nextID.wrappingAdd(1, ordering: .relaxed).oldValue
        let start = ContinuousClock.now
        let complete = await withCheckedContinuation { continuation in
            inFlight.withLock { $0[id] = InFlight(deadline: start + timeout, continuation: continuation) }
            do {
                try client.tell(EncodeRequest(text: text, requestID: id), to: acceptor)
            } catch {
                inFlight.withLock { $0.removeValue(forKey: id) }?.continuation.resume(returning: false)
            }
        }
        return complete ? ContinuousClock.now - start : nil
    }

    /// `total` requests with `concurrency` in flight; latencies of those that completed, and the wall time.
    func run(total: Int, concurrency: Int, text: String) async -> (latencies: [Duration], elapsed: Duration) {
        let remaining = Countdown(total)
        let start = ContinuousClock.now
        let latencies = await withTaskGroup(of: [Duration].self) { group in
            for _ in 0..<concurrency {
                // On the client's I/O thread: a request and its answers cross no thread in this process.
                group.addTask(executorPreference: client.taskExecutor) {
                    var mine: [Duration] = []
                    while remaining.take() {
                        if let latency = await self.encode(text, timeout: .seconds(5)) { mine.append(latency) }
                    }
                    return mine
                }
            }
            var all: [Duration] = []
            for await part in group { all += part }
            return all
        }
        return (latencies, ContinuousClock.now - start)
    }
}

/// A shared count of work left.
final class Countdown: Sendable {
    private let left: Atomic<Int>
    init(_ count: Int) { left = Atomic(count) }
    /// Takes one unit; false when none is left.
    func take() -> Bool { left.wrappingSubtract(1, ordering: .relaxed).oldValue > 0 }
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
