import SwiftProtobuf

/// Control requests and replies on the wire: each travels as its own proto3 message
/// (proto/ensemble/v2/control.proto and client.proto) under that message's full name
/// as the envelope's type name, so a peer in any language tells them apart without
/// decoding the payload.
enum ControlCodec {
    private static func wire<M: SwiftProtobuf.Message>(_ message: M) throws -> (typeName: String, payload: [UInt8]) {
        (M.protoMessageName, try message.serializedBytes())
    }

    /// The envelope type name and payload of a request.
    static func encode(_ request: ControlRequest) throws -> (typeName: String, payload: [UInt8]) {
        switch request {
        case .join(let request): return try wire(request.proto)
        case .leave(let life): return try wire(Ensemble_V2_LeaveNotice.with { $0.node = life.proto })
        case .loadReport(let life, let load):
            return try wire(Ensemble_V2_LoadReport.with { $0.node = life.proto; $0.load = UInt64(max(load, 0)) })
        case .snapshotRequest: return try wire(Ensemble_V2_SnapshotRequest())
        case .create(let request): return try wire(request.proto)
        case .claimName(let name): return try wire(Ensemble_V2_ClaimNameRequest.with { $0.name = name })
        case .registerName(let name, let address, let bornMs):
            return try wire(Ensemble_V2_RegisterNameRequest.with {
                $0.name = name
                $0.address = address.proto
                $0.bornMs = bornMs
            })
        case .releaseName(let name, let address):
            return try wire(Ensemble_V2_ReleaseNameNotice.with { $0.name = name; $0.address = address.proto })
        case .abandonName(let name): return try wire(Ensemble_V2_AbandonNameNotice.with { $0.name = name })
        case .createActor(let typeName, let globalName, let hint):
            return try wire(Ensemble_V2_CreateActorRequest.with {
                $0.typeName = typeName
                if let globalName { $0.globalName = globalName }
                switch hint {
                case .node(let address)?: $0.preferredNode = address.proto
                case .capability(let name)?: $0.preferredCapability = name
                case nil: break
                }
            })
        case .status(let page):
            return try wire(Ensemble_V2_StatusRequest.with {
                $0.snapshot = page?.snapshot ?? 0
                $0.page = UInt32(clamping: page?.page ?? 0)
            })
        case .metrics: return try wire(Ensemble_V2_MetricsRequest())
        case .listActors(let afterID): return try wire(Ensemble_V2_ListActorsRequest.with { $0.afterID = afterID })
        case .ping: return try wire(Ensemble_V2_PingRequest())
        case .stop: return try wire(Ensemble_V2_StopRequest())
        case .changeCapability(let add, let name):
            return try wire(Ensemble_V2_ChangeCapabilityRequest.with { $0.add = add; $0.name = name })
        case .capabilitiesChanged(let life, let capabilities):
            return try wire(Ensemble_V2_CapabilitiesChanged.with {
                $0.node = life.proto
                $0.capabilities = capabilities.sorted
            })
        case .kill(let address): return try wire(Ensemble_V2_KillRequest.with { $0.actor = address.proto })
        case .heartbeat(let life, let load, let capabilities, let term, let sequence):
            return try wire(Ensemble_V2_MemberHeartbeat.with {
                $0.node = life.proto
                $0.load = UInt64(max(load, 0))
                $0.capabilities = capabilities.sorted
                $0.term = term
                $0.sequence = sequence
            })
        case .describeView: return try wire(Ensemble_V2_DescribeViewRequest())
        case .probeRequest(let suspect): return try wire(Ensemble_V2_ProbeRequest.with { $0.suspect = suspect.proto })
        case .promote(let force): return try wire(Ensemble_V2_PromoteRequest.with { $0.force = force })
        case .preVote(let term, let sequence):
            return try wire(Ensemble_V2_PreVoteRequest.with { $0.term = term; $0.sequence = sequence })
        case .vote(let term, let sequence):
            return try wire(Ensemble_V2_VoteRequest.with { $0.term = term; $0.sequence = sequence })
        case .announceLeader(let term, let leader):
            return try wire(Ensemble_V2_LeaderAnnouncement.with {
                $0.term = term
                if let leader { $0.leader = leader.proto }
            })
        case .events(let after, let waitMs):
            return try wire(Ensemble_V2_EventsRequest.with { $0.after = after; $0.waitMs = UInt32(clamping: waitMs) })
        case .actorRestarted(let address, let typeName, let restarts):
            return try wire(Ensemble_V2_ActorRestarted.with {
                $0.actor = address.proto
                $0.typeName = typeName
                $0.restarts = UInt32(clamping: restarts)
            })
        }
    }

