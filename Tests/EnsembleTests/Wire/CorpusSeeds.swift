import EncoderApp
import SwiftProtobuf
@_spi(Fuzzing) @testable import Ensemble

/// The seed inputs of the wire fuzzer's corpus (`Tests/Corpus/wire`), by file name.
///
/// A name's prefix says what the input must do, and `CorpusReplayTests` holds
/// every committed file to it: `valid-frame-` decodes as a batch whose every
/// payload decodes as its kind is read, `valid-payload-NAME-` decodes on its
/// own as the type travelling under NAME (a full proto name such as
/// `ensemble.v2.JoinRequest`, or a registered message type), `valid-refusal-` is a version
/// refusal, `valid-identity-` a node connection's identity, `rejected-frame-`
/// is a frame the decoder must refuse. Any other file (fuzzer finds,
/// `regression-` inputs) only must not trap. Dictionaries hold one entry at
/// most, so the bytes do not depend on the hash seed and regenerating the
/// corpus changes nothing.
enum CorpusSeeds {
    static let n1 = NodeID(address: NodeAddress(host: "127.0.0.1", port: 1900), incarnation: 0x18c_2f3a_4b51)
    static let n2 = NodeID(address: NodeAddress(host: "::1", port: 10_000), incarnation: .max)
    static let a1 = ActorAddress(node: n1, id: 7)
    static let a2 = ActorAddress(node: n2, id: 2)
    static let caps = Capabilities(["morse", "Caesar cipher"])
    static let snapshot = ViewSnapshot(
        leader: n1, sequence: 42,
        members: [MemberInfo(node: n1, capabilities: .none), MemberInfo(node: n2, capabilities: caps, load: 3)],
        names: ["Acceptor": a1])
    static let limitedSnapshot = ViewSnapshot(
        leader: n1, sequence: 7, members: [MemberInfo(node: n1, capabilities: caps)], names: [:], maxMessageSize: 1 << 20)
    static let record = ActorRecord(address: a2, type: "MorseEncoder", parent: a1, globalName: nil, restarts: 1)
    static let report = StatusReport(
        node: n1, leader: n1,
        members: [MemberStatus(node: n2, capabilities: caps, leader: false, alive: true, lastHeardMs: 117)],
        actors: [ActorRecord(address: a1, type: "Acceptor", parent: nil, globalName: "Acceptor", restarts: 0), record],
        globalNames: ["Acceptor": a1], unreachable: [NodeAddress(host: "10.0.0.9", port: 10_101)],
        counters: ["malformedFrames": 2])

    /// One value of every `Control` case (two where a case has optional parts).
    static let controls: [(String, AnyControl)] = [
        ("join", .request(.join(JoinRequest(
            node: n2, capabilities: caps, load: 2, protocolVersion: Envelope.protocolVersion,
            names: [NamedActor(name: "Acceptor", address: a2, bornMs: 1_700_000_000_000)])))),
        ("welcome", .reply(.welcome(snapshot))), ("refused", .reply(.refused("no node has the capability \"morse\""))),
        ("leave", .request(.leave(n2))), ("loadReport", .request(.loadReport(n2, 5))), ("snapshotRequest", .request(.snapshotRequest)),
        ("snapshot", .reply(.snapshot(snapshot))),
        ("create", .request(.create(CreateRequest(typeName: "MorseEncoder", parent: a1, globalName: nil)))),
        ("create-named", .request(.create(CreateRequest(typeName: "Acceptor", parent: nil, globalName: "Acceptor")))),
        ("created", .reply(.created(a2, load: 3))), ("claimName", .request(.claimName("Acceptor"))),
        ("nameClaim-existing", .reply(.nameClaim(.existing(a1)))), ("nameClaim-granted", .reply(.nameClaim(.granted))),
        ("registerName", .request(.registerName("Acceptor", a1, bornMs: 1_700_000_000_000))),
        ("releaseName", .request(.releaseName("Acceptor", a1))), ("abandonName", .request(.abandonName("Acceptor"))),
        ("createActor", .request(.createActor(typeName: "Acceptor", globalName: "Acceptor"))), ("status", .request(.status())),
        ("statusReport", .reply(.statusReport(report))), ("listActors", .request(.listActors())), ("actors", .reply(.actors([record]))),
        ("ping", .request(.ping)), ("pong", .reply(.pong(n1))), ("stop", .request(.stop)),
        ("changeCapability", .request(.changeCapability(add: true, name: "64bit encoder"))),
        ("capabilitySet", .reply(.capabilitySet(caps))), ("capabilitiesChanged", .request(.capabilitiesChanged(n2, caps))),
        ("kill", .request(.kill(a2))), ("heartbeat", .request(.heartbeat(n2, load: 2, capabilities: caps))),
        ("declaredDown", .reply(.declaredDown(n2))), ("describeView", .request(.describeView)),
        ("viewDescription", .reply(.viewDescription(snapshot))), ("viewDescription-none", .reply(.viewDescription(nil))), ("ok", .reply(.ok)),
        ("join-maxMessageSize", .request(.join(JoinRequest(
            node: n2, capabilities: .none, load: 0, protocolVersion: Envelope.protocolVersion, maxMessageSize: 1 << 20)))),
        ("welcome-maxMessageSize", .reply(.welcome(limitedSnapshot))),
        ("joinLater", .reply(.joinLater("127.0.0.1:10000 is held by a live life"))), ("staleLife", .reply(.staleLife(n1))),
        ("probeRequest", .request(.probeRequest(n2))), ("probeAnswered", .reply(.probeAnswered(n2))),
        ("metrics", .request(.metrics)), ("metricsText", .reply(.metricsText("# TYPE ensemble_actors gauge\nensemble_actors 3\n"))),
    ]

