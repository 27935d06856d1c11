/// How a client given several gateways (`EnsembleClient(gateways:)`) notices that its
/// gateway is gone and moves to another.
public struct GatewayFailover: Sendable, Equatable {
    /// Also fail over to the members of the view the gateway describes after connecting
    /// (asked again every `viewRefresh`), after the gateways given, in view order.
    public var learnsMembers = true
    /// A gateway silent this long is pinged (any message from it counts as an answer).
    public var pingAfter: Duration = .milliseconds(500)
    /// A ping unanswered this long means the gateway is frozen or cut off: the client moves on.
    public var pingTimeout: Duration = .seconds(1)
    /// A gateway not connected and heard from within this long after the client turned to it
    /// (or after its connection dropped) is passed over.
    public var connectTimeout: Duration = .seconds(1)
    /// How often the members are learnt again while connected (`learnsMembers`).
    public var viewRefresh: Duration = .seconds(10)
    /// A gateway that failed is tried after the others for this long.
    public var quarantine: Duration = .seconds(10)

    /// The defaults: learn members, ping after 500 ms of silence, give a ping 1 s, a connection 1 s.
    public init() {}
}

/// Sent to a client that fails over, on `messages` (or to its message handler), when it moved
/// to another gateway, has none left, or found its gateway restarted (`from == to`: a new life
/// answers at the same address). Its address changed with its gateway: what it had sent
/// and not had answered may be lost, and answers to it go to the old address. Re-send what
/// matters (`ask`s and `request`s under way failed with `EnsembleError.unreachable`).
/// Everything received after it came through `to`.
public struct GatewayChanged: Message, Codable, Equatable {
    /// Its registered name. It never travels: the client makes it.
    public static var messageType: String { "GatewayChanged" }
    /// The gateway the client left.
    public var from: NodeAddress
    /// The gateway it uses now; nil when none answered (then `connect` tries them all again).
    public var to: NodeAddress?
    /// Why it left `from`.
    public var reason: String

    /// Creates the notice.
    public init(from: NodeAddress, to: NodeAddress?, reason: String) {
        self.from = from
        self.to = to
        self.reason = reason
    }
}

/// What a failing-over client's I/O thread must do.
enum GatewayDirective: Sendable, Equatable {
    /// Ask the gateway whether it is alive.
    case ping
    /// Ask the gateway for its view, to learn the members.
    case askView
    /// Close the connection to the gateway and connect to `to` instead.
    case move(to: NodeAddress, reason: String)
    /// No gateway is left to try: close the connection and wait to be asked to connect again.
    case giveUp(reason: String)
}

/// Which gateway a client uses, when it is gone, and which to try next: events in,
/// directives out (the I/O thread only moves bytes).
///
/// A gateway is gone when its connection dropped and the reconnect was refused (a killed
/// process), when it does not connect and answer within `connectTimeout` (nothing listens, or
/// a frozen process that still accepts connections), or when it does not answer a ping within
/// `pingTimeout`. The next is the first candidate (the gateways given, then the members learnt)
/// not tried since a gateway last answered, those that failed within `quarantine` last.
/// When every candidate has been tried, the client gives up until `restart`.
struct GatewayRoster: Sendable {
    let settings: GatewayFailover
    /// The gateways the client was given, in order.
    let listed: [NodeAddress]
    /// Members learnt from views, in view order, without the listed ones.
    private(set) var learnt: [NodeAddress] = []
    /// The gateway in use; nil after giving up.
    private(set) var current: NodeAddress?
    private var tried: Set<NodeAddress> = []
    private var failedAt: [NodeAddress: Duration] = [:]
    /// When the client turned to `current`, or its connection last dropped: it must answer within `connectTimeout`.
    private var waitingSince: Duration?
    private var connected = false
    private var retriesSinceDrop = 0
    private var lastHeard: Duration = .zero
    private var pingedAt: Duration?
    private var viewAskedAt: Duration?

    /// A roster using the first of `gateways` (which must not be empty), from `now`.
    init(gateways: [NodeAddress], settings: GatewayFailover = GatewayFailover(), now: Duration) {
        precondition(!gateways.isEmpty, "a client needs a gateway")
        var seen: Set<NodeAddress> = []
        listed = gateways.filter { seen.insert($0).inserted }
        self.settings = settings
        turn(to: listed[0], now: now)
    }

