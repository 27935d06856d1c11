import Testing

@testable import Ensemble

/// A `ThreadReporter` that asks for the node's I/O thread.
final class IOThreadReporter: EnsembleActor {
    static var dispatch: ActorDispatch { .ioThread }
    private let reporter = ThreadReporter()
    init() {}
    func receive(_ message: any Message, from sender: ActorAddress, context: ActorContext) async throws {
        try await reporter.receive(message, from: sender, context: context)
    }
}

/// A `Spinner` on the I/O thread: what an actor with `dispatch = .ioThread` must not be.
final class IOThreadSpinner: EnsembleActor {
    static var dispatch: ActorDispatch { .ioThread }
    private let spinner = Spinner()
    init() {}
    func receive(_ message: any Message, from sender: ActorAddress, context: ActorContext) async throws {
        try await spinner.receive(message, from: sender, context: context)
    }
}

/// `EnsembleActor.dispatch`: which thread of its node runs a type's handlers.
@Suite(.serialized)
struct ActorDispatchTests {
    static let types: [any EnsembleActor.Type] = ActorExecutorTests.types + [IOThreadReporter.self, IOThreadSpinner.self]

    @Test func anIOThreadTypeRunsOnTheIOThreadAndTheOthersOnTheActorThreads() async throws {
        try await ActorExecutorTests.withNode(types: Self.types) { _, client in
            let onIO = try await client.createActor(typeName: "IOThreadReporter", timeout: .seconds(5))
            let onWorkers = try await client.createActor(typeName: "ThreadReporter", timeout: .seconds(5))
            let ioNames = (try await client.ask(Ping(), to: onIO, timeout: .seconds(5)) as? Answer)?.value
            let workerNames = (try await client.ask(Ping(), to: onWorkers, timeout: .seconds(5)) as? Answer)?.value
            // The handler and the child tasks it starts alike.
            #expect(ioNames == Array(repeating: "ensemble-io", count: 6).joined(separator: ","))
            #expect(workerNames == Array(repeating: "ensemble-actor", count: 6).joined(separator: ","))
        }
    }

    @Test func aHandlerThatHoldsTheIOThreadIsCountedAsAStall() async throws {
        try await ActorExecutorTests.withNode(types: Self.types) { node, client in
            let spinner = try await client.createActor(typeName: "IOThreadSpinner", timeout: .seconds(5))
            #expect(node.core.counters.snapshot["ioThreadStalls"] == nil)
            // 300 ms of computing on the I/O thread: the node reads nothing meanwhile, then says so.
            let answer = try await client.ask(Spin(milliseconds: 300, token: ActorExecutorTests.token()), to: spinner, timeout: .seconds(10))
            #expect((answer as? Answer)?.value.hasPrefix("spun") == true)
            #expect(await eventually(within: .seconds(5)) { node.core.counters.snapshot["ioThreadStalls"] == 1 })
        }
    }

    @Test func theDefaultIsTheActorThreads() {
        #expect(ThreadReporter.dispatch == .actorThreads)
        #expect(IOThreadReporter.dispatch == .ioThread)
    }
}
