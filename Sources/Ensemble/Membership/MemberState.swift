/// What a member's shell must do after an event.
public enum MemberDirective: Sendable, Equatable {
    /// Ask the leader life for a whole snapshot (a gap, a heartbeat ahead of the view).
    case requestSnapshot(from: NodeID)
    /// The view changed; refresh what depends on it.
    case viewChanged
    /// A new leader life is there: JOIN again (with this node's named actors).
    case rejoin
    /// The convention declared this node down: stop its actors and come back as a new life.
    case declaredDown
    /// The leader welcomed this node.
    case joined
    /// The leader refused this node for good, saying why: it stops, and its process fails.
    case refused(String)
    /// The leader put the JOIN off, saying why (a live life holds the address, the convention
    /// is full): keep trying until it lets this node in, or the join times out.
    case deferred(String)
    /// The leader knows a newer life at this address: start a new life above it.
    case newLife(above: NodeID)
    /// JOINs go to `leader` from now on (a node that does not lead named it, or the election
    /// did): JOIN it (its updates come back over the connection the JOIN takes).
    case redirected(to: NodeID)
    /// The leader judged this node's named actors: those whose name maps elsewhere lost it.
    case settleNames([String: ActorAddress])
}

/// A member's convention logic: join the leader, follow its view with sequence
/// checks, and settle the named actors it hosts.
///
/// Updates at or below the view's sequence are ignored; the next one is
/// applied; a gap or a heartbeat ahead asks for a snapshot (the "Clone"
/// pattern); a newer leader life asks for a new JOIN; a view without this
/// node means it was declared down. Answers are taken only when they answer a
/// request this member sent (its correlation id) and come from the node it went
/// to: JOIN answers from the leader's address, snapshots from the leader life
/// asked, `declaredDown` for a heartbeat from the leader life of the view.
public struct MemberState: Sendable {
    /// This node's life.
    public let me: NodeID
    /// Where JOINs go: the configured leader address at first, then the leader this node follows.
    public private(set) var leaderAddress: NodeAddress
    /// The correlation id of this life's heartbeats (random, so only the leader can answer one).
    public let heartbeatID: UInt64
    /// The view: the leader's, as last known (kept while the leader is away).
    public private(set) var view: MembershipView?
    /// Where views the same as this member's are shared (the simulation's many nodes); nil in a node.
    public var viewSharing: (any ViewSharing)?
    /// Whether the current leader life has welcomed this node.
    public private(set) var isWelcomed = false
    /// Whether a snapshot request is outstanding.
    public var awaitingSnapshot: Bool { snapshotRequest != nil }
    /// Whether the leader has judged this node's named actors (only then does a name
    /// mapped elsewhere mean ours lost).
    public private(set) var namesSettled = false

    /// Correlation ids of recent JOINs, newest last; the newest with the named actors it carried.
    private var joinIDs: [UInt64] = []
    private var latestJoinNames: Set<ActorAddress> = []
    private var nextJoinAt: Duration = .zero
    /// Send a JOIN at the next tick even though welcomed (to announce named actors).
    private var announceNames = false
    /// The newest JOIN carries every named actor here and its answer is awaited: it judges them
    /// (sent again after the retry interval, should it go unanswered).
    private var namesAwaitNewestJoin = false
    private var snapshotRequest: (id: UInt64, to: NodeID, at: Duration)?

    /// Where JOINs may go when the current target does not answer: the leader address and the
    /// nodes that answered at the start (any member names the leader).
    private var joinTargets: JoinTargets
    private var unansweredJoins = 0
    /// Whether any JOIN of this life was answered by a node of a convention: a node looking for
    /// a running convention founds one only when none was.
    public private(set) var heardAnswer = false
    /// The JOIN targets that answered they belong to no convention yet.
    private var withoutConvention: Set<NodeAddress> = []
    /// What this life heard already of its end, so that each is said once: the answers to the
    /// JOINs and heartbeats still in flight (and the update saying it) repeat it while it stops.
    private var heardDeclaredDown = false
    private var heardNewerLife: NodeID?
    private var heardRefusal = false

    /// Whether every JOIN target answered it belongs to no convention (nodes started before
    /// the leader, waiting for it): a node at the leader address founds one at once.
    public var noConventionAnywhere: Bool {
        !heardAnswer && joinTargets.allSatisfy { withoutConvention.contains($0) }
    }