    /// Every candidate in the order they are tried (before quarantine).
    var candidates: [NodeAddress] { listed + learnt }

    private mutating func turn(to gateway: NodeAddress, now: Duration) {
        current = gateway
        tried.insert(gateway)
        waitingSince = now
        connected = false
        retriesSinceDrop = 0
        pingedAt = nil
        viewAskedAt = nil
    }

    /// Starts a new round after giving up (or at once when a gateway is in use): the first candidate.
    mutating func restart(now: Duration) -> NodeAddress {
        if let current { return current }
        tried = []
        let first = next(now: now) ?? listed[0]
        turn(to: first, now: now)
        return first
    }

    /// The members of a view the gateway described; those gone from it are no longer tried.
    mutating func learned(members: [NodeAddress]) {
        guard settings.learnsMembers else { return }
        let listedSet = Set(listed)
        var seen: Set<NodeAddress> = []
        learnt = members.filter { !listedSet.contains($0) && seen.insert($0).inserted }
    }

    /// Something arrived from the gateway: it is alive, and the round of tries is over.
    mutating func heard(now: Duration) -> [GatewayDirective] {
        lastHeard = now
        pingedAt = nil
        waitingSince = nil
        tried = current.map { [$0] } ?? []
        guard settings.learnsMembers, current != nil, viewAskedAt == nil else { return [] }
        viewAskedAt = now
        return [.askView]
    }

    /// The connection to the gateway is up (it still has to answer).
    mutating func linkConnected(now: Duration) -> [GatewayDirective] {
        guard current != nil else { return [] }
        connected = true
        retriesSinceDrop = 0
        // Connected is not answering: a frozen process still accepts connections. Ask at once.
        if pingedAt == nil {
            pingedAt = now
            return [.ping]
        }
        return []
    }

    /// The connection dropped; libzmq reconnects unless the gateway is gone.
    mutating func linkDropped(now: Duration) {
        guard current != nil, connected else { return }
        connected = false
        retriesSinceDrop = 0
        waitingSince = now
    }

    /// A connection attempt failed and will be retried: twice in a row is a refusal
    /// (a killed process's port), and the gateway is gone.
    mutating func connectRetried(now: Duration) -> [GatewayDirective] {
        guard let current, !connected else { return [] }
        retriesSinceDrop += 1
        guard retriesSinceDrop >= 2 else { return [] }
        return moveOn(from: current, reason: "\(current) refused the connection", now: now)
    }

    /// The periodic check: ping a quiet gateway, pass over a silent one, refresh the view.
    mutating func tick(now: Duration) -> [GatewayDirective] {
        guard let current else { return [] }
        if let waitingSince, now - waitingSince > settings.connectTimeout {
            let what = connected ? "did not answer" : "did not connect"
            return moveOn(from: current, reason: "\(current) \(what) within \(settings.connectTimeout)", now: now)
        }
        if let pingedAt, now - pingedAt > settings.pingTimeout {
            return moveOn(from: current, reason: "\(current) did not answer a ping within \(settings.pingTimeout)", now: now)
        }
        guard waitingSince == nil else { return [] }
        var directives: [GatewayDirective] = []
        if pingedAt == nil && now - lastHeard > settings.pingAfter {
            pingedAt = now
            directives.append(.ping)
        }
        if settings.learnsMembers, let asked = viewAskedAt, now - asked > settings.viewRefresh {
            viewAskedAt = now
            directives.append(.askView)
        }
        return directives
    }

    /// `current` is gone: the next candidate, or giving up.
    private mutating func moveOn(from gone: NodeAddress, reason: String, now: Duration) -> [GatewayDirective] {
        failedAt[gone] = now
        guard let next = next(now: now) else {
            current = nil
            waitingSince = nil
            pingedAt = nil
            return [.giveUp(reason: reason)]
        }
        turn(to: next, now: now)
        return [.move(to: next, reason: reason)]
    }

    /// The first candidate not tried this round: those that did not fail lately first.
    private func next(now: Duration) -> NodeAddress? {
        let untried = candidates.filter { !tried.contains($0) }
        let fresh = untried.first { address in failedAt[address].map { now - $0 >= settings.quarantine } ?? true }
        return fresh ?? untried.first
    }
}
