import Foundation
import Testing
import ZMQ

@testable import Ensemble

/// Asks a `Counter` or `Parent` to do something.
struct Command: Message, Codable {
    var verb: String
}

/// What a `Counter` or `Parent` answers.
struct Answer: Message, Codable {
    var value: String
}

/// Counts `inc` commands; fails on `boom`.
final class Counter: EnsembleActor {
    struct Boom: Error {}
    private var count = 0
    init() {}
    func receive(_ message: any Message, from sender: ActorAddress, context: ActorContext) async throws {
        guard let command = message as? Command else { return }
        switch command.verb {
        case "inc":
            count += 1
            context.reply(Answer(value: "\(count)"), to: sender)
        case "boom":
            throw Boom()
        default:
            break
        }
    }
}

/// Creates a child on `spawn`, stops it, and reports how the child ended.
final class Parent: EnsembleActor {
    private var requester: ActorAddress?
    init() {}
    func receive(_ message: any Message, from sender: ActorAddress, context: ActorContext) async throws {
        switch message {
        case let command as Command where command.verb == "spawn":
            requester = sender
            let child = try await context.createActor(Counter.self)
            context.send(ActorExitRequest(), to: child)
        case let exited as ChildActorExited:
            if let requester { context.send(Answer(value: "\(exited.reason)"), to: requester) }
        default:
            break
        }
    }
}

/// Creates a `MorseProbe` (wherever `morse` is) on `spawn`, and reports how it ended.
final class RemoteParent: EnsembleActor {
    private var requester: ActorAddress?
    init() {}
    func receive(_ message: any Message, from sender: ActorAddress, context: ActorContext) async throws {
        switch message {
        case let command as Command where command.verb == "spawn":
            requester = sender
            let child = try await context.createActor(MorseProbe.self)
            context.reply(Answer(value: child.description), to: sender)
        case let exited as ChildActorExited:
            if let requester { context.send(Answer(value: "\(exited.reason)"), to: requester) }
        default:
            break
        }
    }
}

/// The actor runtime seen from a client: ask, supervision, exits, hostile frames.
@Suite(.serialized)
struct RuntimeTests {
    static let types: [any EnsembleActor.Type] = [Counter.self, Parent.self, RemoteParent.self, MorseProbe.self]
    static let messages: [any Message.Type] = [Command.self, Answer.self]

    static func client(_ node: Node) async throws -> EnsembleClient {
        let client = try EnsembleClient(gateway: node.nodeID.address, messageTypes: messages)
        try await client.connect(timeout: .seconds(5))
        return client
    }

    @Test func askGetsTheReplyAndAFailedHandlerRestartsInPlace() async throws {
        try await InProcessCluster.with(members: [], types: Self.types, messages: Self.messages) { leader, _ in
            try await Self.expectCountingAndARestartInPlace("Counter", on: leader)
        }
    }

    /// Creates a counter of `typeName` on `leader`, asks it for two counts, makes its handler
    /// throw, and expects the sender poisoned and a fresh instance at the same address.
    static func expectCountingAndARestartInPlace(_ typeName: String, on leader: Node) async throws {
        let client = try await Self.client(leader)
        let counter = try await client.createActor(typeName: typeName, timeout: .seconds(5))
        #expect((try await client.ask(Command(verb: "inc"), to: counter, timeout: .seconds(5)) as? Answer)?.value == "1")
        #expect((try await client.ask(Command(verb: "inc"), to: counter, timeout: .seconds(5)) as? Answer)?.value == "2")
        try client.tell(Command(verb: "boom"), to: counter)
        let poison = await client.nextMessage(PoisonMessage.self, timeout: .seconds(10))
        #expect(poison?.originalType == "Command")
        // Same address, fresh state.
        #expect((try await client.ask(Command(verb: "inc"), to: counter, timeout: .seconds(5)) as? Answer)?.value == "1")
        #expect(leader.core.localRecords.first { $0.address == counter }?.restarts == 1)
        await client.close()
    }

