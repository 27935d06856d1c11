/// What the leader's shell must do after an event.
public enum LeaderDirective: Sendable, Equatable {
    /// Answer a request.
    case reply(to: ActorAddress, correlationID: UInt64, ControlReply)
    /// Send an update to every member (already applied to the view).
    case publish(SequencedUpdate)
}

/// The leader's convention logic: membership and the global-name registry.
///
/// A value type: events in, directives out; the node's I/O thread does the I/O.
public struct LeaderState: Sendable {
    /// The authoritative view.
    public private(set) var view: MembershipView
    private var claims: [String: NameClaim] = [:]
    private var births: [String: UInt64] = [:]
    private var downLives: [NodeID] = []
    /// The newest life seen at each address (joined or declared down), so an older life is
    /// told to come back above it: incarnations at one address only grow, whatever the clocks do.
    private var newestLives: [NodeAddress: NodeID] = [:]
    private var heldClaims: [(name: String, sender: ActorAddress, correlationID: UInt64)] = []
    /// Until then (a restarted leader's grace period) name claims wait, so members
    /// can bring back the named actors they host before anything new is created.
    public private(set) var graceUntil: Duration

    struct NameClaim: Sendable {
        var holder: NodeAddress
        var grantedAt: Duration
        var waiters: [(address: ActorAddress, correlationID: UInt64)]
    }

    /// How long a granted claim may stay unregistered before the next waiter gets it.
    public var claimTimeout: Duration = .seconds(5)
    /// How long a member counts as alive after it was last heard (the failure detector's
    /// window): meanwhile a JOIN of another life at its address is put off.
    public var aliveWindow: Duration = .seconds(2)
    /// The most members the view holds, the leader included; later JOINs are put off.
    public var maxMembers: Int = 255
    /// The voting set's size the leader works towards (the longest-lived members vote).
    public var maxVoters: Int = 5
    /// The last update each member said its view applied (its heartbeats carry it).
    var acknowledged: [NodeID: UInt64] = [:]
    /// The sequence of the update that made the voting set what it is: the next change waits
    /// until a majority of this set has applied it.
    var votersSequence: UInt64 = 0
    /// Capability changes that wait for the end of the predecessor's lease.
    private var heldCapabilities: [NodeID: Capabilities] = [:]
    /// The view as a snapshot, and the revision it was made of.
    private var snapshotMade: (revision: UInt64, snapshot: ViewSnapshot)?
    /// The view's sequence each member was last sent whole (a WELCOME, a snapshot it asked for), and when.
    private var snapshotsSent: [NodeID: (sequence: UInt64, at: Duration)] = [:]
    /// How soon a member that asks again for the view it was sent (a snapshot request, a repeated
    /// JOIN) is answered again. A member asks once per gap and again only after its request timed
    /// out (2 s by default), and JOINs again only when its WELCOME was lost; the answer goes back
    /// over its own connection, whose queue one that asks without reading would fill.
    public var snapshotRepeatInterval: Duration = .seconds(1)

    /// The leader's term.
    public var term: UInt64 { view.term }

    /// The view as a snapshot for `node`, which asked for it; nil when `node` was sent this same
    /// view (the same sequence) less than `snapshotRepeatInterval` ago.
    public mutating func snapshot(for node: NodeID, now: Duration) -> ViewSnapshot? {
        if wasSentTheView(node, now: now) { return nil }
        noteViewSent(to: node, now: now)
        return currentSnapshot()
    }

    /// Whether `node` was sent this very view (the same sequence) less than `snapshotRepeatInterval` ago.
    public func wasSentTheView(_ node: NodeID, now: Duration) -> Bool {
        guard let sent = snapshotsSent[node] else { return false }
        return sent.sequence == view.sequence && now - sent.at < snapshotRepeatInterval
    }

    private mutating func noteViewSent(to node: NodeID, now: Duration) {
        // Only members are sent the view: the lives gone are dropped once they could be most.
        if snapshotsSent.count >= 2 * max(view.members.count, 64) {
            snapshotsSent = snapshotsSent.filter { view.member($0.key) != nil }
        }
        snapshotsSent[node] = (view.sequence, now)
    }

    /// Whether `node` has JOINed or heartbeaten this leader (it knows who leads).
    public func hasHeardFrom(_ node: NodeID) -> Bool { acknowledged[node] != nil }

