import SwiftProtobuf

// The runtime's model types and their proto3 forms (proto/ensemble/v2/). Reading a
// proto value is where bytes from the network become trusted values, so every
// `init(proto:)` checks what the schema cannot say: hosts, ports, counts, keys.

/// A value with a proto3 form, read from the wire through it.
public protocol ProtoConvertible {
    /// The generated proto3 message it travels as.
    associatedtype Proto: SwiftProtobuf.Message
    /// Its proto3 form.
    var proto: Proto { get }
    /// Reads a value received from the wire, refusing one the runtime must not trust.
    init(proto: Proto) throws(WireError)
}

extension ProtoConvertible {
    /// The envelope type name it travels under: its proto message's full name.
    public static var wireTypeName: String { Proto.protoMessageName }

    /// The value's proto3 encoding.
    func protoBytes() throws -> [UInt8] { try proto.serializedBytes() }

    /// Decodes a value from its proto3 encoding.
    public init(protoBytes bytes: [UInt8]) throws(WireError) {
        let message: Proto
        do {
            message = try Proto(serializedBytes: bytes)
        } catch {
            throw .malformed("not a \(Proto.protoMessageName): \(error)")
        }
        try self.init(proto: message)
    }
}

@usableFromInline
enum ProtoCheck {
    /// A host as the envelope allows it: 1-255 UTF-8 bytes.
    @usableFromInline
    static func host(_ host: String) throws(WireError) -> String {
        guard !host.isEmpty, host.utf8.count <= 255 else { throw .malformed("bad host") }
        return host
    }

    @usableFromInline
    static func port(_ port: UInt32) throws(WireError) -> UInt16 {
        guard let port = UInt16(exactly: port) else { throw .malformed("port \(port) is out of range") }
        return port
    }

    /// A count (load, restarts) the runtime keeps as an Int.
    static func count(_ value: UInt64, _ what: String) throws(WireError) -> Int {
        guard let count = Int(exactly: value) else { throw .malformed("\(what) \(value) is out of range") }
        return count
    }

    /// A term as the runtime reads it: a sender from before elections (0) speaks for term 1.
    static func term(_ value: UInt64) -> UInt64 { max(value, 1) }

    /// The most lives a voting set may name (a convention has at most 255 members by default).
    static let maxVoters = 1024

    /// A voting set: distinct lives, at most `maxVoters`, sorted.
    static func voters(_ lives: [Ensemble_V2_NodeId]) throws(WireError) -> [NodeID] {
        guard lives.count <= maxVoters else { throw .malformed("a voting set of \(lives.count) lives") }
        let voters = Set(try lives.map { (life) throws(WireError) in try NodeID(proto: life) })
        guard voters.count == lives.count else { throw .malformed("a voting set that names a life twice") }
        return voters.sorted()
    }

    static func key(_ z85: String) throws(WireError) -> CurveKey? {
        if z85.isEmpty { return nil }
        guard let key = CurveKey(z85: z85) else { throw .malformed("not a Z85 CurveZMQ key") }
        return key
    }
}

extension NodeAddress: ProtoConvertible {
    public var proto: Ensemble_V2_NodeAddress {
        var proto = Ensemble_V2_NodeAddress()
        proto.host = host
        proto.port = UInt32(port)
        return proto
    }

    public init(proto: Ensemble_V2_NodeAddress) throws(WireError) {
        self.init(host: try ProtoCheck.host(proto.host), port: try ProtoCheck.port(proto.port))
    }
}

extension NodeID: ProtoConvertible {
    public var proto: Ensemble_V2_NodeId {
        var proto = Ensemble_V2_NodeId()
        proto.host = address.host
        proto.port = UInt32(address.port)
        proto.incarnation = incarnation
        return proto
    }

    public init(proto: Ensemble_V2_NodeId) throws(WireError) {
        let address = NodeAddress(host: try ProtoCheck.host(proto.host), port: try ProtoCheck.port(proto.port))
        self.init(address: address, incarnation: proto.incarnation)
    }
}

extension ActorAddress: ProtoConvertible {
    public var proto: Ensemble_V2_ActorAddress {
        var proto = Ensemble_V2_ActorAddress()
        proto.host = node.address.host
        proto.port = UInt32(node.address.port)
        proto.incarnation = node.incarnation
        proto.id = id
        return proto
    }

    public init(proto: Ensemble_V2_ActorAddress) throws(WireError) {
        let address = NodeAddress(host: try ProtoCheck.host(proto.host), port: try ProtoCheck.port(proto.port))
        self.init(node: NodeID(address: address, incarnation: proto.incarnation), id: proto.id)
    }
}

extension NamedActor: ProtoConvertible {
    public var proto: Ensemble_V2_NamedActor {
        var proto = Ensemble_V2_NamedActor()
        proto.name = name
        proto.address = address.proto
        proto.bornMs = bornMs
        return proto
    }

