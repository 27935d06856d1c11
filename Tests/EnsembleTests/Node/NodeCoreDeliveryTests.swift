import Testing

@testable import Ensemble

/// An actor that takes everything (its task never runs in these tests).
private final class RunSink: EnsembleActor {
    static var typeName: String { "RunSink" }
    init() {}
    func receive(_ message: any Message, from sender: ActorAddress, context: ActorContext) async throws {}
}

/// A probe whose id travels in its payload.
private struct DeliveryProbe: WireMessage {
    static var messageType: String { "Probe" }
    var id: UInt64
    init(id: UInt64) { self.id = id }
    func write(to writer: inout WireWriter) { writer.write(id) }
    init(from reader: inout WireReader) throws { id = try reader.readUInt64() }
}

/// A probe with text beside its id, to make payloads of any size.
private struct PaddedProbe: WireMessage {
    static var messageType: String { "PaddedProbe" }
    var id: UInt64
    var text: String
    init(id: UInt64, bytes: Int) { self.id = id; text = String(repeating: "x", count: bytes) }
    func write(to writer: inout WireWriter) { writer.write(id); writer.write(text) }
    init(from reader: inout WireReader) throws { id = try reader.readUInt64(); text = try reader.readString() }
}

/// `NodeCore.deliver(_:of:in:decoder:)`: a run of a node's tells for one local actor, decoded from
/// their frame, one lookup and one lock.
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
        let node = try Node(configuration: configuration, actorTypes: [RunSink.self], messages: [DeliveryProbe.self, PaddedProbe.self], incarnation: 1)
        return (node, node.core)
    }

    static func run(to recipient: ActorAddress, _ ids: ClosedRange<UInt64>, sender: ActorAddress? = Fixture.actor(remote, 3)) -> [Envelope] {
        ids.map { id in
            Envelope(kind: .tell, sender: sender, recipient: recipient, typeName: "Probe", correlationID: id,
                     payload: try! DeliveryProbe(id: id).encodedPayload())
        }
    }

    /// Delivers `envelopes` as a node's frame brings them: encoded into one frame, read back as headers.
    static func deliver(_ envelopes: [Envelope], to core: NodeCore) {
        var decoder = RecentDecoder()
        guard !envelopes.isEmpty else { return core.deliver([], of: [], in: [], decoder: &decoder) }
        let frame = Envelope.encodeBatch(envelopes)
        let headers = try! EnvelopeHeader.decodeBatch(frame)
        core.deliver(Array(headers.indices), of: headers, in: frame, decoder: &decoder)
    }

    /// The messages a mailbox held, as their probes' ids (each was decoded as it was delivered).
    static func probeIDs(_ mails: [Mail]) -> [UInt64] {
        mails.map { mail in
            guard case .received(let message, _, let correlationID, _) = mail, let probe = message.cast(to: DeliveryProbe.self) else { return 0 }
            return probe.id == correlationID ? probe.id : 0
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
        Self.deliver(Self.run(to: address, 1...4), to: core)
        #expect(Self.probeIDs(cell.closeAndDrain()) == [1, 2, 3, 4])
        #expect(core.counters.snapshot["mailboxDrops"] == nil)
        withExtendedLifetime(node) {}
    }

    @Test func whatDoesNotFitIsDroppedAndEachSenderIsToldOnce() throws {
        let (node, core) = try Self.core(mailboxCapacity: 3)
        let address = core.spawn(RunSink.self, parent: nil, globalName: nil)
        let cell = try #require(core.cell(address.id))
        _ = try Self.deadLettersSent(core)
        Self.deliver(Self.run(to: address, 1...5), to: core)
        #expect(Self.probeIDs(cell.closeAndDrain()) == [1, 2, 3])
        #expect(core.counters.snapshot["mailboxDrops"] == 2)
        let letters = try Self.deadLettersSent(core)
        #expect(letters.count == 2)
        #expect(letters.allSatisfy { $0.to == Fixture.actor(Self.remote, 3) && $0.originalType == "Probe" })
        withExtendedLifetime(node) {}
    }

    /// A payload over `decodeOnArrivalBytes` is not decoded as it arrives (what it would decode
    /// into is not bounded by its bytes): it waits in the mailbox as its bytes, in its place in
    /// the run, and counts against the byte bound; when refused, its sender is told as for the rest.
    @Test func aLargePayloadWaitsInTheMailboxAsItsBytes() throws {
        let (node, core) = try Self.core(mailboxCapacity: 3)
        let address = core.spawn(RunSink.self, parent: nil, globalName: nil)
        let cell = try #require(core.cell(address.id))
        _ = try Self.deadLettersSent(core)
        let sender = Fixture.actor(Self.remote, 3)
        let large = try PaddedProbe(id: 2, bytes: NodeCore.decodeOnArrivalBytes).encodedPayload()
        #expect(large.count > NodeCore.decodeOnArrivalBytes)
        let run = [(1, 10), (2, NodeCore.decodeOnArrivalBytes), (3, 10), (4, NodeCore.decodeOnArrivalBytes)].map { id, bytes in
            Envelope(kind: .tell, sender: sender, recipient: address, typeName: PaddedProbe.messageType,
                     correlationID: UInt64(id), payload: try! PaddedProbe(id: UInt64(id), bytes: bytes).encodedPayload())
        }
        Self.deliver(run, to: core)
        let mails = cell.closeAndDrain()
        #expect(mails.count == 3)
        guard mails.count == 3, case .received(let first, _, 1, _) = mails[0], case .wire(let waiting) = mails[1],
            case .received(let third, _, 3, _) = mails[2]
        else {
            Issue.record("the mailbox holds \(mails)")
            return
        }
        #expect(first.cast(to: PaddedProbe.self)?.id == 1)
        #expect(third.cast(to: PaddedProbe.self)?.id == 3)
        #expect(waiting.payload == large)
        #expect(waiting.sender == sender && waiting.correlationID == 2 && waiting.typeName == PaddedProbe.messageType)
        // The fourth found the mailbox full: dropped, and its sender told.
        #expect(core.counters.snapshot["mailboxDrops"] == 1)
        let letters = try Self.deadLettersSent(core)
        #expect(letters.count == 1)
        #expect(letters.first?.to == sender && letters.first?.originalType == PaddedProbe.messageType)
        withExtendedLifetime(node) {}
    }

    @Test func aClosedMailboxRefusesTheWholeRun() throws {
        let (node, core) = try Self.core(mailboxCapacity: 10)
        let address = core.spawn(RunSink.self, parent: nil, globalName: nil)
        let cell = try #require(core.cell(address.id))
        cell.closeMailbox()
        _ = try Self.deadLettersSent(core)
        Self.deliver(Self.run(to: address, 1...3), to: core)
        #expect(core.counters.snapshot["mailboxDrops"] == 3)
        #expect(try Self.deadLettersSent(core).count == 3)
        #expect(Self.probeIDs(cell.closeAndDrain()) == [])
        withExtendedLifetime(node) {}
    }

    @Test func aRunOfOneIsDeliveredLikeASingleEnvelope() throws {
        let (node, core) = try Self.core(mailboxCapacity: 1)
        let address = core.spawn(RunSink.self, parent: nil, globalName: nil)
        let cell = try #require(core.cell(address.id))
        Self.deliver(Self.run(to: address, 1...1), to: core)
        Self.deliver(Self.run(to: address, 2...2), to: core)
        Self.deliver([], to: core)
        #expect(Self.probeIDs(cell.closeAndDrain()) == [1])
        #expect(core.counters.snapshot["mailboxDrops"] == 1)
        withExtendedLifetime(node) {}
    }

    @Test func aRunForNoLocalActorIsReturnedAsDeadLetters() throws {
        let (node, core) = try Self.core(mailboxCapacity: 10)
        _ = try Self.deadLettersSent(core)
        let nowhere = ActorAddress(node: core.nodeID, id: 999)
        Self.deliver(Self.run(to: nowhere, 1...3), to: core)
        #expect(core.counters.snapshot["deadLetters"] == 3)
        let letters = try Self.deadLettersSent(core)
        #expect(letters.count == 3)
        #expect(letters.allSatisfy { $0.to == Fixture.actor(Self.remote, 3) && $0.reason.contains("no actor") })
        withExtendedLifetime(node) {}
    }

    /// A payload that does not decode as its type is refused as it arrives: counted, its sender
    /// poisoned, and the mail around it delivered.
    @Test func anUndecodablePayloadIsRefusedAndItsNeighboursDelivered() throws {
        let (node, core) = try Self.core(mailboxCapacity: 10)
        let address = core.spawn(RunSink.self, parent: nil, globalName: nil)
        let cell = try #require(core.cell(address.id))
        _ = core.io.drain(acknowledgingWake: false)
        var run = Self.run(to: address, 1...3)
        run[1] = Envelope(kind: .tell, sender: Fixture.actor(Self.remote, 3), recipient: address, typeName: "Probe",
                          correlationID: 2, payload: [0xFE, 1, 2])
        run.append(Envelope(kind: .tell, sender: Fixture.actor(Self.remote, 3), recipient: address, typeName: "Unregistered",
                            correlationID: 4, payload: [1]))
        Self.deliver(run, to: core)
        #expect(Self.probeIDs(cell.closeAndDrain()) == [1, 3])
        #expect(core.counters.snapshot["undecodableMessages"] == 2)
        let poisons = core.io.drain(acknowledgingWake: false).mail.filter { $0.typeName == PoisonMessage.messageType }
        #expect(poisons.map(\.correlationID) == [2, 4])
        #expect(poisons.allSatisfy { $0.recipient == Fixture.actor(Self.remote, 3) && $0.sender == address })
        withExtendedLifetime(node) {}
    }

    /// A child's exit told by anyone but the child is a forgery, dropped as it arrives.
    @Test func aChildsExitFromAnotherSenderIsRefused() throws {
        let (node, core) = try Self.core(mailboxCapacity: 10)
        let address = core.spawn(RunSink.self, parent: nil, globalName: nil)
        let cell = try #require(core.cell(address.id))
        let child = Fixture.actor(Self.remote, 8)
        let notice = try ChildActorExited(child: child, reason: .stopped).encodedPayload()
        let forged = Envelope(kind: .tell, sender: Fixture.actor(Self.remote, 3), recipient: address,
                              typeName: ChildActorExited.messageType, correlationID: 1, payload: notice)
        let genuine = Envelope(kind: .tell, sender: child, recipient: address,
                               typeName: ChildActorExited.messageType, correlationID: 2, payload: notice)
        Self.deliver([forged, genuine], to: core)
        let held = cell.closeAndDrain()
        #expect(core.counters.snapshot["lifecycleRefusals"] == 1)
        #expect(held.count == 1)
        if case .received(let message, let sender, let correlationID, let bytes) = held.first {
            #expect(message.cast(to: ChildActorExited.self)?.child == child && sender == child && correlationID == 2)
            #expect(bytes == notice.count)
        } else {
            Issue.record("the child's own notice was not delivered: \(held)")
        }
        withExtendedLifetime(node) {}
    }
}