    /// The envelope type name and payload of a reply.
    static func encode(_ reply: ControlReply) throws -> (typeName: String, payload: [UInt8]) {
        func admission(_ body: (inout Ensemble_V2_Admission) -> Void) throws -> (typeName: String, payload: [UInt8]) {
            try wire(Ensemble_V2_Admission.with(body))
        }
        switch reply {
        case .welcome(let view): return try admission { $0.welcome = view.proto; $0.term = view.term }
        case .declaredDown(let life, let term): return try admission { $0.declaredDown = life.proto; $0.term = term }
        case .notLeader(let term, let leader):
            return try admission {
                $0.notLeader = .with {
                    $0.term = term
                    if let leader { $0.leader = leader.proto }
                }
                $0.term = term
            }
        case .joinLater(let why): return try admission { $0.joinLater = why }
        case .staleLife(let life): return try admission { $0.staleLife = life.proto }
        case .refused(let why): return try wire(Ensemble_V2_Refused.with { $0.reason = why })
        case .placementFailed(let error):
            return try wire(Ensemble_V2_Refused.with { $0.reason = error.description; $0.placement = error.proto })
        case .snapshot(let view): return try wire(view.proto)
        case .created(let address, let load):
            return try wire(Ensemble_V2_Created.with { $0.address = address.proto; $0.load = UInt64(max(load, 0)) })
        case .nameClaim(.existing(let address), let term):
            return try wire(Ensemble_V2_NameClaimReply.with { $0.existing = address.proto; $0.term = term })
        case .nameClaim(.granted, let term):
            return try wire(Ensemble_V2_NameClaimReply.with { $0.granted = .init(); $0.term = term })
        case .statusReport(let report): return try wire(report.proto)
        case .metricsText(let text): return try wire(Ensemble_V2_MetricsText.with { $0.text = text })
        case .actors(let records, let more):
            return try wire(Ensemble_V2_ActorList.with {
                $0.actors = records.map(\.proto)
                $0.more = more
            })
        case .pong(let life): return try wire(Ensemble_V2_Pong.with { $0.node = life.proto })
        case .capabilitySet(let capabilities):
            return try wire(Ensemble_V2_CapabilitySet.with { $0.capabilities = capabilities.sorted })
        case .viewDescription(let view):
            return try wire(Ensemble_V2_DescribeViewReply.with { if let view { $0.view = view.proto } })
        case .ok: return try wire(Ensemble_V2_Done())
        case .probeAnswered(let suspect): return try wire(Ensemble_V2_ProbeAnswered.with { $0.suspect = suspect.proto })
        case .voteAnswer(let answer):
            return try wire(Ensemble_V2_VoteAnswer.with {
                $0.granted = answer.granted
                $0.term = answer.term
                if let leader = answer.leader { $0.leader = leader.proto }
            })
        case .events(let batch): return try wire(batch.proto)
        }
    }

    /// The full names of every control request and reply, sorted.
    static let typeNames: [String] = (Array(requestDecoders.keys) + Array(replyDecoders.keys)).sorted()

    /// Whether `typeName` names a control request or reply.
    static func knows(_ typeName: String) -> Bool { isRequest(typeName) || isReply(typeName) }

    /// Whether `typeName` names a control request.
    static func isRequest(_ typeName: String) -> Bool { requestDecoders[typeName] != nil }

    /// Whether `typeName` names a control reply.
    static func isReply(_ typeName: String) -> Bool { replyDecoders[typeName] != nil }

    /// Decodes the request a `control` envelope of type `typeName` carries.
    static func decodeRequest(_ typeName: String, _ payload: [UInt8]) throws(WireError) -> ControlRequest {
        try run(requestDecoders[typeName], typeName, payload, "request")
    }

    /// Decodes the reply a `reply` envelope of type `typeName` carries.
    static func decodeReply(_ typeName: String, _ payload: [UInt8]) throws(WireError) -> ControlReply {
        try run(replyDecoders[typeName], typeName, payload, "reply")
    }

