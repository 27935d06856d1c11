/// What the node's runtime must do for a control request the plane accepted;
/// the runtime answers the request itself.
public enum RuntimeRequest: Sendable, Equatable {
    /// Another node asks this one to host an actor; `creator` is that node's life.
    case create(CreateRequest, creator: NodeID)
    /// A client asks its gateway for an actor (placed wherever it fits, or where `hint` says).
    case createActor(typeName: String, globalName: String?, hint: PlacementHint? = nil)
    /// A client asks for the convention's status: a fresh report, or `page` of a report kept.
    case status(StatusPageRequest? = nil)
    /// A client asks for this node's metrics.
    case metrics
    /// A node asks for this node's actors whose id is greater than `afterID` (a page of them).
    case listActors(afterID: UInt64)
    /// A client asks this node to stop.
    case stop
    /// A client adds or removes one capability.
    case changeCapability(add: Bool, name: String)
    /// A client kills an actor.
    case kill(ActorAddress)
    /// The leader `asker` asks this member to probe `suspect` for it (answered when the suspect answers).
    case probe(NodeID, asker: NodeID)
    /// An admin has this node lead at once, as the only voter.
    case promote
    /// A client asks the leader for its events after `after`, waiting up to `waitMs` for one.
    case events(after: UInt64, waitMs: Int)
    /// A member's supervisor restarted one of its actors: the leader records it.
    case restartReported(ActorAddress, typeName: String, restarts: Int)
}

/// What the shell must do after the control plane handled a message.
public enum PlaneAction: Sendable, Equatable {
    /// Answer the request's sender with this.
    case answer(ControlReply)
    /// The request was refused: count it, and answer the sender with the refusal's line when
    /// `answered` (a client always; a node only where the answer reaches the life that asked).
    case refused(ControlRefusal, answered: Bool)
    /// Carry out the leader's decisions.
    case leader([LeaderDirective])
    /// Carry out the member's decisions.
    case member([MemberDirective])
    /// Have the runtime do this, and answer.
    case runtime(RuntimeRequest)
    /// This node received its own JOIN: its leader address points back at it.
    case ownJoin
    /// Carry out the election's decisions.
    case election([ElectionDirective])
    /// Carry out a change of this node's part in the convention.
    case succession([SuccessionDirective])
}

/// A node's side of the convention protocol, without sockets: the rules on who
/// may send what (`ControlPolicy`), the leader's or the member's state machine,
/// and the translation of control messages into their events.
///
/// A value type in the manner of `SWIM.Instance`: messages in, actions out. `NodeIO`
/// feeds it what the sockets bring and carries out what it returns, so the protocol
/// can be driven, tested and fuzzed without a socket.
public struct ControlPlane: Sendable {
    /// This node's life.
    public let me: NodeID
    /// The leader's logic, while this node leads.
    public var leader: LeaderState?
    /// The member's logic, while it does not.
    public var member: MemberState?
    /// Lives lost, and members a new leader life still waits for.
    public var lost = LostLives()
    /// This node's part in electing the leader: its term and vote.
    public var election: Election
    /// The election's timers and settings.
    public var timers = SuccessionTimers()
    public var settings: SuccessionSettings
    /// The correlation id of this node's heartbeats, kept across its roles.
    public let heartbeatID: UInt64

    /// The leader's plane: `leader` holds the convention's authoritative view (its founder, term 1).
    public init(leading leader: LeaderState, settings: SuccessionSettings = SuccessionSettings(), heartbeatID: UInt64 = 1) {
        me = leader.view.leader
        self.leader = leader
        self.settings = settings
        self.heartbeatID = heartbeatID
        election = Election(me: me, term: leader.term, leader: me, voters: Set(leader.view.voters))
        timers.leadingSince = .zero
    }

    /// A member's plane, joining the leader at `member.leaderAddress`.
    public init(following member: MemberState, settings: SuccessionSettings = SuccessionSettings()) {
        me = member.me
        self.member = member
        self.settings = settings
        heartbeatID = member.heartbeatID
        election = Election(me: me, voters: [])
    }

    /// Where JOINs and the leader's requests go: this node's own address while it leads, else
    /// the leader it follows (the configured leader address until it knows one).
    @inline(__always)
    public var leaderAddress: NodeAddress {
        // Inlined, and without `??`: a call on a class's stored plane (NodeIO's, read per message)
        // is made on a copy of the whole plane, and `??`'s autoclosure captures one too.
        if leader == nil, let address = member?.leaderAddress { return address }
        return me.address
    }

    /// The election learns the voting set and the sequence of the view this node now follows.
    public mutating func syncElection() {
        guard let view else { return }
        election.votersChanged(to: Set(view.voters))
        election.sequence = view.sequence
    }

    /// The view this node follows: the leader's own, or the member's copy of it.
    public var view: MembershipView? {
        if let view = leader?.view { return view }
        return member?.view
    }