    /// A member not yet welcomed, joining the leader at `leaderAddress` (or, when it does not
    /// answer, through `seeds`); `view` is the view it keeps meanwhile (a leader that stepped
    /// down keeps the one it led).
    public init(
        me: NodeID, leaderAddress: NodeAddress, heartbeatID: UInt64 = 1, view: MembershipView? = nil, seeds: [NodeAddress] = []
    ) {
        self.me = me
        self.leaderAddress = leaderAddress
        self.heartbeatID = heartbeatID
        self.view = view
        joinTargets = JoinTargets(me: me.address, addresses: [leaderAddress] + seeds)
        if let view { joinTargets.append(membersOf: view) }
    }

    /// After `limit` JOINs in a row without an answer, JOINs go to the next target; returns it.
    public mutating func rotateJoinTarget(after limit: Int) -> NodeAddress? {
        guard !isWelcomed, unansweredJoins >= limit, let next = joinTargets.next(after: leaderAddress) else { return nil }
        leaderAddress = next
        unansweredJoins = 0
        return leaderAddress
    }

    // MARK: Joining

    /// Whether a JOIN is due: not yet welcomed (retrying every interval), or named actors to announce.
    public func joinDue(now: Duration) -> Bool {
        announceNames || ((!isWelcomed || namesAwaitNewestJoin) && now >= nextJoinAt)
    }

    /// A JOIN with correlation id `id`, carrying these named actors, was sent.
    public mutating func joinSent(id: UInt64, names: Set<ActorAddress>, now: Duration, retryInterval: Duration) {
        nextJoinAt = now + retryInterval
        announceNames = false
        unansweredJoins += 1
        joinIDs.append(id)
        if joinIDs.count > 64 { joinIDs.removeFirst(joinIDs.count - 64) }
        latestJoinNames = names
    }

    /// Whether `id` is one of this member's own requests (a JOIN, the snapshot asked, a heartbeat).
    public func isOwnRequest(_ id: UInt64) -> Bool {
        id != 0 && (id == heartbeatID || id == snapshotRequest?.id || joinIDs.contains(id))
    }

    /// An answer to one of this member's own requests arrived from `source` (the life whose
    /// connection carried it). Answers to other ids, or from a node the request did not go to,
    /// change nothing. `currentNames` are the named actors this node hosts now.
    public mutating func answer(
        _ control: ControlReply, correlationID id: UInt64, from source: NodeID, currentNames: [NamedActor]
    ) -> [MemberDirective] {
        if joinIDs.contains(id) {
            guard source.address == leaderAddress else { return [] }
            if case .notLeader(let term, nil) = control {
                // It knows no leader: JOINs go on (to the next target in turn). A node of no
                // convention yet (term 0) is no sign of a running one.
                if term == 0 { withoutConvention.insert(source.address) } else { heardAnswer = true }
                return []
            }
            unansweredJoins = 0
            heardAnswer = true
            return joinAnswer(control, id: id, from: source, currentNames: currentNames)
        }
        if let request = snapshotRequest, id == request.id, id != 0 {
            guard source == request.to, case .snapshot(let snapshot) = control, snapshot.leader == source else { return [] }
            return self.snapshot(snapshot)
        }
        if id == heartbeatID, source == view?.leader {
            switch control {
            case .declaredDown(let node, _) where node == me: return refusedAsDown()
            // The leader this node heartbeats stepped down: the election's word decides where to go.
            case .notLeader: return isWelcomed ? leaderLost(reason: "it no longer leads") : []
            default: return []
            }
        }
        return []
    }

    private mutating func joinAnswer(
        _ control: ControlReply, id: UInt64, from source: NodeID, currentNames: [NamedActor]
    ) -> [MemberDirective] {
        switch control {
        case .welcome(let snapshot):
            guard snapshot.leader == source else { return [] }
            var directives = welcome(snapshot)
            guard isWelcomed else { return directives }
            directives.append(.joined)
            directives += settle(answering: id, names: snapshot.names, currentNames: currentNames)
            return directives
        case .declaredDown(let node, _) where node == me:
            return refusedAsDown()
        case .joinLater(let why):
            return [.deferred(why)]
        case .notLeader(_, let leader):
            // A leader at this node's own address is a life of this node that is gone.
            guard let leader, leader.address != me.address, leader.address != source.address else { return [] }
            return follow(leader)
        case .staleLife(let current) where current.address == me.address && current.incarnation >= me.incarnation:
            guard current.incarnation < UInt64.max else { return refusedOnce("the leader knows a life of \(me.address) that no newer life can follow") }
            isWelcomed = false
            // Told again (another JOIN's answer), it is news only about a still newer life.
            if let heard = heardNewerLife, heard.incarnation >= current.incarnation { return [] }
            heardNewerLife = current
            return [.newLife(above: current)]
        case .refused(let why):
            // Before a welcome the node cannot take part; after one, a refusal of a repeated
            // JOIN (announcing names) is the leader's word on this life too.
            return refusedOnce(why)
        default:
            return []
        }
    }

