import SwiftProtobuf
import Testing

@testable import Ensemble

extension ControlCodec {
    /// `request` encoded and decoded again, under the type name it travels as.
    static func roundTrip(_ request: ControlRequest) throws -> ControlRequest {
        let (typeName, payload) = try encode(request)
        return try decodeRequest(typeName, payload)
    }

    /// `reply` encoded and decoded again, under the type name it travels as.
    static func roundTrip(_ reply: ControlReply) throws -> ControlReply {
        let (typeName, payload) = try encode(reply)
        return try decodeReply(typeName, payload)
    }
}

/// A request or a reply, for the tests that go over both.
enum AnyControl: Equatable, CustomStringConvertible {
    case request(ControlRequest)
    case reply(ControlReply)

    func encoded() throws -> (typeName: String, payload: [UInt8]) {
        switch self {
        case .request(let request): return try ControlCodec.encode(request)
        case .reply(let reply): return try ControlCodec.encode(reply)
        }
    }

    /// As a node reads it: a request when the name is a request's, else a reply.
    static func decode(_ typeName: String, _ payload: [UInt8]) throws(WireError) -> AnyControl {
        ControlCodec.isRequest(typeName)
            ? .request(try ControlCodec.decodeRequest(typeName, payload)) : .reply(try ControlCodec.decodeReply(typeName, payload))
    }

    func envelope(sender: ActorAddress?, recipient: ActorAddress, correlationID: UInt64) throws -> Envelope {
        switch self {
        case .request(let request): return try Envelope(control: request, sender: sender, recipient: recipient, correlationID: correlationID)
        case .reply(let reply): return try Envelope(control: reply, sender: sender, recipient: recipient, correlationID: correlationID)
        }
    }

    var description: String {
        switch self {
        case .request(let request): return "\(request)"
        case .reply(let reply): return "\(reply)"
        }
    }
}

/// Values of the control requests and replies, each with the full proto name it travels under.
enum ControlSamples {
    static let n1 = NodeID(address: NodeAddress(host: "127.0.0.1", port: 10_000), incarnation: 0x18c_2f3a_4b51)
    static let n2 = NodeID(address: NodeAddress(host: "fe80::1", port: .max), incarnation: .max)
    static let a1 = ActorAddress(node: n1, id: 7)
    static let a2 = ActorAddress(node: n2, id: .max)
    static let firstContact = ActorAddress.system(NodeID(address: NodeAddress(host: "東京.example", port: 1), incarnation: 0))
    static let caps = Capabilities(["morse", "Caesar cipher", "64bit encoder"])
    /// A key as CurveZMQ writes one (Z85 of 32 bytes).
    static let key = CurveKey(z85: "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID")!
    static let members = [
        MemberInfo(node: n1, capabilities: caps, load: 3, publicKey: key), MemberInfo(node: n2, capabilities: .none),
    ]
    static let snapshot = ViewSnapshot(leader: n1, sequence: 42, members: members, names: ["echo": a1, "ß☃": a2])
    static let limited = ViewSnapshot(leader: n2, sequence: .max, members: [], names: [:], maxMessageSize: .max)
    static let elected = ViewSnapshot(leader: n2, sequence: 7, members: members, names: [:], term: .max, voters: [n1, n2])
    static let record = ActorRecord(address: a1, type: "Echo", parent: nil, globalName: "echo", restarts: 2)
    static let child = ActorRecord(address: a2, type: "", parent: a1, globalName: "", restarts: .max)
    static let report = StatusReport(
        node: n2, leader: n1,
        members: [MemberStatus(node: n1, capabilities: caps, leader: true, alive: false, lastHeardMs: 0, publicKey: key)],
        actors: [record, child], globalNames: ["echo": a1], unreachable: [NodeAddress(host: "10.0.0.9", port: 1)],
        counters: ["sent": 5, "": 0, "max": .max])
    static let joins = [
        JoinRequest(
            node: n1, capabilities: caps, load: 2, protocolVersion: Envelope.protocolVersion,
            names: [NamedActor(name: "e", address: a1, bornMs: 9)], publicKey: key, maxMessageSize: 64 << 20),
        JoinRequest(node: n2, capabilities: .none, load: 0, protocolVersion: .max),
    ]

