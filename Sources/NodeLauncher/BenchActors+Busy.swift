import Ensemble

/// Client to `BenchBusy`: compute for `milliseconds` in one handler call, then answer `BenchWorked`.
package struct BenchWork: Message, Codable {
    package static var messageType: String { "BenchWork" }
    package var milliseconds: Int

    package init(milliseconds: Int) { self.milliseconds = milliseconds }

    /// The longest computation one message may ask for.
    package static let longest = 60_000

    /// Whether a busy actor can act on it (the value comes from whoever sent it).
    package var isValid: Bool { (0...Self.longest).contains(milliseconds) }
}

/// `BenchBusy` to its client: computed for `milliseconds`.
package struct BenchWorked: Message, Codable {
    package static var messageType: String { "BenchWorked" }
    package var milliseconds: Int
}

/// Client to `BenchEcho`: answer at once with the same sequence number.
package struct BenchPing: Message, Codable {
    package static var messageType: String { "BenchPing" }
    package var sequence: Int

    package init(sequence: Int) { self.sequence = sequence }
}

/// `BenchEcho`'s answer.
package struct BenchPong: Message, Codable {
    package static var messageType: String { "BenchPong" }
    package var sequence: Int
}

/// A handler that runs long, as a user's might (counting primes for seconds): it
/// computes in its handler without awaiting anything. On the nodes `bench` and the
/// busy-handler test start, next to a `BenchEcho`, both needing `bench-busy`.
package final class BenchBusy: EnsembleActor {
    package static var requirements: Capabilities { Capabilities(["bench-busy"]) }
    package init() {}

    package func receive(_ message: any Message, from sender: ActorAddress, context: ActorContext) async throws {
        guard let work = message as? BenchWork, work.isValid else { return }
        let deadline = ContinuousClock.now + .milliseconds(work.milliseconds)
        var primes = 0
        var candidate = 2
        while ContinuousClock.now < deadline {
            // A slice of trial division between clock reads.
            for _ in 0..<64 {
                if Self.isPrime(candidate) { primes += 1 }
                candidate = candidate >= 1 << 40 ? 2 : candidate + 1
            }
        }
        // `primes` is used, so the computation is not optimized away.
        context.reply(BenchWorked(milliseconds: primes >= 0 ? work.milliseconds : 0), to: sender)
    }

    private static func isPrime(_ number: Int) -> Bool {
        if number < 4 { return number >= 2 }
        if number % 2 == 0 { return false }
        var divisor = 3
        while divisor * divisor <= number {
            if number % divisor == 0 { return false }
            divisor += 2
        }
        return true
    }
}

/// Answers every `BenchPing` at once: the other actor on a busy node whose answers are timed.
package final class BenchEcho: EnsembleActor {
    package static var requirements: Capabilities { Capabilities(["bench-busy"]) }
    package init() {}

    package func receive(_ message: any Message, from sender: ActorAddress, context: ActorContext) async throws {
        guard let ping = message as? BenchPing else { return }
        context.reply(BenchPong(sequence: ping.sequence), to: sender)
    }
}
