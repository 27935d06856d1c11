/// One input's convention: the two planes, the shell's bookkeeping around them, the
/// messages in flight between them, and what was counted and found.
struct ControlFuzzRun {
    private typealias F = ControlFuzzing

    /// A message on its way between the planes.
    private enum Delivery {
        case toMember(ControlReply, correlationID: UInt64)
        case update(SequencedUpdate)
        case toLeader(ControlRequest, correlationID: UInt64)
    }

    private(set) var leader: ControlPlane
    private(set) var member: ControlPlane
    private(set) var outcome = ControlFuzzing.Outcome()
    var choices: FuzzChoices
    private(set) var now: Duration = .seconds(1000)
    private var limit: Int?
    private(set) var names: [NamedActor] = []
    private var nextID = F.firstJoinID
    private(set) var joinIDs: [UInt64] = []
    private(set) var snapshotID: UInt64?
    private var inbox: [Delivery] = []
    private var lossy = false
    /// The highest sequence the member's view reached under each leader life.
    private var reached: [NodeID: UInt64] = [:]

    /// The convention before the input: the leader, the peer joined, the member joined and welcomed.
    init(choosingBy bytes: [UInt8]) {
        choices = FuzzChoices(bytes)
        limit = choices.oneIn(2) ? F.maxMessageSize : nil
        let grace: Duration = choices.oneIn(2) ? now + .seconds(3) : .zero
        var state = LeaderState(
            leader: MemberInfo(node: F.leader, capabilities: Capabilities(["morse"])), graceUntil: grace,
            maxMessageSize: limit)
        if choices.oneIn(4) { state.maxMembers = 3 }
        leader = ControlPlane(leading: state)
        member = ControlPlane(following: MemberState(me: F.member, leaderAddress: F.leader.address, heartbeatID: F.heartbeatID))
        if choices.oneIn(2) {
            names = [NamedActor(name: "Acceptor", address: ActorAddress(node: F.member, id: 7), bornMs: F.member.incarnation)]
        }
        leaderViewChanged()
        let peer = JoinRequest(
            node: F.peer, capabilities: Capabilities(["morse", "Caesar cipher"]), load: 1,
            protocolVersion: Envelope.protocolVersion, maxMessageSize: limit)
        toLeader(.join(peer), sender: .system(F.peer), id: 1, from: .node(F.peer, .plainTextNode), lastHeard: nil)
        sendJoin()
        pump()
        if member.member?.isWelcomed != true { violate("the member was not welcomed before the input") }
        outcome.actions = [:]
        lossy = true
    }

    // MARK: Feeding

    /// One decoded message, then the periodic events.
    mutating func feed(_ message: ControlFuzzing.Message) {
        switch message {
        case .request(let control, let envelope):
            // First as the envelope says (its sender's connection, its id), then as the choices say.
            if let envelope {
                let origin = Self.origin(of: envelope)
                let id = envelope.correlationID
                toLeader(control, sender: envelope.sender ?? .system(F.leader), id: id, from: origin, lastHeard: pickLastHeard())
                toMember(request: control, sender: envelope.sender ?? .system(F.member), id: id, from: origin)
                pump()
                tick()
            }
            for _ in 0..<(envelope == nil ? 1 : 0) + choices.below(3) {
                var origin = pickOrigin(envelope)
                toLeader(control, sender: pickSender(origin, envelope, at: F.leader), id: pickRequestID(envelope),
                         from: origin, lastHeard: pickLastHeard())
                origin = pickOrigin(envelope)
                toMember(request: control, sender: pickSender(origin, envelope, at: F.member), id: pickRequestID(envelope),
                         from: origin)
                pump()
                tick()
            }
        case .reply(let control, let envelope):
            // An answer also arrives as a request now and then: both planes refuse it.
            if let envelope {
                let origin = Self.origin(of: envelope)
                toMember(reply: control, id: envelope.correlationID, from: origin)
                misrouted(sender: envelope.sender ?? .system(F.member), from: origin)
                pump()
                tick()
            }
            for _ in 0..<(envelope == nil ? 1 : 0) + choices.below(3) {
                toMember(reply: control, id: pickReplyID(envelope), from: pickReplyOrigin(envelope))
                let origin = pickOrigin(envelope)
                misrouted(sender: pickSender(origin, envelope, at: F.leader), from: origin)
                pump()
                tick()
            }
        case .update(let update):
            apply(member.member!.update(update))
            pump()
            tick()
        case .heartbeat(let beat):
            apply(member.member!.heartbeat(leader: beat.leader, sequence: beat.sequence))
            pump()
            tick()
        }
    }

