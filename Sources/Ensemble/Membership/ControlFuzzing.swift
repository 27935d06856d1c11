/// Drives a node's socket-free convention protocol (`ControlPlane`, `LeaderState`,
/// `MemberState`, `LostLives`) with decoded messages; for fuzzers and corpus replay.
///
/// Each input gets a convention of its own: a leader plane (`leader`, with `peer` and
/// `member` joined) and the plane of `member`, which sent a JOIN and was welcomed. Every
/// message the input decodes to goes into both: a `Control` as a request to each plane
/// and as a reply to the member (with the member's own correlation ids, or the
/// envelope's), an update or a leader heartbeat into the member's view. Origins (`.local`,
/// `.client`, `.node` of the envelope's sender, of a member, of the leader or of a made-up
/// life, with various permissions), correlation ids, clock steps, message loss and
/// reordering between the planes, and the periodic events (claims expiring, a member
/// declared down, the member's JOINs, heartbeats and snapshot requests, lives absent too
/// long) are picked by a generator seeded with the input's bytes, so an input always does
/// the same. What the planes decide is carried out as `NodeIO` carries it out for state;
/// nothing touches a socket, and what the runtime would do (`RuntimeRequest`) is only counted.
///
/// No input may trap, and after every step: the leader's view lists the leader; the
/// member's view never goes back in sequence under one leader life; a request from a
/// `.client` origin changes neither plane's view; no plane counts its own life as lost.
@_spi(Fuzzing) public enum ControlFuzzing {
    /// The leader's life (the corpus seeds' first node).
    public static let leader = NodeID(address: NodeAddress(host: "127.0.0.1", port: 1900), incarnation: 0x18c_2f3a_4b51)
    /// A member joined before the input arrives, whose plane is not driven (the seeds' second node).
    public static let peer = NodeID(address: NodeAddress(host: "::1", port: 10_000), incarnation: .max)
    /// The member whose plane is driven.
    public static let member = NodeID(address: NodeAddress(host: "127.0.0.1", port: 1901), incarnation: 0x18c_2f3a_4b52)
    /// A life at an address the convention does not know.
    public static let stranger = NodeID(address: NodeAddress(host: "10.0.0.9", port: 10_101), incarnation: 0x18c_2f3a_4b53)
    /// The correlation id of the member's heartbeats.
    public static let heartbeatID: UInt64 = 0x4842
    /// The correlation id of the member's first JOIN; its later JOINs and snapshot requests count up from it.
    public static let firstJoinID: UInt64 = 9
    /// The convention's message size limit, when the input's choices give it one (else none).
    public static let maxMessageSize = 1 << 20

    /// One decoded message to feed the planes.
    public enum Message: Sendable {
        /// A control request, with the envelope that carried it (nil: the whole input decoded as one).
        case request(ControlRequest, Envelope?)
        /// A control reply, with the envelope that carried it (nil: the whole input decoded as one).
        case reply(ControlReply, Envelope?)
        /// An update from the leader.
        case update(SequencedUpdate)
        /// A leader heartbeat.
        case heartbeat(LeaderHeartbeat)
    }

    /// What feeding the messages did.
    public struct Outcome: Sendable, Equatable {
        /// How many actions of each kind the planes produced, by kind: `answer`, `refused.REASON`,
        /// `leader.publish`, `leader.reply`, `member.DIRECTIVE`, `runtime.REQUEST`, `ownJoin`, and
        /// `reply.notMember` (a reply the member plane left to the runtime).
        public var actions: [String: Int] = [:]
        /// The invariants broken, first ones first (at most 8).
        public var violations: [String] = []

        /// Creates an empty outcome.
        public init() {}
    }

    /// Feeds `messages` into a fresh convention whose choices come from `bytes` (the whole input).
    public static func drive(_ messages: [Message], choosingBy bytes: [UInt8]) -> Outcome {
        guard !messages.isEmpty else { return Outcome() }
        var run = ControlFuzzRun(choosingBy: bytes)
        for message in messages { run.feed(message) }
        return run.outcome
    }
}

/// A deterministic stream of choices: SplitMix64 seeded with the FNV-1a hash of the input.
struct FuzzChoices {
    private var state: UInt64

