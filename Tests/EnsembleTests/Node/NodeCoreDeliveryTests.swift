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

/// `NodeCore.deliver(_:of:in:from:keeping:)`: a run of a node's tells for one local actor, left in
/// their frame, one lookup and one lock; `NodeCore.open` decodes each when its actor takes it.
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
    @discardableResult
    static func deliver(_ envelopes: [Envelope], to core: NodeCore) -> [UInt8] {
        var received: ReceivedFrame?
        var types = RecentDecoder()
        guard !envelopes.isEmpty else {
            core.deliver([], of: [], in: [], from: remote, keeping: &received, types: &types)
            return []
        }
        let frame = Envelope.encodeBatch(envelopes)
        let headers = try! EnvelopeHeader.decodeBatch(frame)
        core.deliver(Array(headers.indices), of: headers, in: frame, from: remote, keeping: &received, types: &types)
        return frame
    }

    /// The messages a mailbox held, opened as its actor opens them, as their probes' ids.
    static func probeIDs(_ mails: [Mail], _ core: NodeCore, _ cell: ActorCell) -> [UInt64] {
        var decoders = RecentDecoder()
        return mails.compactMap { mail in
            guard case .framed = mail else { return 0 }
            guard let (message, _, correlationID) = core.open(mail, for: cell, decoders: &decoders) else { return nil }
            guard let probe = message.cast(to: DeliveryProbe.self) else { return 0 }
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
        #expect(Self.probeIDs(cell.closeAndDrain(), core, cell) == [1, 2, 3, 4])
        #expect(core.counters.snapshot["mailboxDrops"] == nil)
        withExtendedLifetime(node) {}
    }

    @Test func whatDoesNotFitIsDroppedAndEachSenderIsToldOnce() throws {
        let (node, core) = try Self.core(mailboxCapacity: 3)
        let address = core.spawn(RunSink.self, parent: nil, globalName: nil)
        let cell = try #require(core.cell(address.id))
        _ = try Self.deadLettersSent(core)
        Self.deliver(Self.run(to: address, 1...5), to: core)
        #expect(Self.probeIDs(cell.closeAndDrain(), core, cell) == [1, 2, 3])
        #expect(core.counters.snapshot["mailboxDrops"] == 2)
        let letters = try Self.deadLettersSent(core)
        #expect(letters.count == 2)
        #expect(letters.allSatisfy { $0.to == Fixture.actor(Self.remote, 3) && $0.originalType == "Probe" })
        withExtendedLifetime(node) {}
    }

    /// Mail left in its frame keeps the frame alive: each tell of a run is charged its share of
    /// the frame (and never less than its payload) against the mailbox's byte bound.
    @Test func eachTellIsChargedItsShareOfTheFrame() throws {
        let (node, core) = try Self.core(mailboxCapacity: 10)
        let address = core.spawn(RunSink.self, parent: nil, globalName: nil)
        let other = core.spawn(RunSink.self, parent: nil, globalName: nil)
        let cell = try #require(core.cell(address.id))
        let sender = Fixture.actor(Self.remote, 3)
        let envelopes = [(address, 10), (other, 3000), (address, 20), (address, 400)].enumerated().map { index, pair in
            Envelope(kind: .tell, sender: sender, recipient: pair.0, typeName: PaddedProbe.messageType,
                     correlationID: UInt64(index + 1), payload: try! PaddedProbe(id: UInt64(index + 1), bytes: pair.1).encodedPayload())
        }
        let frame = Envelope.encodeBatch(envelopes)
        let headers = try EnvelopeHeader.decodeBatch(frame)
        var received: ReceivedFrame?
        var types = RecentDecoder()
        core.deliver([0], of: headers, in: frame, from: Self.remote, keeping: &received, types: &types)
        core.deliver([2, 3], of: headers, in: frame, from: Self.remote, keeping: &received, types: &types)
        let charges = cell.closeAndDrain().map(\.wireBytes)
        // Alone, the first keeps the whole frame; the next two share it.
        #expect(charges == [frame.count, (frame.count + 1) / 2, (frame.count + 1) / 2])
        #expect(FramedMail.charge(payload: 500, frameBytes: 600, runCount: 3) == 500)
        #expect(received?.bytes == frame && received?.sender == Self.remote)
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
        #expect(Self.probeIDs(cell.closeAndDrain(), core, cell) == [])
        withExtendedLifetime(node) {}
    }

    @Test func aRunOfOneIsDeliveredLikeASingleEnvelope() throws {
        let (node, core) = try Self.core(mailboxCapacity: 1)
        let address = core.spawn(RunSink.self, parent: nil, globalName: nil)
        let cell = try #require(core.cell(address.id))
        Self.deliver(Self.run(to: address, 1...1), to: core)
        Self.deliver(Self.run(to: address, 2...2), to: core)
        Self.deliver([], to: core)
        #expect(Self.probeIDs(cell.closeAndDrain(), core, cell) == [1])
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

    /// A payload of a type this node does not know is refused as it arrives, one that does not
    /// decode as its type when its actor takes it: each counted, its sender poisoned, and the mail
    /// around it handled.
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
        #expect(core.counters.snapshot["undecodableMessages"] == 1)
        #expect(Self.probeIDs(cell.closeAndDrain(), core, cell) == [1, 3])
        #expect(core.counters.snapshot["undecodableMessages"] == 2)
        let poisons = core.io.drain(acknowledgingWake: false).mail.filter { $0.typeName == PoisonMessage.messageType }
        #expect(poisons.map(\.correlationID) == [4, 2])
        #expect(poisons.allSatisfy { $0.recipient == Fixture.actor(Self.remote, 3) && $0.sender == address })
        withExtendedLifetime(node) {}
    }

    /// A child's exit told by anyone but the child is a forgery, dropped when its actor takes it.
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
        var decoders = RecentDecoder()
        let opened = cell.closeAndDrain().compactMap { core.open($0, for: cell, decoders: &decoders) }
        #expect(core.counters.snapshot["lifecycleRefusals"] == 1)
        #expect(opened.count == 1)
        if let (message, sender, correlationID) = opened.first {
            #expect(message.cast(to: ChildActorExited.self)?.child == child && sender == child && correlationID == 2)
        } else {
            Issue.record("the child's own notice was not delivered")
        }
        withExtendedLifetime(node) {}
    }
}