    /// The clock moves on; the timers of both nodes' loops fire as their choices say.
    private mutating func tick() {
        now += [Duration.zero, .milliseconds(5), .milliseconds(300), .seconds(3), .seconds(7)][choices.below(5)]
        if choices.oneIn(2) { apply(leader.leader!.expireClaims(now: now)) }
        if choices.oneIn(8) {
            let lives = (leader.view?.members.values.map(\.node) ?? []).sorted()
            let life = choices.oneIn(4) || lives.isEmpty ? madeUp() : lives[choices.below(lives.count)]
            let reason = choices.oneIn(2) ? "no heartbeat" : "connection closed"
            apply(leader.leader!.declareDown(life, reason: reason, now: now))
        }
        for life in leader.lost.expire(now: now, absenceLimit: .seconds(5)) { lose(life, at: F.leader) }
        member.member!.expireSnapshotRequest(now: now, timeout: .seconds(2))
        if member.member!.joinDue(now: now) { sendJoin() }
        if choices.oneIn(4), member.member!.isWelcomed, member.view?.leader == F.leader {
            send(.toLeader(.heartbeat(F.member, load: names.count, capabilities: .none), correlationID: F.heartbeatID))
        }
        if choices.oneIn(4), let view = leader.view {
            apply(member.member!.heartbeat(leader: view.leader, sequence: view.sequence))
        }
        if choices.oneIn(16) { apply(member.member!.leaderLost(reason: "no heartbeat")) }
        for life in member.lost.expire(now: now, absenceLimit: .seconds(5)) { lose(life, at: F.member) }
        pump()
    }

    /// The member's shell sends a JOIN to the leader address.
    private mutating func sendJoin() {
        let id = newID()
        joinIDs.append(id)
        if joinIDs.count > 64 { joinIDs.removeFirst(joinIDs.count - 64) }
        member.member!.joinSent(id: id, names: Set(names.map(\.address)), now: now, retryInterval: .milliseconds(250))
        let request = JoinRequest(
            node: F.member, capabilities: .none, load: names.count, protocolVersion: Envelope.protocolVersion,
            names: names, maxMessageSize: limit)
        send(.toLeader(.join(request), correlationID: id))
    }

    private mutating func newID() -> UInt64 {
        defer { nextID &+= 1 }
        return nextID
    }

    // MARK: Between the planes

    /// Queues a message between the planes; once the input is fed, one in eight is lost.
    private mutating func send(_ delivery: Delivery) {
        if lossy && choices.oneIn(8) {
            count("lost")
            return
        }
        inbox.append(delivery)
    }

    /// Delivers what is in flight (out of order now and then), and what that sends in turn, up to a bound.
    private mutating func pump() {
        var budget = 64
        while !inbox.isEmpty && budget > 0 {
            budget -= 1
            let index = lossy && inbox.count > 1 && choices.oneIn(4) ? choices.below(inbox.count) : 0
            switch inbox.remove(at: index) {
            case .toMember(let control, let id):
                toMember(reply: control, id: id, from: .node(F.leader, .plainTextNode))
            case .update(let update):
                apply(member.member!.update(update))
            case .toLeader(let control, let id):
                toLeader(control, sender: .system(F.member), id: id, from: .node(F.member, .plainTextNode),
                         lastHeard: pickLastHeard())
            }
        }
        inbox.removeAll()
    }

    private static func origin(of envelope: Envelope) -> Origin {
        envelope.sender.map { .node($0.node, .plainTextNode) } ?? .client(.plainTextClient)
    }

    /// An answer sent to the leader as a request: refused, and nothing else happens.
    private mutating func misrouted(sender: ActorAddress, from origin: Origin) {
        let before = leader.view
        let actions = leader.misroutedReply(sender: sender, from: origin)
        if leader.view != before { violate("an answer sent as a request changed the leader's view") }
        perform(actions, atLeader: true, answering: sender, correlationID: 0)
    }

    /// A request to the leader's plane, carried out; a client's must leave the view alone.
    private mutating func toLeader(
        _ control: ControlRequest, sender: ActorAddress, id: UInt64, from origin: Origin, lastHeard: Duration?
    ) {
        let before = leader.view
        let actions = leader.request(control, sender: sender, correlationID: id, from: origin, now: now,
                                     lastHeard: { _ in lastHeard })
        if case .client = origin, leader.view != before { violate("a client's \(Self.name(control)) changed the leader's view") }
        checkRuntime(actions, from: origin, control)
        perform(actions, atLeader: true, answering: sender, correlationID: id)
    }

    /// A request to the member's plane (which leads nothing), carried out.
    private mutating func toMember(request control: ControlRequest, sender: ActorAddress, id: UInt64, from origin: Origin) {
        let before = member.view
        let actions = member.request(control, sender: sender, correlationID: id, from: origin, now: now,
                                     lastHeard: { _ in nil })
        if case .client = origin, member.view != before { violate("a client's \(Self.name(control)) changed the member's view") }
        checkRuntime(actions, from: origin, control)
        perform(actions, atLeader: false, answering: sender, correlationID: id)
    }

