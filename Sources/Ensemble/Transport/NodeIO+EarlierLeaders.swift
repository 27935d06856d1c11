#if canImport(Glibc)
import Glibc
#endif
import ZMQ

/// A leader of an earlier build publishes its updates and heartbeats only on its update channel
/// (port + 1), which its members subscribed to. So that a rolling upgrade can go members first
/// (`docs/operations.md`, "Upgrade"), a member that its leader welcomed and that has heard nothing
/// of it over its link since, for two of its heartbeat intervals, subscribes there. A leader of
/// this build sends its next heartbeat over the link within one interval of its WELCOME, so once
/// anything came over the link the member never subscribes to that leader: a leader that dies,
/// stalls or is cut off later is the failure detector's to judge, not a reason to subscribe.
extension NodeIO {
    /// The timer's rule, at each heartbeat tick.
    func subscribeIfTheLinkIsSilent(now: Duration) {
        guard let leader = welcomedLeader, leader.address != core.nodeID.address else {
            if subscriber != nil { unsubscribe() }
            return
        }
        if subscriber != nil && subscribedTo != leader.address { unsubscribe() }
        guard subscriber == nil, !heardOverLinkSinceWelcome, let welcomedAt else { return }
        guard now - welcomedAt >= core.configuration.detector.heartbeatInterval * 2 else { return }
        if logOnce.first("subscribing", leader.address.description) {
            core.logger.notice("\(leader) sends no updates over this node's link (an earlier build): subscribing to its port + 1")
        }
        subscribe(to: leader.address)
    }

    /// This member was welcomed (again): its link has not brought the leader's word yet.
    func noteWelcome() {
        welcomedAt = core.now
        heardOverLinkSinceWelcome = false
    }

    /// An update or heartbeat came over the link to the leader address.
    func noteUpdateOverLink() {
        heardOverLinkSinceWelcome = true
        if subscriber != nil { unsubscribe() }
    }

    /// Subscribes to the update channel of the leader at `leader` (its port + 1), with CurveZMQ
    /// to the key this node knows for it.
    private func subscribe(to leader: NodeAddress) {
        do {
            let socket = try ZMQSocket(context: context, type: .sub)
            try Self.applyCommonOptions(socket, core.configuration)
            try socket.set(.subscribe, [])
            if let curve {
                guard let key = knownKey(of: leader) else { throw UnknownPeerKey(address: leader) }
                try socket.makeCurveClient(CurveClientKeys(keyPair: curve.credentials.keyPair, serverKey: key))
            }
            try socket.connect(leader.endpoint(portOffset: core.configuration.publishPortOffset))
            subscriber = socket
            subscribedTo = leader
            core.counters.add("updateSubscriptions")
        } catch {
            core.logger.error("cannot subscribe to the updates of \(leader): \(error)")
        }
    }

    /// Closes the subscription, if any (the leader speaks over the link, or another leads).
    func unsubscribe() {
        subscriber?.close()
        subscriber = nil
        subscribedTo = nil
    }

    /// Reads the subscription: what the leader it follows published.
    func receiveSubscribedUpdates() {
        for _ in 0..<1024 {
            // What an update says can end the subscription (a new leader): looked up each time.
            guard let subscriber, !subscriber.isClosed, (try? subscriber.receive(into: &inbound)) == true else { return }
            guard inbound.count == 1, let envelopes = try? Envelope.decodeBatch(inbound[0]) else {
                core.counters.add("malformedFrames")
                continue
            }
            core.counters.add("controlMessagesIn", envelopes.count)
            for envelope in envelopes where envelope.kind == .update && subscribedTo == plane.leaderAddress {
                takeUpdate(envelope)
            }
        }
    }

    #if DEBUG
    /// Debug builds only: with `ENSEMBLE_FAILPOINT_PUBLISH_ONLY` set, a leader sends its updates
    /// and heartbeats on its update channel alone, as a leader of an earlier build did (for the
    /// test of a member that meets one).
    static let publishesOnly = getenv("ENSEMBLE_FAILPOINT_PUBLISH_ONLY") != nil
    #endif
}