    init(_ bytes: [UInt8]) {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        state = hash
    }

    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// 0..<n (0 when n is not positive).
    mutating func below(_ n: Int) -> Int { n > 0 ? Int(next() % UInt64(n)) : 0 }

    /// True once in `n`.
    mutating func oneIn(_ n: Int) -> Bool { below(n) == 0 }
}

/// What an input's choices pick: origins, senders, correlation ids, lives.
extension ControlFuzzRun {
    private typealias F = ControlFuzzing

    /// Where a message comes from: this node's runtime, a client, or a node's connection (the
    /// envelope's sender, a member, the leader, a made-up life).
    mutating func pickOrigin(_ envelope: Envelope?) -> Origin {
        switch choices.below(8) {
        case 0: return .local
        case 1: return .client(pickPermissions(client: true))
        case 2, 3: return .node(envelope?.sender?.node ?? madeUp(), pickPermissions(client: false))
        case 4: return .node(F.peer, pickPermissions(client: false))
        case 5: return .node(F.member, pickPermissions(client: false))
        case 6: return .node(F.leader, pickPermissions(client: false))
        default: return .node(madeUp(), pickPermissions(client: false))
        }
    }

    /// What a connection may do: mostly what a plain-text one may, else less, or any set.
    mutating func pickPermissions(client: Bool) -> Permissions {
        switch choices.below(4) {
        case 0, 1: return client ? .plainTextClient : .plainTextNode
        case 2: return .use
        default: return Permissions(rawValue: UInt8(truncatingIfNeeded: choices.next()) & 0x0F)
        }
    }

    /// The envelope's sender: mostly the system endpoint of the node's connection; else what
    /// the envelope names (for a client without one, the receiving node's, as `NodeIO` does).
    mutating func pickSender(_ origin: Origin, _ envelope: Envelope?, at receiver: NodeID) -> ActorAddress {
        if let life = origin.node, !choices.oneIn(4) { return .system(life) }
        return envelope?.sender ?? .system(receiver)
    }

    /// A request's correlation id: the envelope's, or now and then one of the member's own.
    mutating func pickRequestID(_ envelope: Envelope?) -> UInt64 {
        if let envelope, !choices.oneIn(4) { return envelope.correlationID }
        return choices.oneIn(4) ? choices.next() : pickMemberID()
    }

    /// A reply's correlation id: mostly one the member uses (so it gets past the id check), else the envelope's.
    mutating func pickReplyID(_ envelope: Envelope?) -> UInt64 {
        if choices.oneIn(4) { return envelope?.correlationID ?? 0 }
        return pickMemberID()
    }

    /// The heartbeat id, a JOIN's (mostly the newest), or the outstanding snapshot request's.
    mutating func pickMemberID() -> UInt64 {
        switch choices.below(4) {
        case 0: return F.heartbeatID
        case 1: return snapshotID ?? F.heartbeatID
        case 2 where !joinIDs.isEmpty: return joinIDs[choices.below(joinIDs.count)]
        default: return joinIDs.last ?? F.firstJoinID
        }
    }

    /// Where a reply comes from: mostly the leader's connection, else another life at its
    /// address, or any origin.
    mutating func pickReplyOrigin(_ envelope: Envelope?) -> Origin {
        switch choices.below(4) {
        case 0, 1: return .node(F.leader, .plainTextNode)
        case 2: return .node(NodeID(address: F.leader.address, incarnation: pickIncarnation(near: F.leader)), .plainTextNode)
        default: return pickOrigin(envelope)
        }
    }

    /// When a life at a JOIN's address was last heard: never, just now, or long ago.
    mutating func pickLastHeard() -> Duration? {
        switch choices.below(3) {
        case 0: return nil
        case 1: return now
        default: return now - .seconds(10)
        }
    }

    /// A life at a known address (or a stranger's), older, newer, or any.
    mutating func madeUp() -> NodeID {
        let base = [F.leader, F.peer, F.member, F.stranger][choices.below(4)]
        return NodeID(address: base.address, incarnation: pickIncarnation(near: base))
    }

