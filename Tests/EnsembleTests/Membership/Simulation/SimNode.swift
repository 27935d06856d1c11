import Foundation
import TestSupport

@testable import Ensemble

/// The actor types of the simulation: one anyone may host, two that need a capability.
enum SimActorType: String, CaseIterable, Sendable {
    case plain = "Plain"
    case trainer = "Trainer"
    case encoder = "MorseEncoder"

    /// What a node must offer to host it.
    var requirements: Capabilities {
        switch self {
        case .plain: return .none
        case .trainer: return Capabilities(["gpu"])
        case .encoder: return Capabilities(["morse"])
        }
    }
}

/// An actor a simulated node hosts: it does nothing but exist, under its name if it has one.
struct SimActor: Sendable {
    var address: ActorAddress
    var type: SimActorType
    var name: String?
    var bornMs: UInt64
    /// The node whose runtime asked for it (it may stop it, as `lifecycleAllowed` says).
    var creator: NodeID
}

/// Something a node did that the invariants judge.
enum SimEvent: Sendable {
    /// The node leads `term` (elected, or founding).
    case leads(term: UInt64, life: NodeID)
    /// The node uses a name grant of `term`, from `granter`, while it follows `followed`.
    case grantUsed(name: String, term: UInt64, granter: NodeID, followed: UInt64)
}

/// One life of a simulated node: the shell NodeIO is, around the same `ControlPlane`,
/// `FailureDetector` and `Placement` the real node runs, with time and network injected.
///
/// Faithful to NodeIO in what reaches the protocol: the order a turn reads things (`turned`,
/// the ROUTER, the update channel, then the timers), which requests are answered over their own
/// connection, which links a node may hold (`mayLink`), what is heard from whom, and what each
/// directive makes the shell do. Simplified: no CurveZMQ, no clients (a creation or a capability
/// change is started by the simulation as a client's request would be), actors are named records
/// without mailboxes or children, statuses and metrics are not served, a message to the node's own
/// address is queued for the same turn instead of being handled within the call that sent it,
/// a node still joining does not wait for its welcome before it creates (it gives up), and a
/// ZeroMQ connection's drop and refused reconnect are not reported (silence is what the detector
/// goes by). A node's clock (`now`) starts at its life's start, as `NodeCore.now` does.
struct SimNode {
    /// This life.
    let life: NodeID
    /// When this life started, on the simulation's clock.
    let bootAt: Duration
    /// The configured leader address (`--leader`), and the seeds this life was started with.
    let configuredLeader: NodeAddress
    let seeds: [NodeAddress]
    /// Milliseconds this machine's wall clock is ahead of the simulation's.
    let skewMs: Int64

    var plane: ControlPlane
    var detector = FailureDetector()
    var lastHeard: [NodeAddress: Duration] = [:]
    var linkable = LinkableAddresses()
    var capabilities: Capabilities
    var actors: [UInt64: SimActor] = [:]
    /// The view the runtime last learnt (`NodeCore.view`): placement and names read it.
    var coreView: MembershipView?
    /// Where this node's member state shares its view with the other nodes' (`SimViewSharing`).
    var viewSharing: SimViewSharing?
    var leaderReachable = false
    var joined = false
    var nextHeartbeatAt: Duration = .zero
    var nextLoadReportAt: Duration = .zero
    var reportedLoad = -1
    var ballots: [UInt64: BallotRequest] = [:]
    var pending: [UInt64: SimPending] = [:]
    var creations: [Int: SimCreation] = [:]
    var nextCreation = 0
    private var nextCorrelation: UInt64
    var nextActorID: UInt64 = 1
    /// The node's clock in this turn.
    var now: Duration = .zero
    /// What arrived and waits for the next turn (a frozen node's piles up here).
    var inbox: [SimMessage] = []
    /// Requests and answers to this node itself, handled within the turn.
    var local: [SimPayload] = []
    /// What this turn sent, published and did, for the simulation to take.
    var outbox: [SimMessage] = []
    var published: [SimPayload] = []
    /// The members whose JOIN, heartbeat or snapshot request this leader took this turn: its
    /// updates go back over their connections (`UpdateRoutes`).
    /// Each with how many of this turn's `published` went out before it was heard.
    var routesHeard: [(member: NodeID, afterPublished: Int)] = []
    /// Set when this node stepped down this turn: its members' routes end (`updateRoutes.removeAll()`).
    var routesDropped = false
    var events: [SimEvent] = []
    /// Clients' requests that arrived for this node (a creation, a capability change).
    var clientRequests: [SimClientRequest] = []
    /// What this turn did, when `ENSEMBLE_SIMULATION_TRACE` is set (for replaying a seed).
    var trace: [String] = []
    static let tracing = ProcessInfo.processInfo.environment["ENSEMBLE_SIMULATION_TRACE"] != nil
    /// Set when this life ends to come back as a new life above this one.
    var restartAbove: NodeID?
    /// Set when the leader refused this node for good (its process fails).
    var stoppedWhy: String?
    /// While a JOIN or a heartbeat (or a stranger's request) is handled: the life whose connection carries the answers.
    var answerConnection: NodeID?

