import Synchronization
import Testing

@testable import Ensemble

/// How many `work` commands the `Hog` in `TurnTests` has handled.
private let hogHandled = Atomic<Int>(0)

/// Counts the `work` it is given.
private final class Hog: EnsembleActor {
    static var typeName: String { "Hog" }
    init() {}
    func receive(_ message: any Message, from sender: ActorAddress, context: ActorContext) async throws {
        hogHandled.add(1, ordering: .relaxed)
    }
}

/// Answers a `ping` with how much work the hog has done so far.
private final class Light: EnsembleActor {
    static var typeName: String { "Light" }
    init() {}
    func receive(_ message: any Message, from sender: ActorAddress, context: ActorContext) async throws {
        context.reply(Answer(value: String(hogHandled.load(ordering: .relaxed))), to: sender)
    }
}

/// On `kick`: gives a new hog a backlog, then pings a new light; forwards the light's answer.
private final class Kicker: EnsembleActor {
    static var typeName: String { "Kicker" }
    static let backlog = 500
    private var requester: ActorAddress?
    init() {}
    func receive(_ message: any Message, from sender: ActorAddress, context: ActorContext) async throws {
        switch message {
        case let command as Command where command.verb == "kick":
            requester = sender
            let hog = try await context.createActor(Hog.self)
            let light = try await context.createActor(Light.self)
            for _ in 0..<Self.backlog { context.send(Command(verb: "work"), to: hog) }
            context.send(Command(verb: "ping"), to: light)
        case let answer as Answer:
            if let requester { context.send(answer, to: requester) }
        default:
            break
        }
    }
}

/// `NodeConfiguration.messagesPerTurn`: an actor with a backlog lets the others on its thread run.
///
/// On one actor thread, so the light can run only when the hog gives its thread up (with two,
/// the light runs beside the hog on the other and the count says nothing about turns).
@Suite(.serialized)
struct TurnTests {
    @Test func anActorWithABacklogLetsAnotherRunBeforeItIsThrough() async throws {
        hogHandled.store(0, ordering: .relaxed)
        try await ActorExecutorTests.withNode(
            threads: 1, types: [Hog.self, Light.self, Kicker.self], messages: RuntimeTests.messages
        ) { _, client in
            let kicker = try await client.createActor(typeName: Kicker.typeName, timeout: .seconds(5))
            try client.tell(Command(verb: "kick"), to: kicker)
            let answer = try #require(await client.nextMessage(Answer.self, timeout: .seconds(10)))
            let handledBeforePing = try #require(Int(answer.value))
            // Both were queued by one handler, the hog's backlog first: without turns the
            // light would run only once the hog had handled all of it.
            #expect(handledBeforePing < Kicker.backlog)
            #expect(handledBeforePing <= 2 * NodeConfiguration(port: 1).messagesPerTurn)
        }
    }
}