    /// One update of every `ViewUpdate` case.
    static let updates: [(String, SequencedUpdate)] = {
        let changes: [(String, ViewUpdate)] = [
            ("memberUp", .memberUp(MemberInfo(node: n2, capabilities: caps, load: 1))),
            ("memberDown", .memberDown(n2, reason: "no heartbeat")), ("capabilities", .capabilities(n2, .none)),
            ("load", .load(n2, 4)), ("nameRegistered", .nameRegistered("Acceptor", a1)),
            ("nameReleased", .nameReleased("Acceptor")),
        ]
        return changes.enumerated().map { index, change in
            (change.0, SequencedUpdate(leader: n1, sequence: UInt64(index + 1), update: change.1))
        }
    }()

    static let heartbeat = LeaderHeartbeat(leader: n1, sequence: 6)

    /// One message of every registered type: the encoder application's, the system's, and one
    /// `Codable` message, so the compact format stays fuzzed.
    static let messages: [(String, any Ensemble.Message)] = [
        ("EncodeRequest", EncodeRequest(text: "This is a multi-system test", requestID: 1)),
        ("EncodingDispatched", EncodingDispatched(
            encoders: ["Encoder", "MorseEncoder"], unplaced: [UnplacedEncoder(encoder: "Base64Encoder", reason: "no node")],
            requestID: 1)),
        ("EncodeText", EncodeText(text: "hi", analyzer: a1, requester: a2, encoder: "MorseEncoder", resends: 1, requestID: 1)),
        ("AnalyzeEncoding", AnalyzeEncoding(encoder: "Rot13Encoder", input: "hi", output: "uv", requester: a2, requestID: 1)),
        ("EncodingReport", EncodingReport(encoder: "Encoder", density: 0.75, output: "VGhp", requestID: 1)),
        ("EncodingFailed", EncodingFailed(encoder: "MorseEncoder", reason: "too large", requestID: 1)),
        ("EncodingUnplaced", EncodingUnplaced(unplaced: UnplacedEncoder(encoder: "Base64Encoder", reason: "node lost"), requestID: 1)),
        ("ActorExitRequest", ActorExitRequest()),
        ("ChildActorExited", ChildActorExited(child: a2, reason: .nodeLost(n2.address))),
        ("PoisonMessage", PoisonMessage(originalType: EncodeText.messageType, originalPayload: [0x0A, 0, 1], details: "boom")),
        ("DeadLetter", DeadLetter(
            recipient: a2, originalType: EncodeText.messageType, originalPayload: [0x0A, 0], reason: "too large",
            tooLarge: MessageTooLarge(size: 2 << 20, limit: 1 << 20))),
        ("ChildActorReplaced", ChildActorReplaced(child: a2, replacement: a1, reason: .capabilityLost)),
        ("WakeupMessage", WakeupMessage(payload: "tick")),
        ("GatewayChanged", GatewayChanged(from: n1.address, to: n2.address, reason: "no answer in 1.5 s")),
    ]

    static func payload(_ message: any Ensemble.Message) -> [UInt8] {
        // Every seed value encodes; a failure here is a bug in the seeds, not an input.
        try! message.encodedPayload()
    }

    static func payload(_ control: AnyControl) -> [UInt8] { try! control.encoded().payload }

    static func payload(_ value: some ProtoConvertible) -> [UInt8] { try! value.protoBytes() }