    static let maxMessageSize = 1 << 20
    static let heartbeatInterval = Duration.milliseconds(250)
    static let requestTimeout = Duration.seconds(2)
    static let nameGracePeriod = Duration.milliseconds(1500)

    /// A new life started at `bootAt`, as `NodeIO.init` starts it: founding when it is at the leader
    /// address with no seeds, else subscribing to and joining its first target. `maxMembers` is
    /// `--max-members` (a convention larger than the default needs it raised).
    init(life: NodeID, bootAt: Duration, configuredLeader: NodeAddress, seeds: [NodeAddress], skewMs: Int64,
         capabilities: Capabilities, correlationBase: UInt64, maxMembers: Int = 255) {
        self.life = life
        self.bootAt = bootAt
        self.configuredLeader = configuredLeader
        self.seeds = seeds.filter { $0 != life.address }
        self.skewMs = skewMs
        self.capabilities = capabilities
        nextCorrelation = (correlationBase | 1) &+ 2
        let heartbeatID = nextCorrelation
        let isLeader = life.address == configuredLeader
        let founds = isLeader && self.seeds.isEmpty
        var settings = SuccessionSettings()
        settings.lease = .seconds(2)
        settings.stallLimit = .seconds(1)
        settings.announceInterval = Self.heartbeatInterval
        settings.looksBeforeFounding = isLeader && !founds
        settings.lookTimeout = .seconds(3)
        settings.nameGrace = Self.nameGracePeriod
        settings.aliveWindow = .seconds(2)
        settings.maxMessageSize = Self.maxMessageSize
        settings.maxMembers = maxMembers
        let me = MemberInfo(node: life, capabilities: capabilities)
        if founds {
            let leader = LeaderState(leader: me, graceUntil: Self.nameGracePeriod, maxMessageSize: Self.maxMessageSize)
            plane = ControlPlane(leading: settings.configured(leader), settings: settings, heartbeatID: heartbeatID)
            events.append(.leads(term: 1, life: life))
            joined = true
            leaderReachable = true
            viewChanged(to: plane.view)
        } else {
            let target = isLeader || !self.seeds.contains(configuredLeader) ? self.seeds.first ?? configuredLeader : configuredLeader
            plane = ControlPlane(following: MemberState(me: life, leaderAddress: target, heartbeatID: heartbeatID, seeds: self.seeds),
                                 settings: settings)
        }
    }

    /// A fresh correlation id (NodeCore draws them at random; here they count up from a seeded base).
    mutating func makeID() -> UInt64 {
        nextCorrelation &+= 2
        return nextCorrelation
    }

    /// This machine's wall clock at the simulation's `time`.
    func wallMs(at time: Duration) -> UInt64 {
        UInt64(max(1, 1_700_000_000_000 + Int64(time.components.seconds) * 1000
            + Int64(time.components.attoseconds / 1_000_000_000_000_000) + skewMs))
    }

    /// Notes what happened, when tracing.
    mutating func note(_ what: String) {
        if Self.tracing { trace.append(what) }
    }

    /// Whether this life has ended (to restart, or refused).
    var isOver: Bool { restartAbove != nil || stoppedWhy != nil }

    // MARK: A turn of the loop

    /// One turn of NodeIO's loop at `time`: the stall rule first, then what waited on the
    /// ROUTER (the update channel read first when a stranger's request might be news of it),
    /// the update channel, and the timers.
    mutating func turn(at time: Duration) {
        now = time - bootAt
        if let viewSharing, plane.member != nil, plane.member!.viewSharing == nil { plane.member!.viewSharing = viewSharing }
        apply(plane.turned(now: now))
        let arrived = inbox
        inbox = []
        var updates = arrived.filter(\.isPublished)
        for message in arrived where !message.isPublished {
            guard !isOver else { break }
            let stranger = !plane.isMember(message.from) && !plane.lost.contains(message.from)
            if stranger && plane.leader == nil && message.overLinkTo == nil && !updates.isEmpty {
                // NodeIO reads the link to the leader first: its news of a member that just joined may wait there.
                for update in updates { receiveUpdate(update) }
                updates = []
            }
            receive(message)
            runLocal()
        }
        for update in updates where !isOver { receiveUpdate(update) }
        runLocal()
        let requests = clientRequests
        clientRequests = []
        for request in requests where !isOver {
            switch request {
            case .create(let type, let name): startCreation(type, name: name)
            case .capability(let add, let name): changeCapability(add: add, name: name)
            }
            runLocal()
        }
        guard !isOver else { return }
        tick()
        runLocal()
    }