    /// A convention of one: the leader itself. Claims wait until `graceUntil`; `maxMessageSize`
    /// is the convention's limit, which every JOIN must name.
    public init(leader: MemberInfo, graceUntil: Duration = .zero, maxMessageSize: Int? = nil) {
        view = MembershipView(leader: leader, maxMessageSize: maxMessageSize)
        self.graceUntil = graceUntil
    }

    /// The leader elected for `term`, taking over the view it followed (`view`, whose leader is
    /// its predecessor: `declareDown` it next). Until `graceUntil` (the predecessor's lease, run
    /// out) it grants no name and changes no capability.
    public init(succeeding view: MembershipView, me: NodeID, term: UInt64, graceUntil: Duration) {
        var view = view
        let predecessor = view.leader
        if predecessor != me {
            // Its life may come back (a frozen process resumed): it returns as a new life.
            newestLives[predecessor.address] = predecessor
            downLives.append(predecessor)
        }
        view.succeed(by: me, term: term)
        self.view = view
        self.graceUntil = graceUntil
        votersSequence = view.sequence
        acknowledged[me] = view.sequence
    }

    /// The view as a snapshot, made once per revision of the view: after a leader change every
    /// member JOINs again and is sent the same view, one array (O(N)) for all, not one each.
    mutating func currentSnapshot() -> ViewSnapshot {
        if let made = snapshotMade, made.revision == view.revision { return made.snapshot }
        let snapshot = view.snapshot
        snapshotMade = (view.revision, snapshot)
        return snapshot
    }

    mutating func publish(_ update: ViewUpdate) -> LeaderDirective {
        let sequence = view.sequence + 1
        view.apply(update, sequence: sequence)
        acknowledged[view.leader] = sequence
        return .publish(SequencedUpdate(leader: view.leader, sequence: sequence, update: update, term: view.term))
    }

    /// A node asks to join. `lastHeard` is when a life at its address was last heard from,
    /// if ever: a live life keeps its address, and another life is asked to try later.
    public mutating func join(
        _ request: JoinRequest, from sender: ActorAddress, correlationID: UInt64, now: Duration = .zero,
        lastHeard: Duration? = nil
    ) -> [LeaderDirective] {
        let reply = { (control: ControlReply) in LeaderDirective.reply(to: sender, correlationID: correlationID, control) }
        guard request.protocolVersion == Envelope.protocolVersion else {
            return [reply(.refused("protocol version \(request.protocolVersion) is not supported (the leader speaks \(Envelope.protocolVersion))"))]
        }
        guard request.node.address != view.leader.address else {
            return [reply(.refused("\(request.node.address) is the leader's own address"))]
        }
        if let limit = view.maxMessageSize, request.maxMessageSize != limit {
            let theirs = request.maxMessageSize.map { "\($0) bytes" } ?? "none given"
            return [reply(.refused(
                "\(request.node.address) has a message size limit of \(theirs) and the convention has \(limit) bytes: start it with --max-message-size \(limit)"))]
        }
        guard !downLives.contains(request.node) else {
            // It was declared down while away: it must come back as a new life.
            return [reply(.declaredDown(request.node, term: term))]
        }
        var directives: [LeaderDirective] = []
        if let existing = view.members[request.node.address] {
            if existing.node == request.node {
                // A repeated JOIN (a WELCOME was lost, or JOINs queued while the leader was away):
                // take the named actors it carries now, and answer again.
                let adopted = request.names.filter { $0.address.node == request.node }.flatMap { adopt($0) }
                noteViewSent(to: request.node, now: now)
                return [reply(.welcome(currentSnapshot()))] + adopted
            }
            if let lastHeard, now - lastHeard <= aliveWindow {
                return [reply(.joinLater(
                    "\(request.node.address) is held by a live life, \(existing.node): the leader lets \(request.node) in once that life is gone"))]
            }
        }
        if let newest = newestLives[request.node.address], newest.incarnation >= request.node.incarnation {
            return [reply(.staleLife(newest))]
        }
        if let existing = view.members[request.node.address] {
            directives.append(publish(.memberDown(existing.node, reason: "restarted")))
            directives += releaseClaims(heldBy: existing.node.address, now: now)
        } else if view.members.count >= maxMembers {
            return [reply(.joinLater("the convention has its most members (\(maxMembers))"))]
        }
        noteNewest(request.node)
        let info = MemberInfo(
            node: request.node, capabilities: request.capabilities, load: request.load, publicKey: request.publicKey)
        directives.append(publish(.memberUp(info)))
        for named in request.names where named.address.node == request.node {
            directives += adopt(named)
        }
        directives.insert(reply(.welcome(currentSnapshot())), at: 0)
        noteViewSent(to: request.node, now: now)
        acknowledged[request.node] = view.sequence
        return directives
    }