    static func envelope(
        _ kind: EnvelopeKind, _ typeName: String, _ payload: [UInt8], from sender: ActorAddress? = a1,
        to recipient: ActorAddress = .system(n2), correlationID: UInt64 = 0
    ) -> Envelope {
        Envelope(kind: kind, sender: sender, recipient: recipient, typeName: typeName, correlationID: correlationID, payload: payload)
    }

    static func envelope(
        _ kind: EnvelopeKind, _ control: AnyControl, from sender: ActorAddress? = a1, to recipient: ActorAddress = .system(n2),
        correlationID: UInt64 = 0
    ) -> Envelope {
        let (typeName, payload) = try! control.encoded()
        return envelope(kind, typeName, payload, from: sender, to: recipient, correlationID: correlationID)
    }

    static func control(_ name: String) -> AnyControl { controls.first { $0.0 == name }!.1 }

    static var frames: [(String, [UInt8])] {
        var frames = messages.map { name, message in
            ("tell-\(name)", envelope(.tell, type(of: message).messageType, payload(message), to: a2).encoded())
        }
        for name in ["join", "create", "heartbeat"] {
            frames.append(("control-\(name)", envelope(.control, control(name), correlationID: 9).encoded()))
        }
        frames.append(("control-from-client", envelope(.control, .request(.status()), from: nil).encoded()))
        for name in ["welcome", "statusReport", "created"] {
            frames.append(("reply-\(name)", envelope(.reply, control(name), correlationID: 9).encoded()))
        }
        frames += planeFrames
        let report = EncodingReport(encoder: "Encoder", density: nil, output: "", requestID: 3)
        frames.append(("reply-EncodingReport", envelope(.reply, EncodingReport.messageType, payload(report), correlationID: 3).encoded()))
        frames.append(("update-heartbeat", envelope(.update, LeaderHeartbeat.wireTypeName, payload(heartbeat), to: .system(n1)).encoded()))
        for (name, update) in updates.prefix(2) {
            frames.append(("update-\(name)", envelope(.update, SequencedUpdate.wireTypeName, payload(update), to: .system(n1)).encoded()))
        }
        frames.append(("batch", Envelope.encodeBatch([
            envelope(.tell, EncodeText.messageType, payload(messages[2].1), to: a2, correlationID: 1),
            envelope(.control, .request(.ping), from: nil),
            envelope(.reply, .reply(.pong(n2)), from: .system(n2), to: a1, correlationID: 5),
            envelope(.tell, WakeupMessage.messageType, payload(WakeupMessage()), from: a2, to: a2),
        ])))
        return frames
    }

    /// Frames for the convention `ControlFuzzing` sets up for each input: the leader's answers to
    /// its member's JOIN (welcome, put off, a newer life known, refused) and heartbeat (declared
    /// down), a snapshot, the leader's next updates and a heartbeat ahead of them, JOINs of a
    /// stranger and of a newer life of the member, at the convention's message size limit, and a
    /// welcome at the last sequence number followed by an update numbered 0 (which once wrapped
    /// the member's view around).
    static var planeFrames: [(String, [UInt8])] {
        let leader = ControlFuzzing.leader, member = ControlFuzzing.member, limit = ControlFuzzing.maxMessageSize
        let joinID = ControlFuzzing.firstJoinID
        let view = ViewSnapshot(
            leader: leader, sequence: 7,
            members: [leader, ControlFuzzing.peer, member].map { MemberInfo(node: $0, capabilities: caps, load: 1) },
            names: ["Acceptor": ActorAddress(node: member, id: 7)], maxMessageSize: limit)
        func reply(_ control: ControlReply, _ id: UInt64) -> Envelope {
            envelope(.reply, .reply(control), from: .system(leader), to: .system(member), correlationID: id)
        }
        func join(_ node: NodeID) -> [UInt8] {
            let request = JoinRequest(
                node: node, capabilities: caps, load: 0, protocolVersion: Envelope.protocolVersion, maxMessageSize: limit)
            return envelope(.control, .request(.join(request)), from: .system(node), to: .system(leader), correlationID: 77).encoded()
        }
        func publish(_ update: SequencedUpdate) -> Envelope {
            envelope(.update, SequencedUpdate.wireTypeName, payload(update), from: .system(leader), to: .system(leader))
        }
        let newer = NodeID(address: member.address, incarnation: member.incarnation + 1)
        let updates = [
            SequencedUpdate(leader: leader, sequence: 3, update: .load(member, 2)),
            SequencedUpdate(leader: leader, sequence: 4, update: .nameRegistered("Acceptor", ActorAddress(node: member, id: 7))),
            SequencedUpdate(leader: leader, sequence: 5, update: .memberDown(ControlFuzzing.peer, reason: "no heartbeat")),
        ]
        let ahead = envelope(
            .update, LeaderHeartbeat.wireTypeName, payload(LeaderHeartbeat(leader: leader, sequence: 9)), to: .system(leader))
        var last = view
        last.sequence = .max
        return [
            ("plane-welcome", reply(.welcome(view), joinID).encoded()),
            ("plane-joinLater", reply(.joinLater("\(member.address) is held by a live life"), joinID).encoded()),
            ("plane-staleLife", reply(.staleLife(newer), joinID).encoded()),
            ("plane-refused", reply(.refused("protocol version 1 is not supported"), joinID).encoded()),
            ("plane-declaredDown", reply(.declaredDown(member), ControlFuzzing.heartbeatID).encoded()),
            ("plane-snapshot", reply(.snapshot(view), joinID + 1).encoded()),
            ("plane-updates", Envelope.encodeBatch(updates.map(publish) + [ahead])),
            ("plane-join-stranger", join(ControlFuzzing.stranger)),
            ("plane-join-newer-life", join(newer)),
            ("plane-sequence-wraps", Envelope.encodeBatch([
                reply(.welcome(last), joinID),
                publish(SequencedUpdate(leader: leader, sequence: 0, update: .load(ControlFuzzing.peer, 9))),
            ])),
        ]
    }

