import Testing

@testable import Ensemble

/// Counts `inc` commands synchronously; fails on `boom`. Its own asynchronous `receive`
/// answers differently, so an answer tells which of the two the runtime called.
final class SynchronousCounter: SynchronousActor {
    private var count = 0
    init() {}

    func receiveNow(_ message: any Message, from sender: ActorAddress, context: ActorContext) throws {
        guard let command = message.cast(to: Command.self) else { return }
        switch command.verb {
        case "inc":
            count += 1
            context.reply(Answer(value: "\(count)"), to: sender)
        case "boom":
            throw Counter.Boom()
        default:
            break
        }
    }

    func receive(_ message: any Message, from sender: ActorAddress, context: ActorContext) async throws {
        context.reply(Answer(value: "called asynchronously"), to: sender)
    }
}

/// `SynchronousActor`: the runtime calls `receiveNow` directly, and supervises it as any handler.
@Suite(.serialized)
struct SynchronousActorTests {
    @Test func theRuntimeCallsTheSynchronousHandlerAndRestartsAFreshInstance() async throws {
        try await InProcessCluster.with(members: [], types: [SynchronousCounter.self], messages: RuntimeTests.messages) { leader, _ in
            // The restarted instance is the one called; an answer from `receive` would be another text.
            try await RuntimeTests.expectCountingAndARestartInPlace("SynchronousCounter", on: leader)
        }
    }
}
