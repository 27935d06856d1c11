/// What the leader's shell must do after an event.
public enum LeaderDirective: Sendable, Equatable {
    /// Answer a request.
    case reply(to: ActorAddress, correlationID: UInt64, Control)
    /// Publish an update on the PUB channel (already applied to the view).
    case publish(SequencedUpdate)
}

/// The leader's convention logic: membership and the global-name registry.
///
/// A value type: events in, directives out; the node's I/O thread does the I/O.
public struct LeaderState: Sendable {
    /// The authoritative view.
    public private(set) var view: MembershipView
    private var claims: [String: NameClaim] = [:]

    struct NameClaim: Sendable {
        var holder: NodeAddress
        var grantedAt: Duration
        var waiters: [(address: ActorAddress, correlationID: UInt64)]
    }

    /// How long a granted claim may stay unregistered before the next waiter gets it.
    public var claimTimeout: Duration = .seconds(5)

    /// A convention of one: the leader itself.
    public init(leader: MemberInfo) {
        view = MembershipView(leader: leader)
    }

    private mutating func publish(_ update: ViewUpdate) -> LeaderDirective {
        let sequence = view.sequence + 1
        view.apply(update, sequence: sequence)
        return .publish(SequencedUpdate(leader: view.leader, sequence: sequence, update: update))
    }

    /// A node asks to join.
    public mutating func join(_ request: JoinRequest, from sender: ActorAddress, correlationID: UInt64) -> [LeaderDirective] {
        let reply = { (control: Control) in LeaderDirective.reply(to: sender, correlationID: correlationID, control) }
        guard request.protocolVersion == Envelope.protocolVersion else {
            return [reply(.refused("protocol version \(request.protocolVersion) is not supported (the leader speaks \(Envelope.protocolVersion))"))]
        }
        guard request.node.address != view.leader.address else {
            return [reply(.refused("\(request.node.address) is the leader's own address"))]
        }
        var directives: [LeaderDirective] = []
        if let existing = view.members[request.node.address] {
            if existing.node.incarnation > request.node.incarnation {
                return [reply(.refused("\(request.node) is an older life of \(existing.node)"))]
            }
            if existing.node == request.node {
                // A repeated JOIN (the WELCOME was lost): answer again, change nothing.
                return [reply(.welcome(view.snapshot))]
            }
            directives.append(publish(.memberDown(existing.node, reason: "restarted")))
            directives += releaseClaims(heldBy: existing.node.address, now: .zero)
        }
        let info = MemberInfo(node: request.node, capabilities: request.capabilities, load: request.load)
        directives.append(publish(.memberUp(info)))
        directives.insert(reply(.welcome(view.snapshot)), at: 0)
        return directives
    }

    /// A member leaves gracefully.
    public mutating func leave(_ node: NodeID, now: Duration = .zero) -> [LeaderDirective] {
        guard view.member(node) != nil else { return [] }
        return [publish(.memberDown(node, reason: "left"))] + releaseClaims(heldBy: node.address, now: now)
    }

    /// Claims a gone node held pass to their next waiters.
    private mutating func releaseClaims(heldBy address: NodeAddress, now: Duration) -> [LeaderDirective] {
        let held = claims.filter { $0.value.holder == address }.map(\.key).sorted()
        return held.flatMap { abandon($0, now: now) }
    }

    /// A member reports its actor count.
    public mutating func load(_ node: NodeID, _ load: Int) -> [LeaderDirective] {
        guard let member = view.member(node), member.load != load else { return [] }
        return [publish(.load(node, load))]
    }

    /// A member's capabilities changed (the leader's own included).
    public mutating func capabilities(_ node: NodeID, _ capabilities: Capabilities) -> [LeaderDirective] {
        guard let member = view.member(node), member.capabilities != capabilities else { return [] }
        return [publish(.capabilities(node, capabilities))]
    }

    /// A node wants a global name: it gets the live actor, or the right to create it.
    ///
    /// While one claim is outstanding, later claimants wait and are answered when it registers.
    public mutating func claim(
        _ name: String, from sender: ActorAddress, correlationID: UInt64, now: Duration
    ) -> [LeaderDirective] {
        if let address = view.names[name] {
            return [.reply(to: sender, correlationID: correlationID, .nameClaim(.existing(address)))]
        }
        if claims[name] != nil {
            claims[name]!.waiters.append((sender, correlationID))
            return []
        }
        claims[name] = NameClaim(holder: sender.node.address, grantedAt: now, waiters: [])
        return [.reply(to: sender, correlationID: correlationID, .nameClaim(.granted))]
    }

    /// The claimant created the actor and registers it under the name.
    public mutating func register(
        _ name: String, _ address: ActorAddress, from sender: ActorAddress, correlationID: UInt64
    ) -> [LeaderDirective] {
        if let existing = view.names[name], existing != address {
            return [.reply(to: sender, correlationID: correlationID, .nameClaim(.existing(existing)))]
        }
        let waiters = claims.removeValue(forKey: name)?.waiters ?? []
        var directives = [publish(.nameRegistered(name, address))]
        directives.append(.reply(to: sender, correlationID: correlationID, .nameClaim(.existing(address))))
        for waiter in waiters {
            directives.append(.reply(to: waiter.address, correlationID: waiter.correlationID, .nameClaim(.existing(address))))
        }
        return directives
    }

    /// The claimant could not create the actor: the next waiter may try.
    public mutating func abandon(_ name: String, now: Duration) -> [LeaderDirective] {
        guard var claim = claims.removeValue(forKey: name) else { return [] }
        guard !claim.waiters.isEmpty else { return [] }
        let next = claim.waiters.removeFirst()
        claims[name] = NameClaim(holder: next.address.node.address, grantedAt: now, waiters: claim.waiters)
        return [.reply(to: next.address, correlationID: next.correlationID, .nameClaim(.granted))]
    }

    /// A named actor ended: its name is free again.
    public mutating func release(_ name: String, _ address: ActorAddress) -> [LeaderDirective] {
        guard view.names[name] == address else { return [] }
        return [publish(.nameReleased(name))]
    }

    /// Claims granted longer ago than `claimTimeout` pass to their next waiter.
    public mutating func expireClaims(now: Duration) -> [LeaderDirective] {
        let stale = claims.filter { now - $0.value.grantedAt > claimTimeout }.map(\.key)
        return stale.flatMap { abandon($0, now: now) }
    }
}