    /// Remembers `node` as the newest life at its address (bounded: lives of addresses
    /// no longer in the view go first).
    private mutating func noteNewest(_ node: NodeID) {
        if let known = newestLives[node.address], known.incarnation >= node.incarnation { return }
        if newestLives.count >= 4096 {
            newestLives = newestLives.filter { view.members[$0.key] != nil }
        }
        newestLives[node.address] = node
    }

    /// A named actor of this very leader, created while it did not lead (its claim unanswered):
    /// it keeps the name unless an older actor holds it, as a joining member's would.
    public mutating func adoptOwn(_ named: NamedActor) -> [LeaderDirective] {
        guard named.address.node == view.leader else { return [] }
        return adopt(named)
    }

    /// A joining member brings a named actor: it keeps the name unless an older actor holds it.
    private mutating func adopt(_ named: NamedActor) -> [LeaderDirective] {
        let bornMs = Self.birth(named.bornMs, of: named.address)
        if let holder = view.names[named.name] {
            guard holder != named.address else { return [] }
            let holderBirth = births[named.name] ?? UInt64.max
            guard (bornMs, named.address) < (holderBirth, holder) else { return [] }
        }
        births[named.name] = bornMs
        return [publish(.nameRegistered(named.name, named.address))] + settleClaim(named.name, holder: named.address)
    }

    /// The name is registered: an outstanding claim on it is over, and its waiters get the holder.
    private mutating func settleClaim(_ name: String, holder: ActorAddress) -> [LeaderDirective] {
        let waiters = claims.removeValue(forKey: name)?.waiters ?? []
        return waiters.map { .reply(to: $0.address, correlationID: $0.correlationID, .nameClaim(.existing(holder), term: term)) }
    }

    /// A member leaves gracefully.
    public mutating func leave(_ node: NodeID, now: Duration = .zero) -> [LeaderDirective] {
        declareDown(node, reason: "left", now: now)
    }

    /// A member is gone (left, killed, silent): publish it and free what it held.
    public mutating func declareDown(_ node: NodeID, reason: String, now: Duration) -> [LeaderDirective] {
        guard view.member(node) != nil, node != view.leader else { return [] }
        noteNewest(node)
        if reason != "left" {
            downLives.append(node)
            if downLives.count > 1024 { downLives.removeFirst(downLives.count - 1024) }
        }
        return [publish(.memberDown(node, reason: reason))] + releaseClaims(heldBy: node.address, now: now)
    }

