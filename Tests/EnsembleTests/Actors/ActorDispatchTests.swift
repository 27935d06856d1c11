import Testing

@testable import Ensemble

/// A `ThreadReporter` that asks for the node's I/O thread.
final class IOThreadReporter: EnsembleActor {
    static var dispatch: ActorDispatch { .ioThread }
    private let reporter = SpinningReporter()
    init() {}
    func receive(_ message: any Message, from sender: ActorAddress, context: ActorContext) async throws {
        try await reporter.receive(message, from: sender, context: context)
    }
}

/// Spins on a `Spin`, answers a `Ping` with the names of its threads: an actor whose handler
/// runs long once, and whose later handlers say where they ran.
final class SpinningReporter: EnsembleActor {
    private let spinner = Spinner()
    private let reporter = ThreadReporter()
    init() {}
    func receive(_ message: any Message, from sender: ActorAddress, context: ActorContext) async throws {
        if message is Spin {
            try await spinner.receive(message, from: sender, context: context)
        } else {
            try await reporter.receive(message, from: sender, context: context)
        }
    }
}

/// `EnsembleActor.dispatch` and the I/O thread's handover: which thread of its node runs a
/// type's handlers, and what happens when one of them holds the I/O thread.
@Suite(.serialized)
struct ActorDispatchTests {
    static let types: [any EnsembleActor.Type] = ActorExecutorTests.types + [IOThreadReporter.self, SpinningReporter.self]

    /// The names a reporter's handler and its five child tasks ran on.
    static func threads(of reporter: ActorAddress, _ client: EnsembleClient) async throws -> [String] {
        let answer = try await client.ask(Ping(), to: reporter, timeout: .seconds(5)) as? Answer
        return try #require(answer?.value).split(separator: ",").map(String.init)
    }

    static func six(_ name: String) -> [String] { Array(repeating: name, count: 6) }

    /// Whether, within a few seconds, a reporter's handler and its child tasks all run on the
    /// thread named `name`. A reporter just created may take its first mail on the thread that
    /// ran its start, before it first waits for mail; from then on the I/O thread hands it over.
    static func settlesOn(_ name: String, _ reporter: ActorAddress, _ client: EnsembleClient) async -> Bool {
        await eventually(within: .seconds(5)) { (try? await threads(of: reporter, client)) == six(name) }
    }

    @Test func aDefaultActorWhoseHandlerHeldTheIOThreadMovesToTheActorThreads() async throws {
        try await ActorExecutorTests.withNode(types: Self.types) { node, client in
            let actor = try await client.createActor(typeName: "SpinningReporter", timeout: .seconds(5))
            let echo = try await client.createActor(typeName: "Echo", timeout: .seconds(5))
            // Mail off the wire runs on the thread that read it, child tasks and all.
            #expect(await Self.settlesOn("ensemble-io", actor, client))
            #expect(node.core.counters.snapshot["ioThreadHandovers"] == nil)
            let token = ActorExecutorTests.token()
            defer { SpinLog.release(token) }
            // The spin holds the thread that began the loop's turn; another runs the loop meanwhile.
            try await ActorExecutorTests.expectEchoAnswersWhileSpinning(actor, token, echo: echo, client)
            #expect(node.core.counters.snapshot["ioThreadHandovers"] == 1)
            SpinLog.release(token)
            #expect(await client.nextMessage(Answer.self, timeout: .seconds(10))?.value.hasPrefix("spun") == true)
            // From then on the actor's handlers, and their child tasks, run on the actor threads.
            for _ in 0..<2 {
                let names = try await Self.threads(of: actor, client)
                #expect(names == Self.six("ensemble-actor"), "threads: \(names)")
            }
            #expect(node.core.counters.snapshot["ioThreadHandovers"] == 1)
            #expect(node.core.counters.snapshot["ioThreadStalls"] == nil)
        }
    }

    @Test func anIOThreadTypeStaysOnTheIOThreadAndEachLongHandlerIsHandedOver() async throws {
        try await ActorExecutorTests.withNode(types: Self.types) { node, client in
            let actor = try await client.createActor(typeName: "IOThreadReporter", timeout: .seconds(5))
            #expect(try await Self.threads(of: actor, client) == Self.six("ensemble-io"))
            for round in 1...2 {
                let answer = try await client.ask(
                    Spin(milliseconds: 300, token: ActorExecutorTests.token()), to: actor, timeout: .seconds(10))
                #expect((answer as? Answer)?.value.hasPrefix("spun") == true)
                #expect(node.core.counters.snapshot["ioThreadHandovers"] == round)
                // Its author chose the I/O thread: it stays there.
                #expect(try await Self.threads(of: actor, client) == Self.six("ensemble-io"))
            }
            #expect(node.core.counters.snapshot["ioThreadStalls"] == nil)
        }
    }

    @Test func theDefaultIsTheActorThreads() {
        #expect(ThreadReporter.dispatch == .actorThreads)
        #expect(IOThreadReporter.dispatch == .ioThread)
    }
}