    private static func run<T>(
        _ decoder: (@Sendable ([UInt8]) throws -> T)?, _ typeName: String, _ payload: [UInt8], _ what: String
    ) throws(WireError) -> T {
        guard let decoder else { throw .malformed("\(typeName) is no control \(what)") }
        do {
            return try decoder(payload)
        } catch let error as WireError {
            throw error
        } catch {
            throw .malformed("not a \(typeName): \(error)")
        }
    }

    private static func entry<M: SwiftProtobuf.Message, T>(
        _ type: M.Type, _ body: @escaping @Sendable (M) throws -> T
    ) -> (String, @Sendable ([UInt8]) throws -> T) {
        (M.protoMessageName, { bytes in try body(try M(serializedBytes: bytes)) })
    }

    private static let requestDecoders: [String: @Sendable ([UInt8]) throws -> ControlRequest] =
        Dictionary(uniqueKeysWithValues: [
            entry(Ensemble_V2_JoinRequest.self) { .join(try JoinRequest(proto: $0)) },
            entry(Ensemble_V2_LeaveNotice.self) { .leave(try NodeID(proto: $0.node)) },
            entry(Ensemble_V2_LoadReport.self) { .loadReport(try NodeID(proto: $0.node), try ProtoCheck.count($0.load, "load")) },
            entry(Ensemble_V2_SnapshotRequest.self) { _ in .snapshotRequest },
            entry(Ensemble_V2_CreateRequest.self) { .create(try CreateRequest(proto: $0)) },
            entry(Ensemble_V2_ClaimNameRequest.self) { .claimName($0.name) },
            entry(Ensemble_V2_RegisterNameRequest.self) {
                .registerName($0.name, try ActorAddress(proto: $0.address), bornMs: $0.bornMs)
            },
            entry(Ensemble_V2_ReleaseNameNotice.self) { .releaseName($0.name, try ActorAddress(proto: $0.address)) },
            entry(Ensemble_V2_AbandonNameNotice.self) { .abandonName($0.name) },
            entry(Ensemble_V2_CreateActorRequest.self) {
                .createActor(typeName: $0.typeName, globalName: $0.hasGlobalName ? $0.globalName : nil,
                             hint: try PlacementHint(proto: $0.hint))
            },
            entry(Ensemble_V2_StatusRequest.self) { request in
                // Bounds are the serving node's to check (it knows the snapshot's pages).
                .status(page: request.snapshot == 0 ? nil : StatusPageRequest(snapshot: request.snapshot, page: Int(request.page)))
            },
            entry(Ensemble_V2_MetricsRequest.self) { _ in .metrics },
            entry(Ensemble_V2_ListActorsRequest.self) { .listActors(afterID: $0.afterID) },
            entry(Ensemble_V2_PingRequest.self) { _ in .ping },
            entry(Ensemble_V2_StopRequest.self) { _ in .stop },
            entry(Ensemble_V2_ChangeCapabilityRequest.self) { .changeCapability(add: $0.add, name: $0.name) },
            entry(Ensemble_V2_CapabilitiesChanged.self) {
                .capabilitiesChanged(try NodeID(proto: $0.node), Capabilities($0.capabilities))
            },
            entry(Ensemble_V2_KillRequest.self) { .kill(try ActorAddress(proto: $0.actor)) },
            entry(Ensemble_V2_MemberHeartbeat.self) {
                .heartbeat(try NodeID(proto: $0.node), load: try ProtoCheck.count($0.load, "load"),
                           capabilities: Capabilities($0.capabilities), term: $0.term, sequence: $0.sequence)
            },
            entry(Ensemble_V2_DescribeViewRequest.self) { _ in .describeView },
            entry(Ensemble_V2_ProbeRequest.self) { .probeRequest(try NodeID(proto: $0.suspect)) },
            entry(Ensemble_V2_PromoteRequest.self) { .promote(force: $0.force) },
            entry(Ensemble_V2_PreVoteRequest.self) { .preVote(term: $0.term, sequence: $0.sequence) },
            entry(Ensemble_V2_VoteRequest.self) { .vote(term: $0.term, sequence: $0.sequence) },
            entry(Ensemble_V2_LeaderAnnouncement.self) {
                .announceLeader(term: $0.term, leader: $0.hasLeader ? try NodeID(proto: $0.leader) : nil)
            },
            entry(Ensemble_V2_EventsRequest.self) { .events(after: $0.after, waitMs: Int($0.waitMs)) },
            entry(Ensemble_V2_ActorRestarted.self) {
                .actorRestarted(try ActorAddress(proto: $0.actor), typeName: $0.typeName, restarts: Int($0.restarts))
            },
        ])