    /// Every `Control` case at least once (twice or more where a case has optional or extreme parts).
    static let all: [(typeName: String, control: AnyControl)] = [
        ("ensemble.v2.JoinRequest", .request(.join(joins[0]))), ("ensemble.v2.JoinRequest", .request(.join(joins[1]))),
        ("ensemble.v2.Admission", .reply(.welcome(snapshot))), ("ensemble.v2.Admission", .reply(.welcome(limited))),
        ("ensemble.v2.Admission", .reply(.declaredDown(n1))), ("ensemble.v2.Admission", .reply(.joinLater("held by a live life"))),
        ("ensemble.v2.Admission", .reply(.joinLater(""))), ("ensemble.v2.Admission", .reply(.staleLife(n2))),
        ("ensemble.v2.Refused", .reply(.refused("no: ✗"))), ("ensemble.v2.Refused", .reply(.refused(""))),
        ("ensemble.v2.Refused", .reply(.placementFailed(PlacementError(
            typeName: "MorseEncoder", requirement: Capabilities(["morse", "x"]),
            nodes: [.init(node: n1.address, missing: ["morse"], refusal: nil), .init(node: n2.address, missing: [], refusal: "did not answer")])))),
        ("ensemble.v2.Refused", .reply(.placementFailed(PlacementError(typeName: "", requirement: .none, nodes: [])))),
        ("ensemble.v2.Refused", .reply(.placementFailed(PlacementError(
            typeName: "T", requirement: .none, nodes: [.init(node: n1.address, missing: ["gpu"], refusal: nil)],
            hint: .capability("gpu"))))),
        ("ensemble.v2.Refused", .reply(.placementFailed(PlacementError(
            typeName: "T", requirement: .none, nodes: [], hint: .node(n2.address))))),
        ("ensemble.v2.LeaveNotice", .request(.leave(n1))), ("ensemble.v2.LoadReport", .request(.loadReport(n2, .max))),
        ("ensemble.v2.SnapshotRequest", .request(.snapshotRequest)), ("ensemble.v2.ViewSnapshot", .reply(.snapshot(snapshot))),
        ("ensemble.v2.CreateRequest", .request(.create(CreateRequest(typeName: "Echo", parent: a1, globalName: nil)))),
        ("ensemble.v2.CreateRequest", .request(.create(CreateRequest(typeName: "", parent: nil, globalName: "g")))),
        ("ensemble.v2.Created", .reply(.created(a2, load: .max))), ("ensemble.v2.Created", .reply(.created(firstContact, load: 0))),
        ("ensemble.v2.ClaimNameRequest", .request(.claimName("echo"))),
        ("ensemble.v2.NameClaimReply", .reply(.nameClaim(.existing(a1)))), ("ensemble.v2.NameClaimReply", .reply(.nameClaim(.granted))),
        ("ensemble.v2.RegisterNameRequest", .request(.registerName("echo", a1, bornMs: .max))),
        ("ensemble.v2.ReleaseNameNotice", .request(.releaseName("echo", a2))), ("ensemble.v2.AbandonNameNotice", .request(.abandonName(""))),
        ("ensemble.v2.CreateActorRequest", .request(.createActor(typeName: "Echo", globalName: nil))),
        ("ensemble.v2.CreateActorRequest", .request(.createActor(typeName: "E", globalName: ""))),
        ("ensemble.v2.StatusRequest", .request(.status())), ("ensemble.v2.StatusReport", .reply(.statusReport(report))),
        ("ensemble.v2.StatusReport", .reply(.statusReport(StatusReport(
            node: n1, leader: nil, members: [], actors: [], globalNames: [:], unreachable: [], counters: [:])))),
        ("ensemble.v2.MetricsRequest", .request(.metrics)), ("ensemble.v2.MetricsText", .reply(.metricsText("# TYPE a gauge\na 1\n"))),
        ("ensemble.v2.ListActorsRequest", .request(.listActors())), ("ensemble.v2.ActorList", .reply(.actors([]))),
        ("ensemble.v2.ActorList", .reply(.actors([record, child]))), ("ensemble.v2.PingRequest", .request(.ping)),
        ("ensemble.v2.ListActorsRequest", .request(.listActors(afterID: 70_000))),
        ("ensemble.v2.ActorList", .reply(.actors([record], more: true))),
        ("ensemble.v2.Pong", .reply(.pong(n2))), ("ensemble.v2.StopRequest", .request(.stop)),
        ("ensemble.v2.ChangeCapabilityRequest", .request(.changeCapability(add: true, name: "morse"))),
        ("ensemble.v2.ChangeCapabilityRequest", .request(.changeCapability(add: false, name: ""))),
        ("ensemble.v2.CapabilitySet", .reply(.capabilitySet(caps))), ("ensemble.v2.CapabilitySet", .reply(.capabilitySet(.none))),
        ("ensemble.v2.CapabilitiesChanged", .request(.capabilitiesChanged(n1, .none))), ("ensemble.v2.KillRequest", .request(.kill(a1))),
        ("ensemble.v2.MemberHeartbeat", .request(.heartbeat(n2, load: .max, capabilities: caps))),
        ("ensemble.v2.DescribeViewRequest", .request(.describeView)), ("ensemble.v2.DescribeViewReply", .reply(.viewDescription(nil))),
        ("ensemble.v2.DescribeViewReply", .reply(.viewDescription(snapshot))), ("ensemble.v2.Done", .reply(.ok)),
        ("ensemble.v2.ProbeRequest", .request(.probeRequest(n1))), ("ensemble.v2.ProbeAnswered", .reply(.probeAnswered(n2))),
        ("ensemble.v2.Admission", .reply(.welcome(elected))), ("ensemble.v2.Admission", .reply(.declaredDown(n2, term: 9))),
        ("ensemble.v2.Admission", .reply(.notLeader(term: 3, leader: n1))), ("ensemble.v2.Admission", .reply(.notLeader(term: 0, leader: nil))),
        ("ensemble.v2.NameClaimReply", .reply(.nameClaim(.granted, term: .max))),
        ("ensemble.v2.MemberHeartbeat", .request(.heartbeat(n1, load: 0, capabilities: .none, term: 4, sequence: .max))),
        ("ensemble.v2.JoinRequest", .request(.join(JoinRequest(node: n1, capabilities: .none, load: 0, protocolVersion: 2, term: 5)))),
        ("ensemble.v2.PreVoteRequest", .request(.preVote(term: 2, sequence: 0))), ("ensemble.v2.PreVoteRequest", .request(.preVote(term: .max, sequence: .max))),
        ("ensemble.v2.VoteRequest", .request(.vote(term: 2, sequence: 7))),
        ("ensemble.v2.VoteAnswer", .reply(.voteAnswer(VoteAnswer(granted: true, term: 2)))),
        ("ensemble.v2.VoteAnswer", .reply(.voteAnswer(VoteAnswer(granted: false, term: .max, leader: n2)))),
        ("ensemble.v2.LeaderAnnouncement", .request(.announceLeader(term: 3, leader: n1))),
        ("ensemble.v2.LeaderAnnouncement", .request(.announceLeader(term: 4, leader: nil))),
        ("ensemble.v2.PromoteRequest", .request(.promote(force: true))), ("ensemble.v2.PromoteRequest", .request(.promote(force: false))),
        ("ensemble.v2.EventsRequest", .request(.events(after: 0, waitMs: 0))),
        ("ensemble.v2.EventsRequest", .request(.events(after: .max, waitMs: 30_000))),
        ("ensemble.v2.ActorRestarted", .request(.actorRestarted(a1, typeName: "Echo", restarts: 3))),
        ("ensemble.v2.EventBatch", .reply(.events(EventBatch(leader: n1, term: 2, events: [], oldest: 1, latest: 0)))),
        ("ensemble.v2.EventBatch", .reply(.events(EventBatch(leader: n2, term: .max, events: events, oldest: 7, latest: .max)))),
    ]

