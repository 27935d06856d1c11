import ZMQ

/// A node's CurveZMQ state, owned by its I/O thread: its keys, the ZAP handler, and keys
/// that JOINs proved (the ROUTER's failed handshakes come from its monitor, `NodeIO+RouterMonitor.swift`).
final class NodeCurve {
    /// The ZAP domain of every CurveZMQ server socket of a node.
    static let zapDomain = "ensemble"

    let credentials: CurveCredentials
    let zap: ZAPHandler
    private var userKeys: [String: CurveKey] = [:]

    init(credentials: CurveCredentials, zap: ZAPHandler) {
        self.credentials = credentials
        self.zap = zap
    }

    /// The key a ZAP User-Id names, decoded once per key rather than at every message.
    func key(ofUserID userID: String) -> CurveKey? {
        if let known = userKeys[userID] { return known }
        guard let key = CurveKey(z85: userID) else { return nil }
        // Bounded: keys of clients long gone must not pile up.
        if userKeys.count >= 4096 { userKeys.removeAll() }
        userKeys[userID] = key
        return key
    }

    func close() {
        zap.close()
    }
}

/// No CurveZMQ public key is known for a node this node must connect to.
struct UnknownPeerKey: Error, CustomStringConvertible {
    let address: NodeAddress
    var description: String { "no CurveZMQ public key is known for \(address) (it is not in this node's view)" }
}

extension NodeIO {
    /// Binds the ZAP handler when the configuration asks for CurveZMQ; it must exist before any CurveZMQ socket.
    static func openCurve(context: ZMQContext, configuration: NodeConfiguration) throws(ZMQError) -> NodeCurve? {
        guard let credentials = configuration.curve else { return nil }
        return NodeCurve(credentials: credentials, zap: try ZAPHandler(context: context, authorization: credentials.authorization))
    }

    /// Makes a server socket (ROUTER, PUB) require CurveZMQ with this node's key; before it binds.
    static func secureServer(_ socket: ZMQSocket, _ curve: NodeCurve?) throws(ZMQError) {
        guard let curve else { return }
        try socket.makeCurveServer(secretKey: curve.credentials.keyPair.secretKey.z85, zapDomain: NodeCurve.zapDomain)
    }

    /// Makes a DEALER to a peer a CurveZMQ client of that peer's key; before `connect`.
    func secureDealer(_ socket: ZMQSocket, to address: NodeAddress) throws {
        guard let curve else { return }
        guard let serverKey = knownKey(of: address) else { throw UnknownPeerKey(address: address) }
        try socket.makeCurveClient(CurveClientKeys(keyPair: curve.credentials.keyPair, serverKey: serverKey))
    }

    /// The public key of the node at `address`: `leader.pub` for the leader, else the view's, else
    /// the one a lost or awaited life there joined with (as its last view listed it), else `nodes/`'s.
    /// Never one a message brought: a key comes from the leader's view or the operator.
    func knownKey(of address: NodeAddress) -> CurveKey? {
        guard let curve else { return nil }
        if address == core.configuration.leader { return curve.credentials.leaderKey }
        if address == core.nodeID.address { return curve.credentials.keyPair.publicKey }
        if let key = viewKey(of: address) { return key }
        return plane.lost.key(at: address) ?? curve.credentials.nodeKeys[address]
    }

    /// The key the current view lists for the member at `address`.
    private func viewKey(of address: NodeAddress) -> CurveKey? {
        plane.view?.members[address]?.publicKey
    }

    // MARK: The poll loop

    /// Watches the ZAP handler (added at the first turn).
    func watchCurveSockets() throws(ZMQError) {
        guard let curve else { return }
        try waitSet.add(curve.zap.socket, .readable)
    }

    /// Serves what the wait found ready: ZAP requests first, since handshakes wait on them.
    func serveCurve() {
        guard let curve else { return }
        if waitSet.ready(curve.zap.socket).contains(.readable) {
            for refusal in curve.zap.serve() {
                core.counters.add("curveHandshakeRefusals")
                if logOnce.first("zap", refusal.key) {
                    core.logger.warning(
                        "refused a \(refusal.mechanism) connection from \(refusal.address): key \(refusal.key ?? "(none)") is in none of members/, clients/ and admin/")
                }
            }
        }
    }

    /// A handshake on the ROUTER failed for a reason other than ZAP's (its monitor said so).
    func routerHandshakeFailed() {
        core.counters.add("curveHandshakeFailures")
        if logOnce.first("handshake", nil) {
            // Logged once: which side notices first varies, so the cause is only ever a guess.
            core.logger.notice(
                "a handshake on \(core.nodeID.address) failed: a plain-text peer, or one using another key for this node")
        }
    }