    /// A member's heartbeat: it is alive, with this load and these capabilities.
    ///
    /// A life the view no longer lists is told it was declared down.
    public mutating func heartbeat(
        _ node: NodeID, load: Int, capabilities: Capabilities, correlationID: UInt64, sequence: UInt64 = 0, now: Duration = .zero
    ) -> [LeaderDirective] {
        guard view.member(node) != nil else {
            if let current = view.members[node.address], current.node.incarnation > node.incarnation { return [] }
            return [.reply(to: .system(node), correlationID: correlationID, .declaredDown(node, term: term))]
        }
        // Only a sequence this leader published counts (a view ahead came from a predecessor).
        if sequence <= view.sequence { acknowledged[node] = max(acknowledged[node] ?? 0, sequence) }
        return self.load(node, load) + self.capabilities(node, capabilities, now: now)
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

    /// A member's capabilities changed (the leader's own included). Within the predecessor's
    /// lease (`graceUntil`) the change waits: that leader may still think it leads.
    public mutating func capabilities(_ node: NodeID, _ capabilities: Capabilities, now: Duration = .zero) -> [LeaderDirective] {
        guard let member = view.member(node) else { return [] }
        if now < graceUntil {
            heldCapabilities[node] = capabilities
            return []
        }
        heldCapabilities[node] = nil
        guard member.capabilities != capabilities else { return [] }
        return [publish(.capabilities(node, capabilities))]
    }

    /// A node wants a global name: it gets the live actor, or the right to create it.
    ///
    /// While one claim is outstanding, later claimants wait and are answered when it registers.
    public mutating func claim(
        _ name: String, from sender: ActorAddress, correlationID: UInt64, now: Duration
    ) -> [LeaderDirective] {
        if let address = view.names[name] {
            return [.reply(to: sender, correlationID: correlationID, .nameClaim(.existing(address), term: term))]
        }
        if now < graceUntil {
            heldClaims.append((name, sender, correlationID))
            return []
        }
        if claims[name] != nil {
            claims[name]!.waiters.append((sender, correlationID))
            return []
        }
        claims[name] = NameClaim(holder: sender.node.address, grantedAt: now, waiters: [])
        return [.reply(to: sender, correlationID: correlationID, .nameClaim(.granted, term: term))]
    }

    /// The claimant created the actor and registers it under the name.
    public mutating func register(
        _ name: String, _ address: ActorAddress, bornMs: UInt64 = 0, from sender: ActorAddress, correlationID: UInt64
    ) -> [LeaderDirective] {
        if address.node != sender.node {
            // Another member's actor: only the claimant that had it created there registers it.
            guard claims[name]?.holder == sender.node.address, view.member(address.node) != nil else { return [] }
        }
        if let existing = view.names[name], existing != address {
            return [.reply(to: sender, correlationID: correlationID, .nameClaim(.existing(existing), term: term))]
                + settleClaim(name, holder: existing)
        }
        births[name] = Self.birth(bornMs, of: address)
        var directives = [publish(.nameRegistered(name, address))]
        directives.append(.reply(to: sender, correlationID: correlationID, .nameClaim(.existing(address), term: term)))
        return directives + settleClaim(name, holder: address)
    }

    /// The claimant (the node at `claimant`, nil for this leader's own bookkeeping) could not
    /// create the actor: the next waiter may try. Only the node holding the claim can abandon it.
    public mutating func abandon(_ name: String, by claimant: NodeAddress? = nil, now: Duration) -> [LeaderDirective] {
        if let claimant, claims[name]?.holder != claimant { return [] }
        guard var claim = claims.removeValue(forKey: name) else { return [] }
        guard !claim.waiters.isEmpty else { return [] }
        let next = claim.waiters.removeFirst()
        claims[name] = NameClaim(holder: next.address.node.address, grantedAt: now, waiters: claim.waiters)
        return [.reply(to: next.address, correlationID: next.correlationID, .nameClaim(.granted, term: term))]
    }

    /// A named actor ended: its name is free again.
    public mutating func release(_ name: String, _ address: ActorAddress) -> [LeaderDirective] {
        guard view.names[name] == address else { return [] }
        return [publish(.nameReleased(name))]
    }

    /// Claims granted longer ago than `claimTimeout` pass to their next waiter;
    /// after the grace period, held claims are answered.
    public mutating func expireClaims(now: Duration) -> [LeaderDirective] {
        var directives: [LeaderDirective] = []
        if now >= graceUntil && !heldCapabilities.isEmpty {
            let held = heldCapabilities
            heldCapabilities.removeAll()
            for (node, capabilities) in held.sorted(by: { $0.key < $1.key }) {
                directives += self.capabilities(node, capabilities, now: now)
            }
        }
        if now >= graceUntil && !heldClaims.isEmpty {
            let held = heldClaims
            heldClaims.removeAll()
            for claim in held { directives += self.claim(claim.name, from: claim.sender, correlationID: claim.correlationID, now: now) }
        }
        let stale = claims.filter { now - $0.value.grantedAt > claimTimeout }.map(\.key).sorted()
        return directives + stale.flatMap { abandon($0, now: now) }
    }

    /// The birth time a name conflict is judged by: as reported, but never before the life
    /// that hosts the actor began (an actor is not older than its node's life).
    static func birth(_ reportedMs: UInt64, of address: ActorAddress) -> UInt64 {
        max(reportedMs, address.node.incarnation)
    }
}