    @Test func askTimesOutWhenNoReplyComes() async throws {
        try await InProcessCluster.with(members: [], types: Self.types, messages: Self.messages) { leader, _ in
            let client = try await Self.client(leader)
            let counter = try await client.createActor(typeName: "Counter", timeout: .seconds(5))
            await #expect(throws: EnsembleError.self) {
                _ = try await client.ask(Command(verb: "silent"), to: counter, timeout: .milliseconds(200))
            }
            await client.close()
        }
    }

    @Test func parentLearnsItsChildStopped() async throws {
        try await InProcessCluster.with(members: [.none], types: Self.types, messages: Self.messages) { leader, members in
            let client = try await Self.client(members[0])
            let parent = try await client.createActor(typeName: "Parent", timeout: .seconds(5))
            try client.tell(Command(verb: "spawn"), to: parent)
            let answer = await client.nextMessage(Answer.self, timeout: .seconds(10))
            #expect(answer?.value == "stopped")
            await client.close()
        }
    }

    @Test func aParentHearsNodeLostWhenItsChildsNodeLeaves() async throws {
        try await InProcessCluster.with(members: [Capabilities(["morse"])], types: Self.types, messages: Self.messages) { leader, members in
            let client = try await Self.client(leader)
            let parent = try await client.createActor(typeName: "RemoteParent", timeout: .seconds(5))
            let child = try await client.ask(Command(verb: "spawn"), to: parent, timeout: .seconds(5)) as? Answer
            #expect(child?.value.hasPrefix(members[0].nodeID.description) == true, "the child is not on the morse node")
            // Its sockets close under its actors, as when its process is killed.
            let lost = members[0].core
            lost.markStopping()
            await withCheckedContinuation { continuation in lost.io.submit(.shutdown(continuation)) }
            let answer = await client.nextMessage(Answer.self, timeout: .seconds(10))
            #expect(answer?.value == "nodeLost(\(members[0].nodeID.address))")
            await client.close()
        }
    }

    @Test func unknownActorTypeIsAClearError() async throws {
        try await InProcessCluster.with(members: [], types: Self.types, messages: Self.messages) { leader, _ in
            let client = try await Self.client(leader)
            do {
                _ = try await client.createActor(typeName: "NoSuchActor", timeout: .seconds(5))
                Issue.record("creating an unknown type succeeded")
            } catch {
                #expect("\(error)".contains("does not know actor type NoSuchActor"))
            }
            await client.close()
        }
    }

    @Test func aPeerOfAnotherProtocolVersionIsRefusedNamingBothVersions() async throws {
        try await InProcessCluster.with(members: [], types: Self.types, messages: Self.messages) { leader, _ in
            let leaderAddress = leader.nodeID.address
            let otherPort = try FreePorts.one()
            let answers = try await Task.detached { () -> [String] in
                let context = try ZMQContext()
                let join = Envelope(
                    kind: .control, sender: .system(NodeID(address: NodeAddress(host: "127.0.0.1", port: otherPort), incarnation: 1)),
                    recipient: .system(NodeID(address: leaderAddress, incarnation: 0)), typeName: JoinRequest.wireTypeName,
                    payload: [0])
                var frame = join.encoded()
                frame[1] = Envelope.protocolVersion + 1
                var answers: [String] = []
                for identity in ["N127.0.0.1:\(otherPort)@1", "Cnewer-client"] {
                    let dealer = try ZMQSocket(context: context, type: .dealer)
                    try dealer.set(.linger, 1000)
                    try dealer.set(.routingID, Array(identity.utf8))
                    try dealer.connect(leaderAddress.endpoint)
                    let deadline = ContinuousClock.now + .seconds(5)
                    let waitSet = ZMQWaitSet()
                    while try dealer.send([frame]) == .wouldBlock && ContinuousClock.now < deadline {
                        try waitSet.add(dealer, .writable)
                        try waitSet.wait(timeoutMs: 100)
                    }
                    // Node and client alike hear back over the connection they sent on.
                    let socket = dealer
                    while ContinuousClock.now < deadline {
                        try waitSet.add(socket, .readable)
                        try waitSet.wait(timeoutMs: 100)
                        if let frames = try socket.receive(), let text = Envelope.parseVersionRefusal(frames[frames.count - 1]) {
                            answers.append(text)
                            break
                        }
                    }
                    dealer.close()
                }
                return answers
            }.value
            #expect(answers.count == 2)
            for answer in answers {
                #expect(answer.contains("protocol version \(Envelope.protocolVersion + 1)"))
                #expect(answer.contains("speaks \(Envelope.protocolVersion)"))
            }
            #expect(leader.core.counters.snapshot["protocolVersionRefusals"] == 2)
        }
    }

    @Test func malformedFramesAreDroppedAndTheNodeKeepsServing() async throws {
        try await InProcessCluster.with(members: [], types: Self.types, messages: Self.messages) { leader, _ in
            let address = leader.nodeID.address
            try await Task.detached {
                // A raw ZeroMQ peer sends garbage as a client and as a node, then a good request.
                let context = try ZMQContext()
                for identity in [Array("Cgarbage".utf8), Array("Ngarbage".utf8)] {
                    let socket = try ZMQSocket(context: context, type: .dealer)
                    // Closing must not discard what is still queued for the connection.
                    try socket.set(.linger, 2000)
                    try socket.set(.routingID, identity)
                    try socket.connect(address.endpoint)
                    for frames in [[[0x00, 0x01]], [[0xE5, 9, 1, 0, 1, 0, 0, 0]], [[UInt8](repeating: 0xE5, count: 300)], [[1], [2], [3]]] as [[[UInt8]]] {
                        var sent = false
                        for _ in 0..<500 where !sent {
                            sent = try socket.send(frames) == .done
                            if !sent { usleep(2_000) }
                        }
                    }
                    socket.close()
                }
            }.value
            let deadline = ContinuousClock.now + .seconds(5)
            while (leader.core.counters.snapshot["malformedFrames"] ?? 0) < 8 && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect((leader.core.counters.snapshot["malformedFrames"] ?? 0) >= 8)
            let client = try await Self.client(leader)
            let counter = try await client.createActor(typeName: "Counter", timeout: .seconds(5))
            #expect((try await client.ask(Command(verb: "inc"), to: counter, timeout: .seconds(5)) as? Answer)?.value == "1")
            await client.close()
        }
    }
}

/// A client's count of created actors counts only what a request created.
@Suite struct FindOrCreateTests {
    @Test func findingTheActorAGlobalNameHasCreatesNothing() async throws {
        try await InProcessCluster.with(members: [], types: RuntimeTests.types, messages: RuntimeTests.messages) { leader, _ in
            let first = try await leader.core.findOrCreate(typeName: Counter.typeName, globalName: "counter", parent: nil)
            #expect(first.created)
            for _ in 0..<3 {
                let again = try await leader.core.findOrCreate(typeName: Counter.typeName, globalName: "counter", parent: nil)
                #expect(again.address == first.address && !again.created)
            }
            let anonymous = try await leader.core.findOrCreate(typeName: Counter.typeName, globalName: nil, parent: nil)
            #expect(anonymous.created && anonymous.address != first.address)
        }
    }
}
