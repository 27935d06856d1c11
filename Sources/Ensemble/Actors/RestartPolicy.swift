/// How a node's supervisor treats an actor whose handler failed.
public struct RestartPolicy: Sendable, Equatable {
    /// Restarts allowed within `window` before the actor is stopped as crashed.
    public var maxRestarts: Int
    /// The sliding window `maxRestarts` counts in.
    public var window: Duration
    /// Delay before the first restart; doubles with each restart in the window.
    public var initialBackoff: Duration
    /// Upper bound of the delay.
    public var maxBackoff: Duration

    /// 5 restarts in 10 s, backoff from 10 ms up to 1 s.
    public static let `default` = RestartPolicy(
        maxRestarts: 5, window: .seconds(10), initialBackoff: .milliseconds(10), maxBackoff: .seconds(1))

    /// Creates a policy.
    public init(maxRestarts: Int, window: Duration, initialBackoff: Duration, maxBackoff: Duration) {
        self.maxRestarts = maxRestarts
        self.window = window
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
    }
}

/// The supervisor's decision for one failure.
public enum SupervisorDirective: Sendable, Equatable {
    /// Restart in place after this delay.
    case restart(after: Duration)
    /// Too many failures: stop the actor; its parent is told it crashed.
    case stop
}

/// One actor's failure history: events in, directives out.
public struct SupervisorState: Sendable, Equatable {
    /// The policy applied.
    public let policy: RestartPolicy
    private var failures: [Duration] = []

    /// A fresh history under `policy`.
    public init(policy: RestartPolicy = .default) { self.policy = policy }

    /// The handler failed at `now` (time on a monotonic clock).
    public mutating func failed(at now: Duration) -> SupervisorDirective {
        failures.removeAll { now - $0 >= policy.window }
        guard failures.count < policy.maxRestarts else { return .stop }
        failures.append(now)
        var delay = policy.initialBackoff
        for _ in 1..<failures.count {
            delay = delay * 2
            if delay >= policy.maxBackoff { return .restart(after: policy.maxBackoff) }
        }
        return .restart(after: min(delay, policy.maxBackoff))
    }
}
