import Testing

@testable import Ensemble

/// Counts `inc` commands synchronously; fails on `boom`; declines `wait`, which its own
/// asynchronous `receive` answers after a suspension. `receive` answers differently, so an
/// answer tells which of the two the runtime called.
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

    func handlesNow(_ message: any Message, from sender: ActorAddress) -> Bool {
        message.cast(to: Command.self)?.verb != "wait"
    }

    func receive(_ message: any Message, from sender: ActorAddress, context: ActorContext) async throws {
        try await Task.sleep(for: .milliseconds(1))
        context.reply(Answer(value: "called asynchronously after \(count)"), to: sender)
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

    @Test func aMessageTheActorDeclinesGoesToItsAsynchronousHandler() async throws {
        try await InProcessCluster.with(members: [], types: [SynchronousCounter.self], messages: RuntimeTests.messages) { leader, _ in
            let client = try await RuntimeTests.client(leader)
            let counter = try await client.createActor(typeName: "SynchronousCounter", timeout: .seconds(5))
            #expect((try await client.ask(Command(verb: "inc"), to: counter, timeout: .seconds(5)) as? Answer)?.value == "1")
            // Declined: `receiveNow` would ignore it (no answer); `receive` awaits, then answers.
            #expect((try await client.ask(Command(verb: "wait"), to: counter, timeout: .seconds(5)) as? Answer)?.value
                == "called asynchronously after 1")
            // The next message is handled now again, by the same instance.
            #expect((try await client.ask(Command(verb: "inc"), to: counter, timeout: .seconds(5)) as? Answer)?.value == "2")
            await client.close()
        }
    }
}