    /// A reply to the member's plane: its own when the id is one of its requests', else the runtime's.
    private mutating func toMember(reply control: ControlReply, id: UInt64, from origin: Origin) {
        let names = self.names
        guard let actions = member.reply(control, correlationID: id, from: origin, currentNames: { names }) else {
            return count("reply.notMember")
        }
        perform(actions, atLeader: false, answering: .system(origin.node ?? F.member), correlationID: id)
    }

    /// Carries out a plane's actions; answers from the leader to the member's life travel to it.
    private mutating func perform(
        _ actions: [PlaneAction], atLeader: Bool, answering sender: ActorAddress, correlationID id: UInt64
    ) {
        for action in actions {
            switch action {
            case .answer(let control):
                count("answer")
                if atLeader { answer(control, to: sender, correlationID: id) }
            case .refused(let why, let answered):
                count(Self.name(why))
                if atLeader && answered {
                    let line = why.line(node: F.leader.address, leader: F.leader.address)
                    answer(.refused(line), to: sender, correlationID: id)
                }
            case .leader(let directives):
                apply(directives)
            case .member(let directives):
                apply(directives)
            case .runtime(let request):
                count(Self.name(request))
            case .ownJoin:
                count("ownJoin")
            case .election:
                count("election")
            case .succession:
                count("succession")
            }
        }
    }

    private mutating func answer(_ control: ControlReply, to recipient: ActorAddress, correlationID id: UInt64) {
        if recipient.node == F.member { send(.toMember(control, correlationID: id)) }
    }

    /// The leader's shell: replies travel, updates are published (to the member), the view's lives are reckoned.
    private mutating func apply(_ directives: [LeaderDirective]) {
        var published = false
        for directive in directives {
            switch directive {
            case .reply(let recipient, let id, let control):
                count("leader.reply")
                answer(control, to: recipient, correlationID: id)
            case .publish(let update):
                count("leader.publish")
                published = true
                send(.update(update))
            }
        }
        if published { leaderViewChanged() }
    }

    /// The member's shell, for state: snapshot requests go out with a new id, a new view is reckoned.
    private mutating func apply(_ directives: [MemberDirective]) {
        for directive in directives {
            count(Self.name(directive))
            switch directive {
            case .requestSnapshot(let life):
                let id = newID()
                member.member!.snapshotRequested(id: id, to: life, now: now)
                snapshotID = id
                if life == F.leader { send(.toLeader(.snapshotRequest, correlationID: id)) }
            case .viewChanged:
                let (lost, _) = member.lost.viewChanged(to: member.view, me: F.member, now: now)
                for life in lost { lose(life, at: F.member) }
            case .rejoin, .declaredDown, .joined, .refused, .deferred, .newLife, .settleNames, .redirected:
                break
            }
        }
        checkMember()
    }

    // MARK: Invariants

    private mutating func leaderViewChanged() {
        let (lost, _) = leader.lost.viewChanged(to: leader.view, me: F.leader, now: now)
        for life in lost { lose(life, at: F.leader) }
        guard let view = leader.view, view.leader == F.leader, view.member(F.leader) != nil else {
            return violate("the leader's view does not list the leader: \(String(describing: leader.view?.snapshot))")
        }
    }

    private mutating func lose(_ life: NodeID, at node: NodeID) {
        count("lost.\(node == F.leader ? "leader" : "member")")
        if life == node { violate("\(node) counts its own life as lost") }
    }

    /// The member's view never goes back in sequence under one leader life.
    private mutating func checkMember() {
        guard let view = member.view else { return }
        if let highest = reached[view.leader], view.sequence < highest {
            violate("the member's view went back from sequence \(highest) to \(view.sequence) under \(view.leader)")
        }
        // Bounded: a hostile input may name many leader lives.
        if reached.count < 64 || reached[view.leader] != nil {
            reached[view.leader] = max(reached[view.leader] ?? 0, view.sequence)
        }
    }

    /// Only the node's own runtime hears its own JOIN (and stops for it), and only an origin that may
    /// administer gets the runtime to stop, change capabilities or kill.
    private mutating func checkRuntime(_ actions: [PlaneAction], from origin: Origin, _ control: ControlRequest) {
        for action in actions {
            switch action {
            case .ownJoin where origin != .local:
                violate("a \(Self.name(control)) from \(origin) stopped the node as its own JOIN")
            case .runtime(.stop), .runtime(.changeCapability), .runtime(.kill):
                if !origin.permissions.contains(.administer) {
                    violate("a \(Self.name(control)) from \(origin) had the runtime administer the node")
                }
            default:
                break
            }
        }
    }

    private mutating func violate(_ what: String) {
        if outcome.violations.count < 8 { outcome.violations.append(what) }
    }

    private mutating func count(_ kind: String) { outcome.actions[kind, default: 0] += 1 }
}