    /// One event of every kind, with the fields each carries.
    static let events: [ConventionEvent] = [
        ConventionEvent(sequence: 7, timeMs: 1_764_979_200_123, kind: .leader, node: n2, term: .max),
        ConventionEvent(sequence: 8, timeMs: 1, kind: .joined, node: n1, term: 1, capabilities: caps.sorted),
        ConventionEvent(sequence: 9, timeMs: 2, kind: .left, node: n1, term: 1),
        ConventionEvent(sequence: 10, timeMs: 3, kind: .failed, node: n1, term: 1, reason: "no heartbeat"),
        ConventionEvent(sequence: 11, timeMs: 4, kind: .capabilities, node: n1, term: 1, capabilities: []),
        ConventionEvent(sequence: .max, timeMs: .max, kind: .restarted, node: a2.node, term: 1, actor: a2, actorType: "ß☃",
                        restarts: Int(UInt32.max)),
    ]

    /// One update of every `ViewUpdate` case.
    static let updates: [ViewUpdate] = [
        .memberUp(MemberInfo(node: n2, capabilities: caps, load: 9, publicKey: key)), .memberDown(n1, reason: "left"),
        .capabilities(n2, .none), .load(n1, 0), .nameRegistered("echo", a1), .nameReleased("echo"),
    ]
}