    /// Requests and answers this node sent itself, and what handling them sent in turn (bounded).
    private mutating func runLocal() {
        var rounds = 0
        while !local.isEmpty, rounds < 64, !isOver {
            rounds += 1
            let batch = local
            local = []
            for payload in batch {
                let message = SimMessage(from: life, recipient: life, payload: payload, deliverAt: .zero, serial: 0)
                handleSystem(message, from: .local, connection: nil)
            }
        }
    }

    /// What a node's connection brought to the ROUTER (or, for an answer over this node's own
    /// link, what `readPeerLink` reads).
    private mutating func receive(_ message: SimMessage) {
        if let reader = message.overLinkTo {
            // Every link this node opened is read (`readPeerLink`); only answers.
            guard reader == life, case .reply = message.payload else { return }
            return handleSystem(message, from: .node(message.from, .plainTextNode), connection: nil)
        }
        if message.recipient.incarnation != 0 && message.recipient.incarnation != life.incarnation { return }
        let claimed = message.from
        let isMember = plane.isMember(claimed)
        let isKnown = isMember || claimed.address == configuredLeader || claimed.address == plane.leaderAddress
        if isKnown { heard(claimed) }
        if case .exit(let address) = message.payload {
            // A tell: only a member's, and an ActorExitRequest only from the actor's creator's runtime.
            guard !plane.lost.contains(claimed), isMember, let actor = actors[address.id], address.node == life,
                actor.creator == claimed
            else { return }
            return stopActor(address.id)
        }
        handleSystem(message, from: .node(claimed, .plainTextNode), connection: claimed)
    }

    /// NodeIO's `handleSystem`: answers go to `handleReply`, requests to the control plane.
    mutating func handleSystem(_ message: SimMessage, from origin: Origin, connection: NodeID?) {
        switch message.payload {
        case .reply(let control, let id):
            handleReply(control, correlationID: id, from: origin)
        case .request(let control, let id):
            if let connection, connection == origin.node {
                switch control {
                case .join, .heartbeat, .snapshotRequest: answerConnection = connection
                default: answerConnection = plane.isMember(connection) ? nil : connection
                }
            }
            defer {
                if let route = answerConnection, plane.leader != nil, plane.isMember(route) {
                    switch control {
                    case .join, .heartbeat, .snapshotRequest: routesHeard.append((route, published.count))
                    default: break
                    }
                }
                answerConnection = nil
            }
            var hears = false
            if case .preVote = control { hears = hearsLeader }
            let (view, detector) = (plane.view, self.detector)
            let actions = plane.request(
                control, sender: .system(message.from), correlationID: id, from: origin, now: now,
                lastHeard: { address in
                    view?.members[address].flatMap { detector.droppedAndSilent($0.node) ? nil : detector.lastHeard(of: $0.node) }
                },
                hearsLeader: { hears })
            perform(actions, answering: message.from, correlationID: id, from: origin)
        case .exit(let address):
            if address.node == life { stopActor(address.id) }
        case .update, .beat:
            break
        }
    }

    private mutating func handleReply(_ control: ControlReply, correlationID id: UInt64, from origin: Origin) {
        guard id != 0 else { return }
        if detector.awaitsIndirectAnswer(id) {
            guard let helper = origin.node, case .probeAnswered(let suspect) = control,
                let directives = detector.indirectAnswer(correlationID: id, from: helper, suspect: suspect, now: now)
            else { return }
            if directives.contains(.refuted(suspect)) { lastHeard[suspect.address] = now }
            return obey(directives)
        }
        if let ballot = ballots.removeValue(forKey: id) {
            guard origin.node == ballot.voter, case .voteAnswer(let answer) = control else { return }
            note("\(ballot.voter) answers \(answer)")
            return apply(plane.ballotAnswered(by: ballot.voter, preVote: ballot.preVote, answer, now: now))
        }
        guard plane.member?.isOwnRequest(id) == true || pending[id] != nil else { return }
        let names = namedActors
        if let actions = plane.reply(control, correlationID: id, from: origin, currentNames: { names }) {
            return perform(actions, answering: origin.node ?? life, correlationID: id, from: origin)
        }
        resolve(id, control, from: origin.node ?? life)
    }

    /// Carries out what the control plane decided about a request of `asker`'s.
    private mutating func perform(_ actions: [PlaneAction], answering asker: NodeID, correlationID id: UInt64, from origin: Origin) {
        for action in actions {
            switch action {
            case .answer(let control):
                emitReply(control, to: .system(asker), correlationID: id)
            case .refused(let why, let answered):
                if answered {
                    emitReply(.refused(why.line(node: life.address, leader: plane.leaderAddress)), to: .system(asker), correlationID: id)
                }
            case .leader(let directives):
                apply(directives)
            case .member(let directives):
                apply(directives)
            case .runtime(let request):
                serve(request, asker: asker, correlationID: id)
            case .ownJoin:
                stoppedWhy = "received its own JOIN"
            case .election(let directives):
                apply(plane.elect(directives, now: now))
            case .succession(let directives):
                apply(directives)
            }
        }
    }