    /// Whether `life` counts as a member here: in the view, or awaited by a new leader life.
    @inline(__always)  // Asked per frame on NodeIO's plane: not called on a copy of the plane (`leaderAddress`).
    public func isMember(_ life: NodeID) -> Bool { lost.isKnown(life) }

    /// The rules' view of this node.
    public var policyContext: ControlPolicy.Context {
        let lost = self.lost
        return ControlPolicy.Context(isLeader: leader != nil, members: { lost.isKnown($0) }, viewLeader: member?.view?.leader)
    }

    /// A control request for this node's system endpoint, from `origin`, whose envelope
    /// names `sender`; `lastHeard` tells when a node address was last heard from.
    public mutating func request(
        _ control: ControlRequest, sender: ActorAddress, correlationID: UInt64, from origin: Origin, now: Duration,
        lastHeard: (NodeAddress) -> Duration?, hearsLeader: () -> Bool = { false }
    ) -> [PlaneAction] {
        if origin == .local, case .join(let request) = control, request.node == me {
            // Its own JOIN, over its own link: the leader address it was given points back at it.
            return [.ownJoin]
        }
        if let refusal = Self.refusal(ControlPolicy.decide(control, from: origin, sender: sender, context: policyContext),
                                      from: origin) {
            return [refusal]
        }
        if let origin = origin.node, let actions = elect(control, from: origin, hearsLeader: hearsLeader) { return actions }
        return handle(control, sender: sender, correlationID: correlationID, from: origin, now: now, lastHeard: lastHeard)
    }

    /// The election's requests, and a JOIN or heartbeat at a node that does not lead (answered
    /// with the term and leader it knows, so the sender goes there); nil for any other request.
    private mutating func elect(_ control: ControlRequest, from origin: NodeID, hearsLeader: () -> Bool) -> [PlaneAction]? {
        switch control {
        case .preVote(let term, let sequence):
            return [.answer(.voteAnswer(election.preVoteRequested(
                by: origin, term: term, sequence: sequence, hearsLeader: hearsLeader(),
                knownAddress: member?.joinsThrough(origin.address) == true)))]
        case .vote(let term, let sequence):
            let (answer, directives) = election.voteRequested(
                by: origin, term: term, sequence: sequence, knownAddress: member?.joinsThrough(origin.address) == true)
            var answered = answer
            answered.leader = election.knownLeader
            return [.answer(.voteAnswer(answered))] + (directives.isEmpty ? [] : [.election(directives)])
        case .announceLeader(let term, let leader):
            if leader == origin, let joined = joinConvention(of: origin, term: term) { return [.succession(joined)] }
            let directives = leader == origin
                ? election.heardLeader(origin, term: term) : election.heardTerm(term, leader: leader, from: origin)
            return directives.isEmpty ? [] : [.election(directives)]
        case .join, .heartbeat:
            guard leader == nil else { return nil }
            return [.refused(.notTheLeader, answered: false),
                    .answer(.notLeader(term: election.term, leader: election.knownLeader))]
        default:
            return nil
        }
    }

    /// An answer that came as a request from `origin`, whose envelope names `sender`: refused.
    public func misroutedReply(sender: ActorAddress, from origin: Origin) -> [PlaneAction] {
        let verdict = ControlPolicy.decideMisroutedReply(from: origin, sender: sender)
        return [Self.refusal(verdict, from: origin) ?? .refused(.misrouted, answered: false)]
    }

    private static func refusal(_ verdict: ControlVerdict, from origin: Origin) -> PlaneAction? {
        switch verdict {
        case .allow: return nil
        case .refuse(let why): return .refused(why, answered: origin.node == nil)
        case .refuseJoin(let why): return .refused(why, answered: true)
        case .ignore(let why): return .refused(why, answered: false)
        }
    }