    /// After a WELCOME: if it answered the newest JOIN and that JOIN carried every named
    /// actor here now, the leader has judged them (losers stop); else, unless the newest JOIN
    /// carries them all and is still unanswered, announce them again.
    private mutating func settle(answering id: UInt64, names: [String: ActorAddress], currentNames: [NamedActor]) -> [MemberDirective] {
        let newestCarriesAll = currentNames.allSatisfy { latestJoinNames.contains($0.address) }
        if (id == joinIDs.last && newestCarriesAll) || currentNames.allSatisfy({ names[$0.name] == $0.address }) {
            namesSettled = true
            namesAwaitNewestJoin = false
            return [.settleNames(names)]
        }
        namesSettled = false
        // The answer to an older JOIN: a JOIN for each such answer would make every answer one to
        // an older JOIN again (two same-named actors of this node announced for ever).
        if newestCarriesAll {
            namesAwaitNewestJoin = true
            return []
        }
        announceNames = true
        return []
    }

    /// The leader's WELCOME arrived (from the leader life it names).
    public mutating func welcome(_ snapshot: ViewSnapshot) -> [MemberDirective] {
        // A leader of an older term than the view's is one the convention has left behind.
        if let view, snapshot.term < view.term { return [] }
        if let view, snapshot.leader.address == view.leader.address {
            // A delayed answer from an earlier leader life, or older than what updates already brought.
            if snapshot.leader.incarnation < view.leader.incarnation { return [] }
            if snapshot.leader == view.leader && snapshot.sequence < view.sequence { return [] }
        }
        isWelcomed = true
        snapshotRequest = nil
        return install(MembershipView(snapshot))
    }

    // MARK: Following the view

    /// A snapshot reply arrived (after a gap).
    public mutating func snapshot(_ snapshot: ViewSnapshot) -> [MemberDirective] {
        snapshotRequest = nil
        guard isWelcomed, let view, snapshot.leader == view.leader, snapshot.term == view.term,
            snapshot.sequence >= view.sequence
        else { return [] }
        return install(MembershipView(snapshot))
    }

    private mutating func install(_ fresh: MembershipView) -> [MemberDirective] {
        guard fresh.member(me) != nil else {
            view = fresh
            isWelcomed = false
            return [.viewChanged] + declaredDownOnce()
        }
        guard fresh != view else { return [] }
        view = viewSharing?.share(fresh, after: nil, from: nil) ?? fresh
        return [.viewChanged]
    }

    /// An update arrived from the leader (over this member's link to it).
    public mutating func update(_ update: SequencedUpdate) -> [MemberDirective] {
        // The view's fields only: a second reference to the view while it takes the update would
        // make it copy its members (O(members) per update, copy-on-write).
        guard let now = view.map({ (leader: $0.leader, term: $0.term, sequence: $0.sequence) }), update.term >= now.term
        else { return [] }
        if update.leader != now.leader { return newLeaderLife(update.leader, current: now.leader) }
        if update.term > now.term { return newTerm() }
        guard isWelcomed, update.term == now.term, update.sequence > now.sequence else { return [] }
        // Compared by difference: `view.sequence + 1` would wrap at the last sequence number.
        if update.sequence - now.sequence > 1 { return requestSnapshotOnce() }
        applyToView(update)
        if case .memberDown(let node, _) = update.update, node == me {
            isWelcomed = false
            return [.viewChanged] + declaredDownOnce()
        }
        return [.viewChanged]
    }

    /// Applies a sequenced update to the view: in place, or through the view sharing.
    private mutating func applyToView(_ update: SequencedUpdate) {
        guard let sharing = viewSharing else { return view!.apply(update.update, sequence: update.sequence) }
        if let shared = sharing.view(after: update, from: view!) {
            view = shared
        } else {
            let base = view!.revision
            view!.apply(update.update, sequence: update.sequence)
            view = sharing.share(view!, after: update, from: base)
        }
    }

    /// The leader's heartbeat says its view is at `sequence`.
    public mutating func heartbeat(leader: NodeID, sequence: UInt64, term: UInt64 = 1) -> [MemberDirective] {
        guard let view, term >= view.term else { return [] }
        if leader != view.leader { return newLeaderLife(leader, current: view.leader) }
        if term > view.term { return newTerm() }
        guard isWelcomed, term == view.term else { return [] }
        return sequence > view.sequence ? requestSnapshotOnce() : []
    }