    public init(proto: Ensemble_V2_NamedActor) throws(WireError) {
        self.init(name: proto.name, address: try ActorAddress(proto: proto.address), bornMs: proto.bornMs)
    }
}

extension MemberInfo: ProtoConvertible {
    public var proto: Ensemble_V2_MemberInfo {
        var proto = Ensemble_V2_MemberInfo()
        proto.node = node.proto
        proto.capabilities = capabilities.sorted
        proto.load = UInt64(max(load, 0))
        proto.publicKey = publicKey?.z85 ?? ""
        return proto
    }

    public init(proto: Ensemble_V2_MemberInfo) throws(WireError) {
        self.init(
            node: try NodeID(proto: proto.node), capabilities: Capabilities(proto.capabilities),
            load: try ProtoCheck.count(proto.load, "load"), publicKey: try ProtoCheck.key(proto.publicKey))
    }
}

extension ViewSnapshot: ProtoConvertible {
    public var proto: Ensemble_V2_ViewSnapshot {
        var proto = Ensemble_V2_ViewSnapshot()
        proto.leader = leader.proto
        proto.sequence = sequence
        proto.members = members.map(\.proto)
        proto.names = names.mapValues(\.proto)
        if let maxMessageSize { proto.maxMessageSize = UInt64(max(maxMessageSize, 0)) }
        proto.term = term
        proto.voters = voters.map(\.proto)
        return proto
    }

    public init(proto: Ensemble_V2_ViewSnapshot) throws(WireError) {
        var names: [String: ActorAddress] = [:]
        for (name, address) in proto.names { names[name] = try ActorAddress(proto: address) }
        self.init(
            leader: try NodeID(proto: proto.leader), sequence: proto.sequence,
            members: try proto.members.map { (member) throws(WireError) in try MemberInfo(proto: member) },
            names: names,
            maxMessageSize: proto.hasMaxMessageSize ? try ProtoCheck.count(proto.maxMessageSize, "message size limit") : nil,
            term: ProtoCheck.term(proto.term), voters: try ProtoCheck.voters(proto.voters))
    }
}

extension SequencedUpdate: ProtoConvertible {
    public var proto: Ensemble_V2_SequencedUpdate {
        var proto = Ensemble_V2_SequencedUpdate()
        proto.leader = leader.proto
        proto.sequence = sequence
        switch update {
        case .memberUp(let info):
            proto.memberUp = info.proto
        case .memberDown(let node, let reason):
            proto.memberDown = .with { $0.node = node.proto; $0.reason = reason }
        case .capabilities(let node, let capabilities):
            proto.capabilities = .with { $0.node = node.proto; $0.capabilities = capabilities.sorted }
        case .load(let node, let load):
            proto.load = .with { $0.node = node.proto; $0.load = UInt64(max(load, 0)) }
        case .nameRegistered(let name, let address):
            proto.nameRegistered = .with { $0.name = name; $0.address = address.proto }
        case .nameReleased(let name):
            proto.nameReleased = name
        case .voters(let voters):
            proto.voters = .with { $0.voters = voters.map(\.proto) }
        }
        proto.term = term
        return proto
    }

    public init(proto: Ensemble_V2_SequencedUpdate) throws(WireError) {
        let update: ViewUpdate
        switch proto.update {
        case .memberUp(let info):
            update = .memberUp(try MemberInfo(proto: info))
        case .memberDown(let down):
            update = .memberDown(try NodeID(proto: down.node), reason: down.reason)
        case .capabilities(let change):
            update = .capabilities(try NodeID(proto: change.node), Capabilities(change.capabilities))
        case .load(let change):
            update = .load(try NodeID(proto: change.node), try ProtoCheck.count(change.load, "load"))
        case .nameRegistered(let registered):
            update = .nameRegistered(registered.name, try ActorAddress(proto: registered.address))
        case .nameReleased(let name):
            update = .nameReleased(name)
        case .voters(let change):
            update = .voters(try ProtoCheck.voters(change.voters))
        case nil:
            throw .malformed("an update that changes nothing")
        }
        self.init(leader: try NodeID(proto: proto.leader), sequence: proto.sequence, update: update,
                  term: ProtoCheck.term(proto.term))
    }
}

extension LeaderHeartbeat: ProtoConvertible {
    public var proto: Ensemble_V2_LeaderHeartbeat {
        var proto = Ensemble_V2_LeaderHeartbeat()
        proto.leader = leader.proto
        proto.sequence = sequence
        proto.term = term
        return proto
    }

    public init(proto: Ensemble_V2_LeaderHeartbeat) throws(WireError) {
        self.init(leader: try NodeID(proto: proto.leader), sequence: proto.sequence, term: ProtoCheck.term(proto.term))
    }
}