/// Control requests and replies, updates and heartbeats through their proto3 forms.
@Suite struct ControlCodecTests {
    typealias S = ControlSamples

    @Test func everyControlCaseRoundTripsUnderItsOwnMessagesName() throws {
        // 27 request cases and 20 reply cases; `events` names one of each.
        #expect(Set(S.all.map { "\($0.control)".prefix { $0 != "(" } }).count == 46)
        for (typeName, control) in S.all {
            let (encodedName, payload) = try control.encoded()
            #expect(encodedName == typeName, "\(control)")
            #expect(try AnyControl.decode(typeName, payload) == control)
            // In an envelope, as a node sends it: requests as `control`, replies as `reply`.
            let envelope = try control.envelope(sender: .system(S.n1), recipient: S.a2, correlationID: 9)
            let received = try #require(try Envelope.decodeBatch(envelope.encoded()).first)
            let kind: EnvelopeKind = ControlCodec.isRequest(typeName) ? .control : .reply
            #expect(received.kind == kind && received.typeName == typeName && received.correlationID == 9)
            #expect(try AnyControl.decode(received.typeName, received.payload) == control)
        }
    }

    @Test func theTypeNamesAreTheFullNamesOfOneMessageEach() throws {
        #expect(ControlCodec.typeNames.count == 42)
        #expect(ControlCodec.typeNames == Set(S.all.map(\.typeName)).sorted())
        for name in ControlCodec.typeNames { #expect(ControlCodec.knows(name)) }
        let others = [
            "control", "", "JoinRequest", "ensemble.v1.JoinRequest", "ensemble.v2.NoReply", "ensemble.v2.Granted",
            SequencedUpdate.wireTypeName, LeaderHeartbeat.wireTypeName, DeadLetter.messageType,
        ]
        for name in others {
            #expect(!ControlCodec.knows(name))
            #expect(throws: WireError.malformed("\(name) is no control request")) { try ControlCodec.decodeRequest(name, []) }
            #expect(throws: WireError.malformed("\(name) is no control reply")) { try ControlCodec.decodeReply(name, []) }
        }
        let request = try Envelope(control: .ping, sender: nil, recipient: S.firstContact)
        #expect(request.kind == .control && request.typeName == "ensemble.v2.PingRequest" && request.payload == [])
    }

    @Test func updatesAndHeartbeatsRoundTrip() throws {
        #expect(Set(S.updates.map { "\($0)".prefix { $0 != "(" } }).count == 6)
        #expect(SequencedUpdate.wireTypeName == "ensemble.v2.SequencedUpdate")
        #expect(LeaderHeartbeat.wireTypeName == "ensemble.v2.LeaderHeartbeat")
        for (index, update) in S.updates.enumerated() {
            let sequenced = SequencedUpdate(leader: S.n2, sequence: UInt64(index + 1), update: update)
            #expect(try SequencedUpdate(protoBytes: sequenced.protoBytes()) == sequenced)
        }
        for beat in [LeaderHeartbeat(leader: S.n1, sequence: .max), LeaderHeartbeat(leader: S.n2, sequence: 0)] {
            #expect(try LeaderHeartbeat(protoBytes: beat.protoBytes()) == beat)
        }
    }

    /// The model holds counts as Int; none is negative on the wire.
    @Test func aNegativeCountTravelsAsZero() throws {
        #expect(try ControlCodec.roundTrip(.loadReport(S.n1, -3)) == .loadReport(S.n1, 0))
        #expect(try ControlCodec.roundTrip(.heartbeat(S.n1, load: .min, capabilities: .none))
            == .heartbeat(S.n1, load: 0, capabilities: .none))
    }

