import ZMQ

/// A status asks every member for its actors. The leader asks over each member's own connection
/// to it (the one its updates take), and a member answers over the connection a request came on,
/// so a status opens no link at the leader, and none from the members back to the node asked. A
/// member takes this one request over its link to the leader address, as it takes the leader's
/// updates there; one that does not answer there (an earlier build) is asked over a link
/// (`ConnectionAsks`). A status asked of a member takes the actors from the leader's report,
/// which comes back over the member's connection, as every answer of the leader to a member's
/// runtime does.
extension NodeIO {
    /// The one request a leader sends over a member's connection.
    static let listActorsTypeName = Ensemble_V2_ListActorsRequest.protoMessageName

    /// The routing id of the member connection `envelope` goes over instead of a link: while this
    /// node leads, for a request for a member's actors, when the member's connection is known and
    /// it has not left such a request unanswered there lately; even with a link to the member
    /// open (an elected leader's announcement link, say, which would otherwise carry it and be
    /// kept a minute as a link in use).
    func memberConnection(for envelope: borrowing Envelope) -> [UInt8]? {
        // The cheap tests first: every envelope for another node passes here (a tell fails the first).
        guard envelope.kind == .control, envelope.recipient.id == 0, envelope.typeName == Self.listActorsTypeName,
            plane.leader != nil, connectionAsks.mayAsk(envelope.recipient.node, now: core.now)
        else { return nil }
        return updateRoutes.route(of: envelope.recipient.node)
    }

    /// Sends `envelope` over a member's own connection instead of a link, when it is a leader's
    /// request for the member's actors or the leader's answer to a request of the member's
    /// runtime (its status report, a global name claimed, ...), which a member of any build takes
    /// over its link to the leader address, as it takes the updates there; false when it takes a
    /// link. Answers that were not made while their request was handled (the report, a claim
    /// that waited) would otherwise open a link to a member that does not vote, kept a minute.
    func sendOverMemberConnection(_ envelope: borrowing Envelope) -> Bool {
        if let identity = memberConnection(for: envelope) { return ask(envelope, over: identity) }
        // A pong (correlation id 0) answers nothing: its point is that the prober hears this node,
        // which a member does over its ROUTER, not over its link to the leader address.
        guard envelope.kind == .reply, envelope.recipient.id == 0, envelope.correlationID != 0, plane.leader != nil,
            let sender = envelope.sender, sender.id == 0, sender.node == core.nodeID,
            let identity = updateRoutes.route(of: envelope.recipient.node)
        else { return false }
        do {
            return try router.send(envelope, prefix: identity) == .done
        } catch {
            updateRoutes.forget(envelope.recipient.node)
            return false
        }
    }

    /// Sends `envelope` over the member connection `identity`, and waits for its answer there;
    /// false when the connection is gone or full (a connection gone has its route forgotten), and
    /// the request takes a link.
    func ask(_ envelope: borrowing Envelope, over identity: [UInt8]) -> Bool {
        do {
            guard try router.send(envelope, prefix: identity) == .done else { return false }
        } catch {
            updateRoutes.forget(envelope.recipient.node)
            return false
        }
        connectionAsks.sent(copy envelope, to: envelope.recipient.node, now: core.now)
        return true
    }

    /// Asks again, over links, what members left unanswered over their connections.
    func askOverLinksWhatWentUnanswered(now: Duration) {
        for request in connectionAsks.expired(now: now) {
            core.counters.add("connectionAsksUnanswered")
            route(request, from: .local)
        }
    }

    /// Whether a member takes the control request `envelope` that came over its link `peer`: a
    /// request for its actors, from the leader address, for this life.
    func takesLeaderRequest(_ envelope: borrowing Envelope, over peer: PeerLink) -> Bool {
        peer.address == plane.leaderAddress && envelope.typeName == Self.listActorsTypeName
            && envelope.recipient == core.systemAddress
    }
}
