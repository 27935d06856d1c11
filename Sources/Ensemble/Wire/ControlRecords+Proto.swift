import SwiftProtobuf

// The records inside control requests and replies, and their proto3 forms.

extension JoinRequest: ProtoConvertible {
    public var proto: Ensemble_V2_JoinRequest {
        var proto = Ensemble_V2_JoinRequest()
        proto.node = node.proto
        proto.capabilities = capabilities.sorted
        proto.load = UInt64(max(load, 0))
        proto.protocolVersion = UInt32(protocolVersion)
        proto.names = names.map(\.proto)
        proto.publicKey = publicKey?.z85 ?? ""
        if let maxMessageSize { proto.maxMessageSize = UInt64(max(maxMessageSize, 0)) }
        proto.term = term
        return proto
    }

    public init(proto: Ensemble_V2_JoinRequest) throws(WireError) {
        self.init(
            node: try NodeID(proto: proto.node), capabilities: Capabilities(proto.capabilities),
            load: try ProtoCheck.count(proto.load, "load"),
            // A version no byte holds is one this node does not speak either.
            protocolVersion: UInt8(clamping: proto.protocolVersion),
            names: try proto.names.map { (named) throws(WireError) in try NamedActor(proto: named) },
            publicKey: try ProtoCheck.key(proto.publicKey),
            maxMessageSize: proto.hasMaxMessageSize ? try ProtoCheck.count(proto.maxMessageSize, "message size limit") : nil,
            term: proto.term)
    }
}

extension CreateRequest: ProtoConvertible {
    public var proto: Ensemble_V2_CreateRequest {
        var proto = Ensemble_V2_CreateRequest()
        proto.typeName = typeName
        if let parent { proto.parent = parent.proto }
        if let globalName { proto.globalName = globalName }
        proto.nameUnsettled = nameUnsettled
        return proto
    }

    public init(proto: Ensemble_V2_CreateRequest) throws(WireError) {
        self.init(
            typeName: proto.typeName, parent: proto.hasParent ? try ActorAddress(proto: proto.parent) : nil,
            globalName: proto.hasGlobalName ? proto.globalName : nil,
            nameUnsettled: proto.hasGlobalName && proto.nameUnsettled)
    }
}

extension ActorRecord: ProtoConvertible {
    public var proto: Ensemble_V2_ActorRecord {
        var proto = Ensemble_V2_ActorRecord()
        proto.address = address.proto
        proto.type = type
        if let parent { proto.parent = parent.proto }
        if let globalName { proto.globalName = globalName }
        proto.restarts = UInt64(max(restarts, 0))
        return proto
    }

    public init(proto: Ensemble_V2_ActorRecord) throws(WireError) {
        self.init(
            address: try ActorAddress(proto: proto.address), type: proto.type,
            parent: proto.hasParent ? try ActorAddress(proto: proto.parent) : nil,
            globalName: proto.hasGlobalName ? proto.globalName : nil,
            restarts: try ProtoCheck.count(proto.restarts, "restarts"))
    }
}

extension MemberStatus: ProtoConvertible {
    public var proto: Ensemble_V2_MemberStatus {
        var proto = Ensemble_V2_MemberStatus()
        proto.node = node.proto
        proto.capabilities = capabilities.sorted
        proto.leader = leader
        proto.alive = alive
        proto.lastHeardMs = UInt64(max(lastHeardMs, 0))
        proto.publicKey = publicKey?.z85 ?? ""
        proto.voter = voter
        return proto
    }

    public init(proto: Ensemble_V2_MemberStatus) throws(WireError) {
        self.init(
            node: try NodeID(proto: proto.node), capabilities: Capabilities(proto.capabilities), leader: proto.leader,
            alive: proto.alive, lastHeardMs: try ProtoCheck.count(proto.lastHeardMs, "last heard"),
            publicKey: try ProtoCheck.key(proto.publicKey), voter: proto.voter)
    }
}

extension StatusReport: ProtoConvertible {
    public var proto: Ensemble_V2_StatusReport {
        var proto = Ensemble_V2_StatusReport()
        proto.node = node.proto
        if let leader { proto.leader = leader.proto }
        proto.members = members.map(\.proto)
        proto.actors = actors.map(\.proto)
        proto.globalNames = globalNames.mapValues(\.proto)
        proto.unreachable = unreachable.map(\.proto)
        proto.counters = counters.mapValues { UInt64(max($0, 0)) }
        proto.term = term
        proto.role = role
        proto.snapshot = snapshot
        proto.page = UInt32(clamping: page)
        proto.pageCount = UInt32(clamping: pageCount)
        proto.actorCount = UInt64(max(actorCount, 0))
        return proto
    }

    public init(proto: Ensemble_V2_StatusReport) throws(WireError) {
        var names: [String: ActorAddress] = [:]
        for (name, address) in proto.globalNames { names[name] = try ActorAddress(proto: address) }
        var counters: [String: Int] = [:]
        for (name, value) in proto.counters { counters[name] = try ProtoCheck.count(value, name) }
        self.init(
            node: try NodeID(proto: proto.node), leader: proto.hasLeader ? try NodeID(proto: proto.leader) : nil,
            members: try proto.members.map { (member) throws(WireError) in try MemberStatus(proto: member) },
            actors: try proto.actors.map { (actor) throws(WireError) in try ActorRecord(proto: actor) },
            globalNames: names,
            unreachable: try proto.unreachable.map { (address) throws(WireError) in try NodeAddress(proto: address) },
            counters: counters, term: proto.term, role: proto.role, snapshot: proto.snapshot,
            page: Int(proto.page), pageCount: max(Int(proto.pageCount), 1),
            actorCount: try ProtoCheck.count(proto.actorCount, "actor count"))
    }
}

extension PlacementError: ProtoConvertible {
    public var proto: Ensemble_V2_PlacementFailure {
        var proto = Ensemble_V2_PlacementFailure()
        proto.typeName = typeName
        proto.requirement = requirement.names.sorted()
        proto.nodes = nodes.map { reason in
            var node = Ensemble_V2_PlacementFailure.NodeReason()
            node.node = reason.node.proto
            node.missing = reason.missing
            if let refusal = reason.refusal { node.refusal = refusal }
            return node
        }
        switch hint {
        case .node(let address)?: proto.preferredNode = address.proto
        case .capability(let name)?: proto.preferredCapability = name
        case nil: break
        }
        return proto
    }

    public init(proto: Ensemble_V2_PlacementFailure) throws(WireError) {
        var nodes: [NodeReason] = []
        for node in proto.nodes {
            nodes.append(NodeReason(node: try NodeAddress(proto: node.node), missing: node.missing,
                                    refusal: node.hasRefusal ? node.refusal : nil))
        }
        let hint: PlacementHint?
        switch proto.hint {
        case .preferredNode(let address)?: hint = .node(try NodeAddress(proto: address))
        case .preferredCapability(let name)?: hint = .capability(name)
        case nil: hint = nil
        }
        self.init(typeName: proto.typeName, requirement: Capabilities(proto.requirement), nodes: nodes, hint: hint)
    }
}