    // MARK: Hostile input

    static func bytes(_ message: some SwiftProtobuf.Message) -> [UInt8] { try! message.serializedBytes() }
    static func node(host: String = "127.0.0.1", port: UInt32 = 1900) -> Ensemble_V2_NodeId {
        .with { $0.host = host; $0.port = port; $0.incarnation = 1 }
    }
    static func refuses(_ typeName: String, _ payload: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(throws: WireError.self, sourceLocation: sourceLocation) { try AnyControl.decode(typeName, payload) }
    }

    @Test func addressesWithNoHostOrAPortPastTheRangeAreRefused() {
        for bad in [Self.node(host: ""), Self.node(host: String(repeating: "h", count: 256)), Self.node(port: 65_536),
                    Self.node(port: .max)] {
            Self.refuses("ensemble.v2.Pong", Self.bytes(Ensemble_V2_Pong.with { $0.node = bad }))
            Self.refuses("ensemble.v2.JoinRequest", Self.bytes(Ensemble_V2_JoinRequest.with { $0.node = bad }))
        }
        let actor = Ensemble_V2_ActorAddress.with { $0.host = "127.0.0.1"; $0.port = 70_000 }
        Self.refuses("ensemble.v2.KillRequest", Self.bytes(Ensemble_V2_KillRequest.with { $0.actor = actor }))
        // A message that names no node or actor at all has an empty host: a JOIN, a pong, a kill, a creation.
        for name in ["ensemble.v2.JoinRequest", "ensemble.v2.Pong", "ensemble.v2.KillRequest", "ensemble.v2.Created"] {
            Self.refuses(name, [])
        }
        // The limits themselves are fine.
        let edge = Self.node(host: String(repeating: "h", count: 255), port: 65_535)
        #expect(throws: Never.self) { try AnyControl.decode("ensemble.v2.Pong", Self.bytes(Ensemble_V2_Pong.with { $0.node = edge })) }
    }

    @Test func aOneofWithNothingSetIsRefused() {
        Self.refuses("ensemble.v2.Admission", Self.bytes(Ensemble_V2_Admission()))
        Self.refuses("ensemble.v2.NameClaimReply", Self.bytes(Ensemble_V2_NameClaimReply()))
        let update = Ensemble_V2_SequencedUpdate.with { $0.leader = Self.node(); $0.sequence = 3 }
        #expect(throws: WireError.self) { try SequencedUpdate(protoBytes: Self.bytes(update)) }
        // An empty name released is still an update that says something.
        #expect(throws: Never.self) { try SequencedUpdate(protoBytes: Self.bytes(changed(update) { $0.nameReleased = "" })) }
    }

    @Test func anExitReasonOfNoKnownKindIsRefused() {
        let child = Ensemble_V2_ActorAddress.with { $0.host = "127.0.0.1"; $0.port = 1900; $0.id = 3 }
        for kind in [0, 5, -1] {
            let notice = Ensemble_V2_ChildActorExited.with {
                $0.child = child
                $0.reason = .with { $0.kind = .init(rawValue: kind)! }
            }
            #expect(throws: WireError.self) { try ChildActorExited(protoBytes: Self.bytes(notice)) }
            #expect(throws: EnsembleError.self) { try MessageRegistry().decode(ChildActorExited.messageType, Self.bytes(notice)) }
        }
        // A lost node must be named.
        let lost = Ensemble_V2_ChildActorExited.with { $0.child = child; $0.reason = .with { $0.kind = .nodeLost } }
        #expect(throws: WireError.self) { try ChildActorExited(protoBytes: Self.bytes(lost)) }
    }

    @Test func aKeyThatIsNotZ85IsRefused() {
        for bad in ["not a key", String(S.key.z85.dropLast()), String(S.key.z85.dropLast()) + "~", S.key.z85 + "0"] {
            Self.refuses("ensemble.v2.JoinRequest", Self.bytes(changed(S.joins[0].proto) { $0.publicKey = bad }))
            var view = S.snapshot.proto
            view.members[0].publicKey = bad
            Self.refuses("ensemble.v2.Admission", Self.bytes(Ensemble_V2_Admission.with { $0.welcome = view }))
            var report = S.report.proto
            report.members[0].publicKey = bad
            Self.refuses("ensemble.v2.StatusReport", Self.bytes(report))
        }
    }