    mutating func pickIncarnation(near life: NodeID) -> UInt64 {
        switch choices.below(6) {
        case 0: return 0
        case 1: return life.incarnation &- 1
        case 2: return life.incarnation &+ 1
        case 3: return .max
        case 4: return life.incarnation
        default: return choices.next()
        }
    }

    // MARK: Names of what is counted

    static func name(_ request: ControlRequest) -> String {
        switch request {
        case .join: return "join"
        case .leave: return "leave"
        case .loadReport: return "loadReport"
        case .snapshotRequest: return "snapshotRequest"
        case .create: return "create"
        case .claimName: return "claimName"
        case .registerName: return "registerName"
        case .releaseName: return "releaseName"
        case .abandonName: return "abandonName"
        case .createActor: return "createActor"
        case .status: return "status"
        case .metrics: return "metrics"
        case .listActors: return "listActors"
        case .ping: return "ping"
        case .stop: return "stop"
        case .changeCapability: return "changeCapability"
        case .capabilitiesChanged: return "capabilitiesChanged"
        case .kill: return "kill"
        case .heartbeat: return "heartbeat"
        case .describeView: return "describeView"
        case .probeRequest: return "probeRequest"
        case .promote: return "promote"
        case .preVote: return "preVote"
        case .vote: return "vote"
        case .announceLeader: return "announceLeader"
        case .events: return "events"
        case .actorRestarted: return "actorRestarted"
        }
    }

    static func name(_ reply: ControlReply) -> String {
        switch reply {
        case .welcome: return "welcome"
        case .refused: return "refused"
        case .placementFailed: return "placementFailed"
        case .snapshot: return "snapshot"
        case .created: return "created"
        case .nameClaim: return "nameClaim"
        case .statusReport: return "statusReport"
        case .metricsText: return "metricsText"
        case .actors: return "actors"
        case .pong: return "pong"
        case .capabilitySet: return "capabilitySet"
        case .declaredDown: return "declaredDown"
        case .joinLater: return "joinLater"
        case .staleLife: return "staleLife"
        case .viewDescription: return "viewDescription"
        case .ok: return "ok"
        case .probeAnswered: return "probeAnswered"
        case .voteAnswer: return "voteAnswer"
        case .notLeader: return "notLeader"
        case .events: return "events"
        }
    }

    static func name(_ request: RuntimeRequest) -> String {
        switch request {
        case .create: return "runtime.create"
        case .createActor: return "runtime.createActor"
        case .status: return "runtime.status"
        case .metrics: return "runtime.metrics"
        case .listActors: return "runtime.listActors"
        case .stop: return "runtime.stop"
        case .changeCapability: return "runtime.changeCapability"
        case .kill: return "runtime.kill"
        case .probe: return "runtime.probe"
        case .promote: return "runtime.promote"
        case .events: return "runtime.events"
        case .restartReported: return "runtime.restartReported"
        }
    }

    static func name(_ refusal: ControlRefusal) -> String {
        switch refusal {
        case .notANode: return "refused.notANode"
        case .notAClient: return "refused.notAClient"
        case .notAdmin: return "refused.notAdmin"
        case .notAMemberKey: return "refused.notAMemberKey"
        case .forAnotherNode: return "refused.forAnotherNode"
        case .notTheRuntime: return "refused.notTheRuntime"
        case .notFromANode: return "refused.notFromANode"
        case .notAMember: return "refused.notAMember"
        case .notTheLeader: return "refused.notTheLeader"
        case .misrouted: return "refused.misrouted"
        case .notFromTheLeader: return "refused.notFromTheLeader"
        case .notAMemberProbed: return "refused.notAMemberProbed"
        case .notARegisteredType: return "refused.notARegisteredType"
        case .repeatedSnapshot: return "refused.repeatedSnapshot"
        }
    }

    static func name(_ directive: MemberDirective) -> String {
        switch directive {
        case .requestSnapshot: return "member.requestSnapshot"
        case .viewChanged: return "member.viewChanged"
        case .rejoin: return "member.rejoin"
        case .declaredDown: return "member.declaredDown"
        case .joined: return "member.joined"
        case .refused: return "member.refused"
        case .deferred: return "member.deferred"
        case .newLife: return "member.newLife"
        case .settleNames: return "member.settleNames"
        case .redirected: return "member.redirected"
        }
    }
}