    private mutating func handle(
        _ control: ControlRequest, sender: ActorAddress, correlationID id: UInt64, from origin: Origin, now: Duration,
        lastHeard: (NodeAddress) -> Duration?
    ) -> [PlaneAction] {
        // Where a request names its sender's node, the policy made sure it is the origin's.
        let claimant = origin.node?.address
        switch control {
        case .join(let request):
            guard leader != nil else { return [.refused(.notTheLeader, answered: true)] }
            // A member's repeated JOIN for the view it was just sent is not answered (it JOINs again
            // after its retry interval): a flood of JOINs would fill its connection's queue with views.
            if leader!.view.member(request.node) != nil, leader!.wasSentTheView(request.node, now: now) {
                return [.refused(.repeatedSnapshot, answered: false)]
            }
            return [.leader(leader!.join(request, from: sender, correlationID: id, now: now,
                                         lastHeard: lastHeard(request.node.address)))]
        case .leave(let node):
            return leading { $0.leave(node, now: now) }
        case .loadReport(let node, let load):
            return leading { $0.load(node, load) }
        case .capabilitiesChanged(let node, let capabilities):
            return leading { $0.capabilities(node, capabilities, now: now) }
        case .heartbeat(let node, let load, let capabilities, let term, let sequence):
            if term > election.term {
                // A member of a later term still writes to this node: this node is the one behind.
                let directives = election.heardTerm(term, leader: nil, from: node)
                if !directives.isEmpty { return [.election(directives)] }
            }
            return leading {
                $0.heartbeat(node, load: load, capabilities: capabilities, correlationID: id, sequence: sequence, now: now)
            }
        case .snapshotRequest:
            guard leader != nil else { return [.refused(.notTheLeader, answered: true)] }
            guard let snapshot = leader!.snapshot(for: sender.node, now: now) else {
                return [.refused(.repeatedSnapshot, answered: false)]
            }
            return [.answer(.snapshot(snapshot))]
        case .claimName(let name):
            return leading { $0.claim(name, from: sender, correlationID: id, now: now) }
        case .registerName(let name, let address, let bornMs):
            return leading { $0.register(name, address, bornMs: bornMs, from: sender, correlationID: id) }
        case .abandonName(let name):
            return leading { $0.abandon(name, by: claimant, now: now) }
        case .releaseName(let name, let address):
            return leading { $0.release(name, address) }
        case .create(let request):
            return [.runtime(.create(request, creator: origin.node ?? me))]
        case .createActor(let typeName, let globalName, let hint):
            return [.runtime(.createActor(typeName: typeName, globalName: globalName, hint: hint))]
        case .status(let page):
            return [.runtime(.status(page))]
        case .metrics:
            return [.runtime(.metrics)]
        case .listActors(let afterID):
            return [.runtime(.listActors(afterID: afterID))]
        case .ping:
            return [.answer(.pong(me))]
        case .describeView:
            return [.answer(.viewDescription(view?.snapshot))]
        case .stop:
            return [.runtime(.stop)]
        case .changeCapability(let add, let name):
            return [.runtime(.changeCapability(add: add, name: name))]
        case .kill(let address):
            return [.runtime(.kill(address))]
        case .probeRequest(let suspect):
            // The policy let only the view's leader life through; a probe of this very node is answered at once.
            guard let asker = origin.node else { return [.refused(.notFromTheLeader, answered: false)] }
            return suspect == me ? [.answer(.probeAnswered(me))] : [.runtime(.probe(suspect, asker: asker))]
        case .promote(let force):
            guard force else {
                return [.answer(.refused("refused: promote makes this node lead alone, whatever the other voters say; give --force to mean it"))]
            }
            return [.runtime(.promote)]
        case .events(let after, let waitMs):
            // Only the leader keeps the stream: elsewhere the client learns where it is.
            guard leader != nil else { return [.answer(.notLeader(term: election.term, leader: election.knownLeader))] }
            return [.runtime(.events(after: after, waitMs: waitMs))]
        case .actorRestarted(let address, let typeName, let restarts):
            guard leader != nil else { return [.refused(.notTheLeader, answered: false)] }
            return [.runtime(.restartReported(address, typeName: typeName, restarts: restarts))]
        case .preVote, .vote, .announceLeader:
            return []  // `elect` took them
        }
    }

    /// Runs `body` on the leader's state; a request only the leader handles is dropped elsewhere.
    private mutating func leading(_ body: (inout LeaderState) -> [LeaderDirective]) -> [PlaneAction] {
        guard leader != nil else { return [.refused(.notTheLeader, answered: false)] }
        let directives = body(&leader!)
        return directives.isEmpty ? [] : [.leader(directives)]
    }

    /// A reply from `origin`: the member's own requests (JOIN, snapshot, heartbeat) are
    /// answered here; nil when the reply is for someone else (a pending request of the runtime).
    /// `currentNames` are the named actors this node hosts now.
    public mutating func reply(
        _ control: ControlReply, correlationID id: UInt64, from origin: Origin, currentNames: () -> [NamedActor]
    ) -> [PlaneAction]? {
        guard member != nil, member!.isOwnRequest(id) else { return nil }
        guard let source = origin.node else { return [.refused(.misrouted, answered: false)] }
        var actions: [PlaneAction] = []
        if case .notLeader(let term, let leader) = control {
            // The leader this node followed says it no longer leads: it knows no leader now.
            if election.knownLeader == source, leader != source { election.leaderUnheard() }
            // A voter's word on the term moves this node's election (anyone else's only redirects a JOIN).
            let directives = election.heardTerm(term, leader: leader, from: source)
            if !directives.isEmpty { actions.append(.election(directives)) }
        }
        let directives = member!.answer(control, correlationID: id, from: source, currentNames: currentNames())
        if !directives.isEmpty { actions.append(.member(directives)) }
        if directives.contains(.joined), let view {
            // The leader's welcome says its term and who votes: the election follows it. This life
            // belongs to a convention now, and founds none of its own any more.
            timers.electionDueAt = nil
            settings.looksBeforeFounding = false
            syncElection()
            let followed = election.heardLeader(view.leader, term: view.term)
            if !followed.isEmpty { actions.append(.election(followed)) }
        }
        return actions
    }
}
