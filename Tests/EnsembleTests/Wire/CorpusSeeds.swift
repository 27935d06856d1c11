import EncoderApp
@_spi(Fuzzing) @testable import Ensemble

/// The seed inputs of the wire fuzzer's corpus (`Tests/Corpus/wire`), by file name.
///
/// A name's prefix says what the input must do, and `CorpusReplayTests` holds
/// every committed file to it: `valid-frame-` decodes as a batch whose every
/// payload decodes as its kind is read, `valid-payload-NAME-` decodes on its
/// own as the type travelling under NAME, `valid-refusal-` is a version
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
    static let controls: [(String, Control)] = [
        ("join", .join(JoinRequest(
            node: n2, capabilities: caps, load: 2, protocolVersion: 1,
            names: [NamedActor(name: "Acceptor", address: a2, bornMs: 1_700_000_000_000)]))),
        ("welcome", .welcome(snapshot)), ("refused", .refused("no node has the capability \"morse\"")),
        ("leave", .leave(n2)), ("loadReport", .loadReport(n2, 5)), ("snapshotRequest", .snapshotRequest),
        ("snapshot", .snapshot(snapshot)),
        ("create", .create(CreateRequest(typeName: "MorseEncoder", parent: a1, globalName: nil))),
        ("create-named", .create(CreateRequest(typeName: "Acceptor", parent: nil, globalName: "Acceptor"))),
        ("created", .created(a2, load: 3)), ("claimName", .claimName("Acceptor")),
        ("nameClaim-existing", .nameClaim(.existing(a1))), ("nameClaim-granted", .nameClaim(.granted)),
        ("registerName", .registerName("Acceptor", a1, bornMs: 1_700_000_000_000)),
        ("releaseName", .releaseName("Acceptor", a1)), ("abandonName", .abandonName("Acceptor")),
        ("createActor", .createActor(typeName: "Acceptor", globalName: "Acceptor")), ("status", .status),
        ("statusReport", .statusReport(report)), ("listActors", .listActors), ("actors", .actors([record])),
        ("ping", .ping), ("pong", .pong(n1)), ("stop", .stop),
        ("changeCapability", .changeCapability(add: true, name: "64bit encoder")),
        ("capabilitySet", .capabilitySet(caps)), ("capabilitiesChanged", .capabilitiesChanged(n2, caps)),
        ("kill", .kill(a2)), ("heartbeat", .heartbeat(n2, load: 2, capabilities: caps)),
        ("declaredDown", .declaredDown(n2)), ("describeView", .describeView),
        ("viewDescription", .viewDescription(snapshot)), ("viewDescription-none", .viewDescription(nil)), ("ok", .ok),
        ("join-maxMessageSize", .join(JoinRequest(
            node: n2, capabilities: .none, load: 0, protocolVersion: 1, maxMessageSize: 1 << 20))),
        ("welcome-maxMessageSize", .welcome(limitedSnapshot)),
        ("joinLater", .joinLater("127.0.0.1:10000 is held by a live life")), ("staleLife", .staleLife(n1)),
        ("probeRequest", .probeRequest(n2)), ("probeAnswered", .probeAnswered(n2)),
        ("metrics", .metrics), ("metricsText", .metricsText("# TYPE ensemble_actors gauge\nensemble_actors 3\n")),
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

    /// One message of every registered type: the encoder application's and the system's.
    static let messages: [(String, any Message)] = [
        ("EncodeRequest", EncodeRequest(text: "This is a multi-system test", requestID: 1)),
        ("EncodingDispatched", EncodingDispatched(
            encoders: ["Encoder", "MorseEncoder"], unplaced: [UnplacedEncoder(encoder: "Base64Encoder", reason: "no node")],
            requestID: 1)),
        ("EncodeText", EncodeText(text: "hi", analyzer: a1, requester: a2, encoder: "MorseEncoder", resends: 1, requestID: 1)),
        ("AnalyzeEncoding", AnalyzeEncoding(encoder: "Rot13Encoder", input: "hi", output: "uv", requester: a2, requestID: 1)),
        ("EncodingReport", EncodingReport(encoder: "Encoder", density: 0.75, output: "VGhp", requestID: 1)),
        ("ActorExitRequest", ActorExitRequest()),
        ("ChildActorExited", ChildActorExited(child: a2, reason: .nodeLost(n2.address))),
        ("PoisonMessage", PoisonMessage(originalType: "EncodeText", originalPayload: [0xFE, 0, 1], details: "boom")),
        ("DeadLetter", DeadLetter(recipient: a2, originalType: "EncodeText", originalPayload: [0xFE], reason: "gone")),
        ("WakeupMessage", WakeupMessage(payload: "tick")),
    ]

    static func payload(_ value: some Encodable) -> [UInt8] {
        // Every seed value encodes; a failure here is a bug in the seeds, not an input.
        try! PayloadCodec.encode(value)
    }

    static func envelope(
        _ kind: EnvelopeKind, _ typeName: String, _ payload: [UInt8], from sender: ActorAddress? = a1,
        to recipient: ActorAddress = .system(n2), correlationID: UInt64 = 0
    ) -> Envelope {
        Envelope(kind: kind, sender: sender, recipient: recipient, typeName: typeName, correlationID: correlationID, payload: payload)
    }

    static var frames: [(String, [UInt8])] {
        var frames = messages.map { name, message in
            ("tell-\(name)", envelope(.tell, name, payload(message), to: a2).encoded())
        }
        // A hand-written message type also reads the Codable layout.
        let codable = try! BinaryPayloadEncoder().encode(EncodeRequest(text: "hi", requestID: 2))
        frames.append(("tell-EncodeRequest-codable", envelope(.tell, "EncodeRequest", codable, to: a2).encoded()))
        for name in ["join", "create", "heartbeat"] {
            let control = controls.first { $0.0 == name }!.1
            frames.append(("control-\(name)", envelope(.control, "control", payload(control), correlationID: 9).encoded()))
        }
        frames.append(("control-from-client", envelope(.control, "control", payload(Control.status), from: nil).encoded()))
        for name in ["welcome", "statusReport", "created"] {
            let control = controls.first { $0.0 == name }!.1
            frames.append(("reply-\(name)", envelope(.reply, "control", payload(control), correlationID: 9).encoded()))
        }
        frames += planeFrames
        let report = EncodingReport(encoder: "Encoder", density: nil, output: "", requestID: 3)
        frames.append(("reply-EncodingReport", envelope(.reply, "EncodingReport", payload(report), correlationID: 3).encoded()))
        frames.append(("update-heartbeat", envelope(.update, "heartbeat", payload(heartbeat), to: .system(n1)).encoded()))
        for (name, update) in updates.prefix(2) {
            frames.append(("update-\(name)", envelope(.update, "update", payload(update), to: .system(n1)).encoded()))
        }
        frames.append(("batch", Envelope.encodeBatch([
            envelope(.tell, "EncodeText", payload(messages[2].1), to: a2, correlationID: 1),
            envelope(.control, "control", payload(Control.ping), from: nil),
            envelope(.reply, "control", payload(Control.pong(n2)), from: .system(n2), to: a1, correlationID: 5),
            envelope(.tell, "WakeupMessage", payload(WakeupMessage()), from: a2, to: a2),
        ])))
        return frames
    }

    /// Frames for the convention `ControlFuzzing` sets up for each input: the leader's answers to
    /// its member's JOIN (welcome, put off, a newer life known, refused) and heartbeat (declared
    /// down), a snapshot, the leader's next updates and a heartbeat ahead of them, and JOINs of a
    /// stranger and of a newer life of the member, at the convention's message size limit.
    static var planeFrames: [(String, [UInt8])] {
        let leader = ControlFuzzing.leader, member = ControlFuzzing.member, limit = ControlFuzzing.maxMessageSize
        let joinID = ControlFuzzing.firstJoinID
        let view = ViewSnapshot(
            leader: leader, sequence: 7,
            members: [leader, ControlFuzzing.peer, member].map { MemberInfo(node: $0, capabilities: caps, load: 1) },
            names: ["Acceptor": ActorAddress(node: member, id: 7)], maxMessageSize: limit)
        func reply(_ control: Control, _ id: UInt64) -> [UInt8] {
            envelope(.reply, "control", payload(control), from: .system(leader), to: .system(member), correlationID: id).encoded()
        }
        func join(_ node: NodeID) -> [UInt8] {
            let request = JoinRequest(
                node: node, capabilities: caps, load: 0, protocolVersion: Envelope.protocolVersion, maxMessageSize: limit)
            return envelope(.control, "control", payload(Control.join(request)), from: .system(node), to: .system(leader),
                            correlationID: 77).encoded()
        }
        let newer = NodeID(address: member.address, incarnation: member.incarnation + 1)
        let updates = [
            SequencedUpdate(leader: leader, sequence: 3, update: .load(member, 2)),
            SequencedUpdate(leader: leader, sequence: 4, update: .nameRegistered("Acceptor", ActorAddress(node: member, id: 7))),
            SequencedUpdate(leader: leader, sequence: 5, update: .memberDown(ControlFuzzing.peer, reason: "no heartbeat")),
        ]
        let published = updates.map { envelope(.update, "update", payload($0), from: .system(leader), to: .system(leader)) }
        let ahead = envelope(.update, "heartbeat", payload(LeaderHeartbeat(leader: leader, sequence: 9)), to: .system(leader))
        return [
            ("plane-welcome", reply(.welcome(view), joinID)),
            ("plane-joinLater", reply(.joinLater("\(member.address) is held by a live life"), joinID)),
            ("plane-staleLife", reply(.staleLife(newer), joinID)),
            ("plane-refused", reply(.refused("protocol version 1 is not supported"), joinID)),
            ("plane-declaredDown", reply(.declaredDown(member), ControlFuzzing.heartbeatID)),
            ("plane-snapshot", reply(.snapshot(view), joinID + 1)),
            ("plane-updates", Envelope.encodeBatch(published + [ahead])),
            ("plane-join-stranger", join(ControlFuzzing.stranger)),
            ("plane-join-newer-life", join(newer)),
        ]
    }

    /// The status report with `count` more counters, written in key order (a Dictionary's order
    /// depends on the hash seed). Decoding one with 40,000 counters once took minutes: each key
    /// was looked up by a scan of all of them.
    static func statusReport(counters count: Int) -> [UInt8] {
        let bytes = payload(Control.statusReport(report))
        let marker = [BinaryTag.string.rawValue, 8] + Array("counters".utf8) + [BinaryTag.object.rawValue]
        let found = (0...bytes.count - marker.count).first { bytes[$0..<$0 + marker.count].elementsEqual(marker) }
        let start = found! + marker.count
        var counters: [UInt8] = []
        for index in 0..<count {
            let key = Array("c\(index)".utf8)
            counters += [BinaryTag.string.rawValue, UInt8(key.count)] + key + [BinaryTag.uint.rawValue, 1]
        }
        return Array(bytes[..<start]) + counters + Array(bytes[start...])
    }

    /// Every seed, by file name.
    static var all: [(name: String, bytes: [UInt8])] {
        var seeds: [(name: String, bytes: [UInt8])] = []
        for (name, frame) in frames { seeds.append(("valid-frame-\(name)", frame)) }
        for (name, control) in controls { seeds.append(("valid-payload-control-\(name)", payload(control))) }
        seeds.append(("valid-payload-control-statusReport-8000-counters", statusReport(counters: 8000)))
        for (name, update) in updates { seeds.append(("valid-payload-update-\(name)", payload(update))) }
        seeds.append(("valid-payload-heartbeat-leader", payload(heartbeat)))
        for (name, message) in messages { seeds.append(("valid-payload-\(name)-sample", payload(message))) }
        seeds.append(("valid-refusal-version", Envelope.versionRefusal("protocol version 2 is not supported by 127.0.0.1:1900 (it speaks 1)")))
        seeds.append(("valid-refusal-empty", Envelope.versionRefusal("")))
        seeds.append(("valid-identity-ipv4", Array("N\(n1)".utf8)))
        seeds.append(("valid-identity-ipv6", Array("N\(n2)".utf8)))
        let request = frames[0].1
        seeds.append(("rejected-frame-empty", []))
        seeds.append(("rejected-frame-truncated", Array(request.dropLast())))
        var version = request
        version[1] = 2
        seeds.append(("rejected-frame-version-2", version))
        seeds.append(("rejected-frame-trailing-magic", request + [0xE5]))
        return seeds
    }
}