    private static let replyDecoders: [String: @Sendable ([UInt8]) throws -> ControlReply] =
        Dictionary(uniqueKeysWithValues: [
            entry(Ensemble_V2_Admission.self) { admission in
                switch admission.outcome {
                case .welcome(let view): return .welcome(try ViewSnapshot(proto: view))
                case .declaredDown(let life): return .declaredDown(try NodeID(proto: life), term: ProtoCheck.term(admission.term))
                case .notLeader(let redirect):
                    return .notLeader(term: redirect.term, leader: redirect.hasLeader ? try NodeID(proto: redirect.leader) : nil)
                case .joinLater(let why): return .joinLater(why)
                case .staleLife(let life): return .staleLife(try NodeID(proto: life))
                case nil: throw WireError.malformed("an admission with no outcome")
                }
            },
            entry(Ensemble_V2_Refused.self) { $0.hasPlacement ? .placementFailed(try PlacementError(proto: $0.placement)) : .refused($0.reason) },
            entry(Ensemble_V2_ViewSnapshot.self) { .snapshot(try ViewSnapshot(proto: $0)) },
            entry(Ensemble_V2_Created.self) {
                .created(try ActorAddress(proto: $0.address), load: try ProtoCheck.count($0.load, "load"))
            },
            entry(Ensemble_V2_NameClaimReply.self) { reply in
                switch reply.result {
                case .existing(let address): return .nameClaim(.existing(try ActorAddress(proto: address)), term: ProtoCheck.term(reply.term))
                case .granted: return .nameClaim(.granted, term: ProtoCheck.term(reply.term))
                case nil: throw WireError.malformed("a name claim reply with no result")
                }
            },
            entry(Ensemble_V2_StatusReport.self) { .statusReport(try StatusReport(proto: $0)) },
            entry(Ensemble_V2_MetricsText.self) { .metricsText($0.text) },
            entry(Ensemble_V2_ActorList.self) { list in
                .actors(try list.actors.map { (record) throws(WireError) in try ActorRecord(proto: record) }, more: list.more)
            },
            entry(Ensemble_V2_Pong.self) { .pong(try NodeID(proto: $0.node)) },
            entry(Ensemble_V2_CapabilitySet.self) { .capabilitySet(Capabilities($0.capabilities)) },
            entry(Ensemble_V2_DescribeViewReply.self) { .viewDescription($0.hasView ? try ViewSnapshot(proto: $0.view) : nil) },
            entry(Ensemble_V2_Done.self) { _ in .ok },
            entry(Ensemble_V2_ProbeAnswered.self) { .probeAnswered(try NodeID(proto: $0.suspect)) },
            entry(Ensemble_V2_VoteAnswer.self) {
                .voteAnswer(VoteAnswer(granted: $0.granted, term: $0.term, leader: $0.hasLeader ? try NodeID(proto: $0.leader) : nil))
            },
            entry(Ensemble_V2_EventBatch.self) { .events(try EventBatch(proto: $0)) },
        ])
}

extension Envelope {
    /// An envelope carrying a control request (a test may give it another kind).
    init(
        control request: ControlRequest, kind: EnvelopeKind = .control, sender: ActorAddress?, recipient: ActorAddress,
        correlationID: UInt64 = 0
    ) throws {
        let (typeName, payload) = try ControlCodec.encode(request)
        self.init(kind: kind, sender: sender, recipient: recipient, typeName: typeName, correlationID: correlationID,
                  payload: payload)
    }

    /// An envelope carrying a control reply (a test may give it another kind).
    init(
        control reply: ControlReply, kind: EnvelopeKind = .reply, sender: ActorAddress?, recipient: ActorAddress,
        correlationID: UInt64 = 0
    ) throws {
        let (typeName, payload) = try ControlCodec.encode(reply)
        self.init(kind: kind, sender: sender, recipient: recipient, typeName: typeName, correlationID: correlationID,
                  payload: payload)
    }
}