    /// The leader this node follows leads a later term (elected again): its view of that term
    /// comes in a new WELCOME.
    private mutating func newTerm() -> [MemberDirective] {
        guard isWelcomed else { return [] }
        isWelcomed = false
        namesSettled = false
        nextJoinAt = .zero
        return [.rejoin]
    }

    private mutating func newLeaderLife(_ leader: NodeID, current: NodeID) -> [MemberDirective] {
        guard leader.address == current.address, leader.incarnation > current.incarnation else { return [] }
        guard isWelcomed else { return [] }  // already rejoining
        isWelcomed = false
        namesSettled = false
        nextJoinAt = .zero
        return [.rejoin]
    }

    /// The election says `leader` leads now: JOINs go there. Nothing changes when this node is
    /// welcomed by that very life already.
    public mutating func follow(_ leader: NodeID) -> [MemberDirective] {
        if isWelcomed, view?.leader == leader { return [] }
        // A JOIN to this node's own address would reach itself.
        guard leader.address != me.address else { return [] }
        leaderAddress = leader.address
        joinTargets.append(leader.address)
        unansweredJoins = 0
        isWelcomed = false
        namesSettled = false
        snapshotRequest = nil
        nextJoinAt = .zero
        return [.redirected(to: leader)]
    }

    /// Whether this node JOINs (or would, in turn) through `address`: the leader address, a seed,
    /// a member of its view once the leader is lost.
    public func joinsThrough(_ address: NodeAddress) -> Bool {
        joinTargets.contains(address)
    }

    /// This member decided the leader is down: drop it from the view, keep the rest, and rejoin when it returns.
    /// JOINs may then also go to the view's members and voters when the current target does not
    /// answer: after a partition heals, they are this node's way back to the side that elected a
    /// leader, whose nodes answer a JOIN with the leader they follow.
    public mutating func leaderLost(reason: String) -> [MemberDirective] {
        // The view's fields only: a second reference to it while it changes would copy its members.
        guard let lost = view.map({ (leader: $0.leader, term: $0.term, sequence: $0.sequence) }), isWelcomed else { return [] }
        isWelcomed = false
        namesSettled = false
        snapshotRequest = nil
        // The leader's departure as an update at the view's own sequence (which stays): where views
        // are shared, the members that lost the same leader from the same view share the result.
        applyToView(SequencedUpdate(
            leader: lost.leader, sequence: lost.sequence, update: .memberDown(lost.leader, reason: reason), term: lost.term))
        joinTargets.append(membersOf: view!)
        return [.viewChanged]
    }

    /// The leader refused this life (it declared it down while it was away).
    public mutating func refusedAsDown() -> [MemberDirective] {
        isWelcomed = false
        return declaredDownOnce()
    }

    /// `declaredDown`, the first time this life hears it: one event, however many answers say it.
    private mutating func declaredDownOnce() -> [MemberDirective] {
        guard !heardDeclaredDown else { return [] }
        heardDeclaredDown = true
        return [.declaredDown]
    }

    /// The leader's refusal, the first time: a life is refused once, whatever else the answers to
    /// its other JOINs say.
    private mutating func refusedOnce(_ why: String) -> [MemberDirective] {
        guard !heardRefusal else { return [] }
        heardRefusal = true
        return [.refused(why)]
    }

    /// Records a load figure a placement reply carried.
    public mutating func noteLoad(_ node: NodeID, _ load: Int) {
        view?.noteLoad(node, load)
    }

    /// Records a global name created without the leader's word (its claim or registration went
    /// unanswered), so local lookups find it; a welcomed member announces it in a JOIN at once, so
    /// the leader judges it against any other holder (the older keeps the name).
    public mutating func noteLocalName(_ name: String, _ address: ActorAddress) {
        view?.apply(.nameRegistered(name, address))
        if isWelcomed { announceNames = true }
    }

    // MARK: Snapshots

    private mutating func requestSnapshotOnce() -> [MemberDirective] {
        guard snapshotRequest == nil, let leader = view?.leader else { return [] }
        // Outstanding from now on (a second gap asks nothing more); the shell fills in its id.
        snapshotRequest = (0, leader, .zero)
        return [.requestSnapshot(from: leader)]
    }

    /// The shell sent the snapshot request the last `.requestSnapshot` asked for, as `id`.
    public mutating func snapshotRequested(id: UInt64, to leader: NodeID, now: Duration) {
        snapshotRequest = (id, leader, now)
    }

    /// A snapshot request unanswered for `timeout` is forgotten, so the next gap or heartbeat ahead asks again.
    public mutating func expireSnapshotRequest(now: Duration, timeout: Duration) {
        if let request = snapshotRequest, now - request.at > timeout { snapshotRequest = nil }
    }

}
