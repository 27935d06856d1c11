import Foundation
import Synchronization
import Testing

@testable import Ensemble

/// Computes for `milliseconds` (after telling `echo` to answer the sender, when given), then answers "spun".
struct Spin: Message, Codable {
    var milliseconds: Int
    var token: String
    var echo: ActorAddress?
}

/// Asks an `Echo` to answer `replyTo` (or its sender).
struct Ping: Message, Codable {
    var replyTo: ActorAddress?
}

/// What an `Echo` answers.
struct Pong: Message, Codable {}

/// The spins that started, were released and finished, by token (tests run in parallel).
enum SpinLog {
    static let started = Mutex<Set<String>>([])
    static let released = Mutex<Set<String>>([])
    static let finished = Mutex<Set<String>>([])
    static func hasStarted(_ token: String) -> Bool { started.withLock { $0.contains(token) } }
    static func isReleased(_ token: String) -> Bool { released.withLock { $0.contains(token) } }
    static func hasFinished(_ token: String) -> Bool { finished.withLock { $0.contains(token) } }
    /// Ends spin `token` (its handler returns at its next look).
    static func release(_ token: String) { released.withLock { _ = $0.insert(token) } }
}

/// Keeps its worker thread, computing, until its spin is released (or at most as long as
/// asked): a handler that runs long, for as long as the test needs, whatever the machine's speed.
final class Spinner: EnsembleActor {
    init() {}
    func receive(_ message: any Message, from sender: ActorAddress, context: ActorContext) async throws {
        guard let spin = message as? Spin else { return }
        if let echo = spin.echo { context.send(Ping(replyTo: sender), to: echo) }
        SpinLog.started.withLock { _ = $0.insert(spin.token) }
        let deadline = ContinuousClock.now + .milliseconds(spin.milliseconds)
        var sum: UInt64 = 0
        while ContinuousClock.now < deadline && !SpinLog.isReleased(spin.token) {
            for value in 0..<10_000 as Range<UInt64> { sum &+= value &* value }
        }
        SpinLog.finished.withLock { _ = $0.insert(spin.token) }
        context.reply(Answer(value: "spun \(sum % 2)"), to: sender)
    }
}

/// Answers every `Ping` at once.
final class Echo: EnsembleActor {
    init() {}
    func receive(_ message: any Message, from sender: ActorAddress, context: ActorContext) async throws {
        guard let ping = message as? Ping else { return }
        context.reply(Pong(), to: ping.replyTo ?? sender)
    }
}

/// Answers with the name of the thread its handler runs on, then those of four child tasks.
final class ThreadReporter: EnsembleActor {
    init() {}
    func receive(_ message: any Message, from sender: ActorAddress, context: ActorContext) async throws {
        var names = [currentThreadName()]
        names += await withTaskGroup(of: String.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    await Task.yield()
                    return currentThreadName()
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        async let another = Self.childThreadName()
        names.append(await another)
        context.reply(Answer(value: names.joined(separator: ",")), to: sender)
    }

    private static func childThreadName() async -> String {
        await Task.yield()
        return currentThreadName()
    }
}

/// The calling thread's name (`ensemble-actor` for a node's actor workers, `ensemble-io` for its I/O thread).
func currentThreadName() -> String {
    let name = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? "?"
    return name.trimmingCharacters(in: .whitespacesAndNewlines)
}

/// A busy handler holds one thread of its node, never the node's sockets or its other actors.
@Suite(.serialized)
struct ActorExecutorTests {
    static let types: [any EnsembleActor.Type] = [Spinner.self, Echo.self, ThreadReporter.self]
    static let messages: [any Message.Type] = [Spin.self, Ping.self, Pong.self, Answer.self]

    /// A single node (its own leader) with `threads` actor workers, shut down after `body`.
    static func withNode(
        threads: Int = 2, onIOThread: Bool = false, types: [any EnsembleActor.Type] = types,
        messages: [any Message.Type] = messages, _ body: (Node, EnsembleClient) async throws -> Void
    ) async throws {
        let address = NodeAddress(host: "127.0.0.1", port: try FreePorts.pair())
        var configuration = NodeConfiguration(port: address.port, leader: address)
        configuration.actorThreads = threads
        configuration.actorsOnIOThread = onIOThread
        let node = try Node(configuration: configuration, actorTypes: types, messages: messages)
        try await node.start()
        let client = try EnsembleClient(gateway: address, messageTypes: messages)
        do {
            try await client.connect(timeout: .seconds(5))
            try await body(node, client)
        } catch {
            await client.close()
            await node.shutdown(grace: .milliseconds(200))
            throw error
        }
        await client.close()
        await node.shutdown(grace: .milliseconds(200))
    }

