import Testing

@testable import Ensemble

/// An actor that takes everything (its task never runs in these tests).
private final class RunSink: EnsembleActor {
    static var typeName: String { "RunSink" }
    init() {}
    func receive(_ message: any Message, from sender: ActorAddress, context: ActorContext) async throws {}
}

/// `NodeCore.deliver(run:)`: a run of wire envelopes for one local actor, one lookup and one lock.
///
/// The node is created but never started. Its actors' tasks prefer the node's I/O
/// thread, which is not running, so they never take their mail: what a mailbox
/// holds is exactly what delivery put there.
struct NodeCoreDeliveryTests {
    static let remote = Fixture.node(9401, 7)

    static func core(mailboxCapacity: Int) throws -> (Node, NodeCore) {
        var configuration = NodeConfiguration(port: 9400)
        configuration.mailboxCapacity = mailboxCapacity
        configuration.actorsOnIOThread = true
        let node = try Node(configuration: configuration, actorTypes: [RunSink.self], messages: [], incarnation: 1)
        return (node, node.core)
    }

    static func run(to recipient: ActorAddress, _ ids: ClosedRange<UInt64>, sender: ActorAddress? = Fixture.actor(remote, 3)) -> [Envelope] {
        ids.map { id in
            Envelope(kind: .tell, sender: sender, recipient: recipient, typeName: "Probe", correlationID: id, payload: [UInt8(id)])
        }
    }

    /// The dead letters the node queued for sending, as (recipient of the letter, its original type).
    static func deadLettersSent(_ core: NodeCore) throws -> [(to: ActorAddress, originalType: String, reason: String)] {
        try core.io.drain(acknowledgingWake: false).mail
            .filter { $0.typeName == DeadLetter.messageType }
            .map { envelope in
                let letter = try DeadLetter.decodePayload(envelope.payload)
                return (to: envelope.recipient, originalType: letter.originalType, reason: letter.reason)
            }
    }

    @Test func aRunForALocalActorLandsInItsMailboxInOrder() throws {
        let (node, core) = try Self.core(mailboxCapacity: 10)
        let address = core.spawn(RunSink.self, parent: nil, globalName: nil)
        let cell = try #require(core.cell(address.id))
        core.deliver(run: Self.run(to: address, 1...4))
        #expect(ActorCellTests.ids(cell.closeAndDrain()) == [1, 2, 3, 4])
        #expect(core.counters.snapshot["mailboxDrops"] == nil)
        withExtendedLifetime(node) {}
    }

    @Test func whatDoesNotFitIsDroppedAndEachSenderIsToldOnce() throws {
        let (node, core) = try Self.core(mailboxCapacity: 3)
        let address = core.spawn(RunSink.self, parent: nil, globalName: nil)
        let cell = try #require(core.cell(address.id))
        _ = try Self.deadLettersSent(core)
        core.deliver(run: Self.run(to: address, 1...5))
        #expect(ActorCellTests.ids(cell.closeAndDrain()) == [1, 2, 3])
        #expect(core.counters.snapshot["mailboxDrops"] == 2)
        let letters = try Self.deadLettersSent(core)
        #expect(letters.count == 2)
        #expect(letters.allSatisfy { $0.to == Fixture.actor(Self.remote, 3) && $0.originalType == "Probe" })
        withExtendedLifetime(node) {}
    }

    @Test func aClosedMailboxRefusesTheWholeRun() throws {
        let (node, core) = try Self.core(mailboxCapacity: 10)
        let address = core.spawn(RunSink.self, parent: nil, globalName: nil)
        let cell = try #require(core.cell(address.id))
        cell.closeMailbox()
        core.deliver(run: Self.run(to: address, 1...3, sender: nil))
        #expect(core.counters.snapshot["mailboxDrops"] == 3)
        #expect(ActorCellTests.ids(cell.closeAndDrain()) == [])
        withExtendedLifetime(node) {}
    }

    @Test func aRunOfOneIsDeliveredLikeASingleEnvelope() throws {
        let (node, core) = try Self.core(mailboxCapacity: 1)
        let address = core.spawn(RunSink.self, parent: nil, globalName: nil)
        let cell = try #require(core.cell(address.id))
        core.deliver(run: Self.run(to: address, 1...1))
        core.deliver(run: Self.run(to: address, 2...2))
        core.deliver(run: [])
        #expect(ActorCellTests.ids(cell.closeAndDrain()) == [1])
        #expect(core.counters.snapshot["mailboxDrops"] == 1)
        withExtendedLifetime(node) {}
    }

    @Test func aRunForNoLocalActorIsReturnedAsDeadLetters() throws {
        let (node, core) = try Self.core(mailboxCapacity: 10)
        _ = try Self.deadLettersSent(core)
        let nowhere = ActorAddress(node: core.nodeID, id: 999)
        core.deliver(run: Self.run(to: nowhere, 1...3))
        #expect(core.counters.snapshot["deadLetters"] == 3)
        let letters = try Self.deadLettersSent(core)
        #expect(letters.count == 3)
        #expect(letters.allSatisfy { $0.to == Fixture.actor(Self.remote, 3) && $0.reason.contains("no actor") })
        withExtendedLifetime(node) {}
    }
}