    @Test func aCountPastIntMaxIsRefused() throws {
        let tooMany = UInt64(Int.max) + 1
        Self.refuses("ensemble.v2.LoadReport", Self.bytes(Ensemble_V2_LoadReport.with { $0.node = Self.node(); $0.load = tooMany }))
        Self.refuses("ensemble.v2.Created", Self.bytes(S.created(load: tooMany)))
        Self.refuses("ensemble.v2.MemberHeartbeat", Self.bytes(Ensemble_V2_MemberHeartbeat.with { $0.node = Self.node(); $0.load = tooMany }))
        Self.refuses("ensemble.v2.JoinRequest", Self.bytes(changed(S.joins[0].proto) { $0.maxMessageSize = tooMany }))
        Self.refuses("ensemble.v2.ViewSnapshot", Self.bytes(changed(S.snapshot.proto) { $0.maxMessageSize = tooMany }))
        Self.refuses("ensemble.v2.ActorList", Self.bytes(Ensemble_V2_ActorList.with {
            $0.actors = [changed(S.record.proto) { $0.restarts = tooMany }]
        }))
        Self.refuses("ensemble.v2.StatusReport", Self.bytes(changed(S.report.proto) { $0.counters["sent"] = tooMany }))
        let load = Ensemble_V2_SequencedUpdate.with { $0.leader = Self.node(); $0.load = .with { $0.node = Self.node(); $0.load = tooMany } }
        #expect(throws: WireError.self) { try SequencedUpdate(protoBytes: Self.bytes(load)) }
        #expect(try AnyControl.decode("ensemble.v2.Created", Self.bytes(S.created(load: UInt64(Int.max))))
            == .reply(.created(S.a1, load: .max)))
    }

    @Test func bytesThatAreNoProtobufAreRefusedUnderEveryName() {
        let garbage: [[UInt8]] = [
            [0xFF],  // a tag whose varint never ends
            [0x08],  // field 1, a varint that is not there
            [0x0A, 0x05, 0x61],  // field 1, 5 bytes long, 1 there
            [0x00, 0x00],  // field number 0
            [0x0B],  // a group that never ends
            [0x0F, 0x00],  // wire type 7
        ]
        for name in ControlCodec.typeNames {
            for bytes in garbage { Self.refuses(name, bytes) }
        }
        Self.refuses("ensemble.v2.Refused", [0x0A, 0x02, 0xC3, 0x28])  // its reason is not UTF-8
    }

    /// Protobuf reads a message's bytes as another message whenever their layouts agree (a
    /// pong's bytes are a valid leave notice); the envelope's type name alone says what it is.
    @Test func aPayloadDecodesOnlyAsTheMessageItsTypeNameNames() throws {
        for (_, control) in S.all {
            let (_, payload) = try control.encoded()
            for name in ControlCodec.typeNames {
                guard let decoded = try? AnyControl.decode(name, payload) else { continue }
                #expect(try decoded.encoded().typeName == name, "\(control) read as \(name): \(decoded)")
            }
        }
        let (_, pong) = try ControlCodec.encode(ControlReply.pong(S.n2))
        #expect(try ControlCodec.decodeRequest("ensemble.v2.LeaveNotice", pong) == .leave(S.n2))
        #expect(try ControlCodec.decodeRequest("ensemble.v2.ProbeRequest", pong) == .probeRequest(S.n2))
        // An empty payload is every request with no fields, and no message that must name someone.
        #expect(try ControlCodec.decodeRequest("ensemble.v2.StopRequest", []) == .stop)
        #expect(try ControlCodec.decodeReply("ensemble.v2.Done", []) == .ok)
        for name in ["ensemble.v2.Admission", "ensemble.v2.NameClaimReply", "ensemble.v2.Pong", "ensemble.v2.LeaveNotice"] {
            Self.refuses(name, [])
        }
    }
}

/// `message` with `change` made to it.
func changed<M>(_ message: M, _ change: (inout M) -> Void) -> M {
    var copy = message
    change(&copy)
    return copy
}

extension ControlSamples {
    static func created(load: UInt64) -> Ensemble_V2_Created { .with { $0.address = a1.proto; $0.load = load } }
}
