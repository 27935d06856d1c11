import Synchronization

/// Async work on a task of its own whose result a test waits for with a deadline:
/// work that never finishes fails the test instead of hanging it.
final class Pending<Value: Sendable>: Sendable {
    private final class Outcome: Sendable {
        let value = Mutex<Value?>(nil)
    }

    private let outcome: Outcome
    /// The task doing the work (to cancel it).
    let task: Task<Void, Never>

    init(_ body: @escaping @Sendable () async -> Value) {
        let outcome = Outcome()
        self.outcome = outcome
        task = Task {
            let value = await body()
            outcome.value.withLock { $0 = value }
        }
    }

    /// The result, once the work finished within `limit`; nil when it has not (yet).
    func result(within limit: Duration = .seconds(10)) async -> Value? {
        let deadline = ContinuousClock.now + limit
        while true {
            if let done = outcome.value.withLock({ $0 }) { return done }
            if ContinuousClock.now >= deadline { return nil }
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    /// The result of `body`, when it finishes within `limit`.
    static func run(within limit: Duration = .seconds(10), _ body: @escaping @Sendable () async -> Value) async -> Value? {
        await Pending(body).result(within: limit)
    }
}

/// Whether `condition` holds within `limit`, checked again and again until it does or
/// the deadline passes: for state another task reaches at a time of its own.
func eventually(within limit: Duration = .seconds(10), _ condition: () async -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + limit
    while true {
        if await condition() { return true }
        if ContinuousClock.now >= deadline { return false }
        try? await Task.sleep(for: .milliseconds(2))
    }
}