    /// The status report with `count` more counters. A map's entries are written in the
    /// Dictionary's order, which depends on the hash seed, so they are appended one message at a
    /// time: protobuf reads concatenated messages as one, merged. The proto map decoder must take
    /// them in linear time (the compact format's once took minutes for 40,000 keys).
    static func statusReport(counters count: Int) -> [UInt8] {
        var bytes = payload(AnyControl.reply(.statusReport(report)))
        for index in 0..<count {
            bytes += try! Ensemble_V2_StatusReport.with { $0.counters = ["c\(index)": 1] }.serializedBytes()
        }
        return bytes
    }

    /// A `GatewayChanged` in the compact format with `count` keys more than it has fields, in
    /// key order: decoding one with 40,000 keys once took minutes, each key looked up by a scan
    /// of all of them.
    static func gatewayChanged(extraKeys count: Int) -> [UInt8] {
        let bytes = payload(messages.first { $0.0 == "GatewayChanged" }!.1)
        // An object's entries end with the end tag; the extra keys go before it.
        precondition(bytes.first == BinaryTag.object.rawValue && bytes.last == BinaryTag.end.rawValue)
        var extra: [UInt8] = []
        for index in 0..<count {
            let key = Array("c\(index)".utf8)
            extra += [BinaryTag.string.rawValue, UInt8(key.count)] + key + [BinaryTag.uint.rawValue, 1]
        }
        return Array(bytes.dropLast()) + extra + [BinaryTag.end.rawValue]
    }

    /// Every seed, by file name.
    static var all: [(name: String, bytes: [UInt8])] {
        var seeds: [(name: String, bytes: [UInt8])] = []
        for (name, frame) in frames { seeds.append(("valid-frame-\(name)", frame)) }
        for (name, control) in controls {
            let (typeName, payload) = try! control.encoded()
            seeds.append(("valid-payload-\(typeName)-\(name)", payload))
        }
        seeds.append(("valid-payload-\(StatusReport.wireTypeName)-statusReport-8000-counters", statusReport(counters: 8000)))
        for (name, update) in updates { seeds.append(("valid-payload-\(SequencedUpdate.wireTypeName)-\(name)", payload(update))) }
        seeds.append(("valid-payload-\(LeaderHeartbeat.wireTypeName)-leader", payload(heartbeat)))
        for (_, message) in messages { seeds.append(("valid-payload-\(type(of: message).messageType)-sample", payload(message))) }
        seeds.append(("valid-payload-\(GatewayChanged.messageType)-8000-keys", gatewayChanged(extraKeys: 8000)))
        seeds.append(("valid-refusal-version", Envelope.versionRefusal("protocol version 3 is not supported by 127.0.0.1:1900 (it speaks 2)")))
        seeds.append(("valid-refusal-empty", Envelope.versionRefusal("")))
        seeds.append(("valid-identity-ipv4", Array("N\(n1)".utf8)))
        seeds.append(("valid-identity-ipv6", Array("N\(n2)".utf8)))
        let request = frames[0].1
        seeds.append(("rejected-frame-empty", []))
        seeds.append(("rejected-frame-truncated", Array(request.dropLast())))
        for other in [Envelope.protocolVersion - 1, Envelope.protocolVersion + 1] {
            var version = request
            version[1] = other
            seeds.append(("rejected-frame-version-\(other)", version))
        }
        seeds.append(("rejected-frame-trailing-magic", request + [0xE5]))
        return seeds
    }
}