    /// What the runtime does for a node's request the plane accepted (clients' requests are not simulated).
    private mutating func serve(_ request: RuntimeRequest, asker: NodeID, correlationID id: UInt64) {
        switch request {
        case .create(let create, let creator):
            emitReply(acceptCreate(create, creator: creator), to: .system(asker), correlationID: id)
        case .probe(let suspect, let probeAsker):
            obey(detector.probeRequested(suspect, by: probeAsker, correlationID: id, now: now))
        case .createActor, .status, .metrics, .listActors, .stop, .changeCapability, .kill, .promote, .events:
            emitReply(.refused("not simulated"), to: .system(asker), correlationID: id)
        case .restartReported:
            break  // one-way: the leader records it for clients, whom the simulation has none of
        }
    }

    /// The leader's heartbeats and updates, over this node's link to the leader address.
    private mutating func receiveUpdate(_ message: SimMessage) {
        guard plane.leaderAddress == message.from.address, plane.member != nil else { return }
        switch message.payload {
        case .beat(let beat):
            guard takesWord(of: beat.leader, term: beat.term) else { return }
            apply(plane.member!.heartbeat(leader: beat.leader, sequence: beat.sequence, term: beat.term))
        case .update(let update):
            guard takesWord(of: update.leader, term: update.term) else { return }
            apply(plane.member!.update(update), detailsOnly: update.update.changesMemberDetailsOnly)
        default:
            break
        }
    }

    /// NodeIO's `takesWord`: nothing from a leader life this node declared down; heard otherwise,
    /// and a term below this node's corrected.
    private mutating func takesWord(of leader: NodeID, term: UInt64) -> Bool {
        guard !plane.lost.contains(leader) else { return false }
        heard(leader)
        if let correction = plane.published(by: leader, term: term, now: now) {
            apply(correction)
            return false
        }
        return true
    }

    // MARK: Sending

    /// Sends a request (`emitControl`): to this node itself within the turn, else to a node it may link to.
    mutating func emitRequest(_ request: ControlRequest, to recipient: ActorAddress, correlationID: UInt64 = 0) {
        route(.request(request, correlationID: correlationID), to: recipient.node, isReply: false)
    }

    /// Sends an answer: over the asker's own connection when it answers the request being handled.
    mutating func emitReply(_ reply: ControlReply, to recipient: ActorAddress, correlationID: UInt64) {
        if let connection = answerConnection, recipient == .system(connection) {
            outbox.append(SimMessage(from: life, recipient: connection, overLinkTo: connection,
                                     payload: .reply(reply, correlationID: correlationID), deliverAt: .zero, serial: 0))
            return
        }
        route(.reply(reply, correlationID: correlationID), to: recipient.node, isReply: true)
    }

    /// NodeIO's `route` and `flushPeers`: mail for a lost life is dropped (but for answers to its
    /// system endpoint), and so is mail for an address this node may not link to.
    mutating func route(_ payload: SimPayload, to recipient: NodeID, isReply: Bool) {
        if recipient.address == life.address {
            if recipient.incarnation == 0 || recipient.incarnation == life.incarnation { local.append(payload) }
            return
        }
        // A lost voter still gets ballots and the new leader's word: it votes until the set drops it.
        if plane.lost.contains(recipient) && !isReply && !plane.election.voters.contains(recipient) { return }
        guard mayLink(recipient.address) else { return }
        outbox.append(SimMessage(from: life, recipient: recipient, payload: payload, deliverAt: .zero, serial: 0))
    }

    /// Whether this node may hold a link to `address`.
    func mayLink(_ address: NodeAddress) -> Bool {
        address == configuredLeader || address == plane.leaderAddress || linkable.contains(address)
    }

    /// Sends to every member with a route (the leader only).
    mutating func publish(_ payload: SimPayload) {
        published.append(payload)
    }
}

/// A client's request to a node (its gateway).
enum SimClientRequest: Sendable {
    /// `createActor`: find the named actor, or create one.
    case create(SimActorType, name: String?)
    /// `changeCapability`.
    case capability(add: Bool, String)
}

/// A request of the runtime's waiting for its answer (`PendingReplies`).
struct SimPending: Sendable {
    /// The creation it belongs to.
    var creation: Int
    /// Whom it went to (incarnation 0: whoever is at the address).
    var destination: NodeID
    var deadline: Duration
}