    static func token() -> String { "spin-\(UInt64.random(in: 0...UInt64.max))" }

    /// Starts spin `token` (for a minute at most) on `spinner`, then expects twenty pings to `echo`
    /// answered while it still computes. The caller releases the spin.
    static func expectEchoAnswersWhileSpinning(
        _ spinner: ActorAddress, _ token: String, echo: ActorAddress, _ client: EnsembleClient
    ) async throws {
        try client.tell(Spin(milliseconds: 60_000, token: token), to: spinner)
        #expect(await eventually(within: .seconds(5)) { SpinLog.hasStarted(token) })
        for _ in 0..<20 {
            #expect(try await client.ask(Ping(), to: echo, timeout: .seconds(2)) is Pong)
        }
        // All twenty answers came while the spinner still held its thread.
        #expect(!SpinLog.hasFinished(token))
    }

    @Test func aBusyHandlerDoesNotStopTheOtherActorsOfItsNode() async throws {
        try await Self.withNode { _, client in
            let spinner = try await client.createActor(typeName: "Spinner", timeout: .seconds(5))
            let echo = try await client.createActor(typeName: "Echo", timeout: .seconds(5))
            let token = Self.token()
            defer { SpinLog.release(token) }
            try await Self.expectEchoAnswersWhileSpinning(spinner, token, echo: echo, client)
            SpinLog.release(token)
            #expect(await eventually(within: .seconds(10)) { SpinLog.hasFinished(token) })
        }
    }

    @Test func whatABusyHandlerSendsToALocalActorIsHandledWhileItIsBusy() async throws {
        try await Self.withNode { _, client in
            let spinner = try await client.createActor(typeName: "Spinner", timeout: .seconds(5))
            let echo = try await client.createActor(typeName: "Echo", timeout: .seconds(5))
            let token = Self.token()
            defer { SpinLog.release(token) }
            // The spinner's worker makes the echo runnable, then computes: another worker must take it.
            try client.tell(Spin(milliseconds: 60_000, token: token, echo: echo), to: spinner)
            #expect(await client.nextMessage(Pong.self, timeout: .seconds(2)) != nil)
            #expect(!SpinLog.hasFinished(token))
            SpinLog.release(token)
            #expect(await eventually(within: .seconds(10)) { SpinLog.hasFinished(token) })
        }
    }

    /// Mail a node's I/O thread reads is handled on it, child tasks and all, with actor workers
    /// or without them (`actorsOnIOThread`). (ActorDispatchTests: what runs on the workers.)
    @Test(arguments: [false, true])
    func handlersRunOnTheThreadThatReadTheirMail(onIOThread: Bool) async throws {
        try await Self.withNode(onIOThread: onIOThread) { _, client in
            let reporter = try await client.createActor(typeName: "ThreadReporter", timeout: .seconds(5))
            #expect(await ActorDispatchTests.settlesOn("ensemble-io", reporter, client))
        }
    }

    @Test func aNodeWhoseOnlyWorkerIsBusyStillShutsDown() async throws {
        let address = NodeAddress(host: "127.0.0.1", port: try FreePorts.pair())
        var configuration = NodeConfiguration(port: address.port, leader: address)
        configuration.actorThreads = 1
        let node = try Node(configuration: configuration, actorTypes: Self.types, messages: Self.messages)
        try await node.start()
        let spinner = try await node.createActor(Spinner.self)
        let token = Self.token()
        defer { SpinLog.release(token) }
        node.tell(Spin(milliseconds: 60_000, token: token), to: spinner)
        #expect(await eventually(within: .seconds(5)) { SpinLog.hasStarted(token) })
        let stopped = await Pending.run(within: .seconds(5)) { () -> Bool in
            await node.shutdown(grace: .milliseconds(200))
            return true
        }
        #expect(stopped != nil, "shutdown waited for the busy handler")
        #expect(!SpinLog.hasFinished(token))
        SpinLog.release(token)
        // The worker ends once its job does; the node is long gone by then.
        #expect(await eventually(within: .seconds(10)) { SpinLog.hasFinished(token) })
    }
}