    /// A handshake on a link to a peer failed. The leader refusing a node that is
    /// not yet welcomed is final: the node says why and stops.
    func peerHandshakeFailed(_ peer: PeerLink, _ event: ZMQMonitorEvent) {
        core.counters.add("curveHandshakeFailures")
        let toLeader = peer.address == core.configuration.leader
        let member = plane.member
        let why: String
        switch event.event {
        case .handshakeFailedAuth:
            let key = curve.map { " \($0.credentials.keyPair.publicKey)" } ?? ""
            why = "\(peer.address) does not accept this node's key\(key) (it is not in its members/)"
        case .handshakeFailedProtocol where event.isMechanismMismatch:
            why = curve == nil
                ? "\(peer.address) uses CurveZMQ and this node does not: every node of a convention needs --curve"
                : "\(peer.address) does not use CurveZMQ and this node does: every node of a convention needs --curve, or none"
        default:
            peer.unexplainedHandshakeFailures += 1
            let question = curve == nil ? "does it require CurveZMQ keys? this node has none"
                : toLeader ? "is leader.pub its public key?" : "is the key the convention view lists for it right?"
            // One such failure can be a peer dying mid-handshake (and which side notices a mismatch
            // first varies); a run of them before the leader ever welcomed this node is a key problem.
            guard toLeader, member?.isWelcomed == false, peer.unexplainedHandshakeFailures >= 10 else {
                if curve != nil && !peer.handshakeWarned {
                    peer.handshakeWarned = true
                    core.logger.warning("the handshake with \(peer.address) failed (\(question))")
                }
                return
            }
            why = "the handshake with \(peer.address) keeps failing (\(question))"
        }
        if toLeader, let member, !member.isWelcomed {
            core.logger.critical("refused: \(why)")
            core.stopRefused(why)
        } else if !peer.handshakeWarned {
            peer.handshakeWarned = true
            core.logger.error("refused: \(why)")
        }
    }

    // MARK: Screening what arrives

    /// What a client connection's key may do; nil (and the envelopes counted) when the key is unusable.
    func clientPermissions(userID: String?, count: Int) -> Permissions? {
        guard let curve, let userID, let key = curve.key(ofUserID: userID) else {
            core.counters.add(AccessRefusal.unknownKey.counter, count)
            return nil
        }
        let granted = curve.credentials.authorization.permissions(of: key)
        guard !granted.isEmpty else {
            core.counters.add(AccessRefusal.unknownKey.counter, count)
            return nil
        }
        return granted
    }

    /// The envelopes of one node connection's message that its key may send for the life it
    /// claims, and what that key may do. The others are counted and logged once per frame.
    /// A JOIN names its key: the connection's, and not another key than a live member's at
    /// that address (its answer goes back over the connection, so no key is kept for it).
    func screened(_ envelopes: [EnvelopeHeader], in frame: [UInt8], claimed: NodeID, userID: String?) -> ([EnvelopeHeader], Permissions) {
        guard let curve else { return (envelopes, .plainTextNode) }
        guard let userID, let key = curve.key(ofUserID: userID) else {
            core.counters.add(AccessRefusal.unknownKey.counter, envelopes.count)
            return ([], [])
        }
        let rules = curve.credentials.authorization
        let permissions = rules.permissions(of: key)
        // Most traffic is mail and answers, whose decision is the same for the whole message.
        let speaking = rules.nodeConnection(key: key, knownKey: knownKey(of: claimed.address), joining: nil)
        if speaking == .allow && envelopes.allSatisfy({ $0.kind != .control }) { return (envelopes, permissions) }
        var admitted: [EnvelopeHeader] = []
        admitted.reserveCapacity(envelopes.count)
        // A JOIN is told apart by decoding the request; a frame gets that for a bounded number of them.
        var decodeBudget = Self.requestsPerFrame
        var refused: AccessRefusal?
        for envelope in envelopes {
            var decision = speaking
            if envelope.kind == .control && decodeBudget > 0 {
                decodeBudget -= 1
                if envelope.typeName == JoinRequest.Proto.protoMessageName,
                    let request = try? JoinRequest(protoBytes: Array(frame[envelope.payload])), request.node == claimed
                {
                    decision = rules.nodeConnection(
                        key: key, knownKey: viewKey(of: claimed.address), joining: .some(request.publicKey))
                }
            }
            switch decision {
            case .allow:
                admitted.append(envelope)
            case .refuse(let refusal):
                core.counters.add(refusal.counter)
                refused = refusal
            }
        }
        if let refused, logOnce.first("\(refused)", key.z85) {
            core.logger.warning("\(refused) (a connection claiming \(claimed), key \(key))")
        }
        return (admitted, permissions)
    }
}
