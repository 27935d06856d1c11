import ZMQ

extension NodeIO {
    /// Reads what clients and nodes sent to the ROUTER and hands each envelope on with
    /// the origin its connection proved.
    func receiveFromRouter() {
        for _ in 0..<1024 {
            do {
                // The leader attributes its members' connections (`noteInboundConnection`).
                guard try router.receive(into: &inbound, readingUserID: curve != nil, readingSourceDescriptor: plane.leader != nil)
                else { return }
            } catch {
                core.logger.error("ROUTER receive failed: \(error)")
                return
            }
            guard inbound.count == 2, let prefix = inbound[0].first else {
                core.counters.add("malformedFrames")
                continue
            }
            let identity = inbound[0]
            let userID = inbound.userID
            let frame = inbound[1]
            if Envelope.parseVersionRefusal(frame) != nil {
                // Only the leader's could matter, and it comes back over this node's own link to the leader.
                core.counters.add("malformedFrames")
                continue
            }
            // Headers first: a node's mail for this node's actors is decoded from the frame itself.
            let headers: [EnvelopeHeader]
            do { headers = try EnvelopeHeader.decodeBatch(frame) } catch {
                core.counters.add("malformedFrames")
                core.logger.debug("dropped a malformed frame: \(error)")
                if case .unsupportedVersion(let version) = error {
                    refuseVersion(version, identity: identity)
                } else {
                    answerMalformed(identity: identity, error: error)
                }
                continue
            }
            core.counters.addEnvelopesIn(headers.count)
            if prefix == Self.clientPrefix {
                receiveFromClient(identity, headers.map { $0.envelope(in: frame) }, userID: userID)
            } else if prefix == Self.nodePrefix {
                receiveFromNode(identity, headers, in: frame, userID: userID)
            } else {
                core.counters.add("malformedFrames")
            }
        }
    }

    /// A client's envelopes: the gateway names the client with its relay address, takes
    /// its requests for itself, and passes its mail on, lifecycle messages only from admins.
    private func receiveFromClient(_ identity: [UInt8], _ envelopes: [Envelope], userID: String?) {
        let permissions: Permissions
        if curve != nil {
            guard let granted = clientPermissions(userID: userID, count: envelopes.count) else { return }
            permissions = granted
        } else {
            permissions = .plainTextClient
        }
        let origin = Origin.client(permissions)
        let relay = ActorAddress(node: core.nodeID, id: clients.id(for: identity, makeID: core.allocateID))
        // Requests are decoded and judged one by one: a frame gets that for a bounded number of them.
        var requestBudget = Self.requestsPerFrame
        for var envelope in envelopes {
            switch envelope.kind {
            case .control:
                envelope.sender = relay
                requestBudget -= 1
                guard requestBudget >= 0 else {
                    core.counters.add("clientLimitRefusals")
                    if requestBudget == -1 {
                        refuseClient(identity, "refused: more than \(Self.requestsPerFrame) requests in one message",
                                     correlationID: envelope.correlationID)
                    }
                    continue
                }
                guard envelope.recipient.node.address == core.nodeID.address, envelope.recipient.id == 0 else {
                    // Relayed, it would reach the other node as a request of this gateway's.
                    core.counters.add(ControlRefusal.notANode.counter(curve: curve != nil))
                    refuseClient(identity, "refused: a client's requests go to its gateway (\(core.nodeID.address)) only",
                                 correlationID: envelope.correlationID)
                    continue
                }
                route(envelope, from: origin)
            case .tell:
                envelope.sender = relay
                if let (refusal, counter) = clientMailRefusal(envelope, permissions: permissions) {
                    core.counters.add(counter)
                    core.returnDeadLetter(envelope, reason: refusal)
                    continue
                }
                route(envelope, from: origin)
            case .reply, .update:
                core.counters.add("misroutedDrops")
            }
        }
    }

    /// Why a client's tell may not go on, and the counter that counts it: clients send application
    /// messages to actors (not to each other); of the runtime's own messages only an admin key's
    /// `ActorExitRequest` to an actor of this node.
    private func clientMailRefusal(_ envelope: Envelope, permissions: Permissions) -> (String, counter: String)? {
        let recipient = envelope.recipient
        if recipient.node.address == core.nodeID.address && clients.identity(for: recipient.id) != nil {
            // A relay id names another client of this gateway (relay ids are easy to guess).
            return ("refused: \(recipient) is a client of this gateway; clients send mail to actors only", "clientMailRefusals")
        }
        guard envelope.carriesLifecycleMessage else { return nil }
        guard envelope.typeName == ActorExitRequest.messageType, permissions.contains(.stopActors) else {
            return ("refused: \(envelope.typeName) is the runtime's to send; a client may send it only as ActorExitRequest, with an admin key",
                    "lifecycleRefusals")
        }
        guard envelope.recipient.node.address == core.nodeID.address else {
            return ("refused: an admin's ActorExitRequest goes to the actor's own node (connect to \(envelope.recipient.node.address))",
                    "lifecycleRefusals")
        }
        return nil
    }

    /// A node's envelopes: each must name the connection's life as its sender, and with
    /// CurveZMQ come over that node's key; mail only from members.
    private func receiveFromNode(_ identity: [UInt8], _ headers: [EnvelopeHeader], in frame: [UInt8], userID: String?) {
        guard let claimed = claimedNode(identity) else {
            core.counters.add("forgedSenders", headers.count)
            return
        }
        var envelopes = headers
        var permissions = Permissions.plainTextNode
        if curve != nil { (envelopes, permissions) = screened(headers, in: frame, claimed: claimed, userID: userID) }
        // This node's own link (its leader address points back at it) is this node's runtime; a
        // connection that only names this life is not (nobody else knows the link's secret).
        let isOwnLink = claimed == core.nodeID && peers.values.contains { $0.identity == identity }
        let origin = isOwnLink ? Origin.local : Origin.node(claimed, permissions)
        let claimedIsLost = plane.lost.contains(claimed)
        var isMember = plane.isMember(claimed)
        if !isMember && !claimedIsLost && plane.leader == nil {
            // The leader's news of a member that just joined may wait on the link to it (or a subscription),
            // read after this socket.
            if let leaderLink = peers[plane.leaderAddress] { readPeerLink(leaderLink) }
            if subscriber != nil { receiveSubscribedUpdates() }
            isMember = plane.isMember(claimed)
        }
        // Only members (and the leader address) are watched and listed: others leave no trace.
        let isKnown = isMember || claimed.address == core.configuration.leader || claimed.address == plane.leaderAddress
        var heardFrom = false
        // A non-member's requests and answers are few (a JOIN, a heartbeat of a lost life): past a
        // handful per frame they are not even decoded.
        var strangerBudget = Self.requestsPerFrame
        // Consecutive tells for one local actor (a stream of them is common) go in one hand-off,
        // kept as indices: a header is over a hundred bytes, and each copy also counts its strings.
        var run: [Int] = []
        var runRecipient: ActorAddress?
        // Made by the first run delivered, shared by all: the mail in mailboxes reads from it.
        var received: ReceivedFrame?
        // The control plane's traffic between nodes, for `bench --scale`'s idle membership rate.
        var controlMessages = 0
        defer {
            core.deliver(run, of: envelopes, in: frame, from: claimed, keeping: &received, types: &mailTypes)
            if controlMessages > 0 { core.counters.add("controlMessagesIn", controlMessages) }
        }
        // Each field is read once, in place: an address read from a header is a copy (its host a reference count).
        let me = core.nodeID
        for index in envelopes.indices {
            let kind = envelopes[index].kind
            let recipient = envelopes[index].recipient
            if kind != .tell { controlMessages += 1 }
            guard let sender = envelopes[index].sender, sender.node == claimed else {
                core.counters.add("forgedSenders")
                continue
            }
            if !heardFrom && isKnown {
                heard(sender.node)
                noteInboundConnection(of: sender.node)
                heardFrom = true
            }
            if kind == .tell {
                if claimedIsLost {
                    core.counters.add("staleIncarnation")
                    continue
                }
                guard isMember, permissions.contains(.use) else {
                    core.counters.add("unknownSenders")
                    continue
                }
            }
            guard recipient.node.address == me.address, kind != .update else {
                core.counters.add("misroutedDrops")
                continue
            }
            if !isMember && kind != .tell {
                strangerBudget -= 1
                guard strangerBudget >= 0 else {
                    core.counters.add("unknownSenders")
                    continue
                }
            }
            if kind == .tell && envelopes[index].carriesLifecycleMessage && !lifecycleAllowed(envelopes[index]) {
                core.counters.add("lifecycleRefusals")
                continue
            }
            if kind == .tell, let current = runRecipient, current.id == recipient.id,
                current.node.incarnation == recipient.node.incarnation
            {
                run.append(index)
                continue
            }
            core.deliver(run, of: envelopes, in: frame, from: claimed, keeping: &received, types: &mailTypes)
            run.removeAll(keepingCapacity: true)
            runRecipient = nil
            if goesToLocalActor(recipient, kind: kind) {
                run.append(index)
                runRecipient = recipient
            } else {
                route(envelopes[index].envelope(in: frame), from: origin, over: (claimed, identity))
            }
        }
    }

    /// Whether a node's lifecycle message may reach its actor: an `ActorExitRequest` from the
    /// actor's parent, or from the runtime of the node that created it or its parent's
    /// (the other runtime messages carry their own checks where they are handled).
    private func lifecycleAllowed(_ envelope: EnvelopeHeader) -> Bool {
        // Only the parent's own node tells it of a replaced child.
        if envelope.typeName == ChildActorReplaced.messageType { return false }
        guard envelope.typeName == ActorExitRequest.messageType else { return true }
        guard let sender = envelope.sender, let cell = core.cell(envelope.recipient.id) else { return true }
        if sender == cell.parent { return true }
        return sender.id == 0 && (sender.node == cell.creator || sender.node == cell.parent?.node)
    }

    /// The life a node connection's identity (`N`, `HOST:PORT@INC` and, from a node's own
    /// DEALER, `#` and the connection's secret) names; nil for any other identity.
    static func nodeIdentity(_ identity: [UInt8]) -> NodeID? {
        guard identity.first == nodePrefix else { return nil }
        let name = identity.dropFirst().prefix { $0 != UInt8(ascii: "#") }
        return NodeID(parsing: String(decoding: name, as: UTF8.self))
    }

    /// The life a node's connection identity names, parsed once per connection.
    func claimedNode(_ identity: [UInt8]) -> NodeID? {
        let key = RoutingID(identity)
        if let known = connectionNodes[key] { return known }
        guard let node = Self.nodeIdentity(identity) else { return nil }
        // Bounded: identities of departed lives must not pile up.
        if connectionNodes.count >= 1024 { connectionNodes.removeAll() }
        connectionNodes[key] = node
        return node
    }

    /// A peer speaking another protocol version gets the version-independent refusal frame,
    /// back over the connection it came on (a client or a joining node reads it there).
    private func refuseVersion(_ version: UInt8, identity: [UInt8]) {
        core.counters.add("protocolVersionRefusals")
        let text = "protocol version \(version) is not supported by \(core.nodeID.address) (it speaks \(Envelope.protocolVersion))"
        let frame = Envelope.versionRefusal(text)
        // Back over the connection it came on: a client reads it there, and so does a joining node
        // (it reads its link to the leader address).
        _ = try? router.send(prefix: identity, byteCount: frame.count) { $0.copyBytes(from: frame) }
    }

    /// The leader refused this node's protocol version: it cannot take part. Only before a
    /// WELCOME; after one, the leader spoke this node's version already, and it is noise.
    private func refusedByLeader(_ text: String) {
        guard let member = plane.member, !member.isWelcomed else {
            core.counters.add("malformedFrames")
            return
        }
        core.logger.critical("refused: \(text)")
        core.stopRefused(text)
    }

    /// A client that sent bytes we cannot read gets one clear error back.
    private func answerMalformed(identity: [UInt8], error: WireError) {
        guard identity.first == Self.clientPrefix else { return }
        refuseClient(identity, "rejected: \(error)")
    }

    /// Takes an update or heartbeat of the leader's, which came over this member's link to the
    /// leader address (`readPeerLink`), or from a leader of an earlier build, over a subscription.
    func takeUpdate(_ envelope: Envelope) {
        guard plane.member != nil else { return }
        if envelope.typeName == LeaderHeartbeat.Proto.protoMessageName,
            let beat = try? LeaderHeartbeat(protoBytes: envelope.payload)
        {
            guard takesWord(of: beat.leader, term: beat.term) else { return }
            apply(plane.member!.heartbeat(leader: beat.leader, sequence: beat.sequence, term: beat.term))
        } else if envelope.typeName == SequencedUpdate.Proto.protoMessageName,
            let update = try? SequencedUpdate(protoBytes: envelope.payload)
        {
            guard takesWord(of: update.leader, term: update.term) else { return }
            let directives = plane.member!.update(update)
            // Only an update the view took (not a stale or repeated one) says the change is learnt now.
            if directives.contains(.viewChanged), case .capabilities(let node, _) = update.update, node != core.nodeID {
                core.noteCapabilityChange()
            }
            apply(directives, detailsOnly: update.update.changesMemberDetailsOnly)
        } else {
            core.counters.add("malformedFrames")
        }
    }

    /// Whether the member takes a heartbeat or update of `leader`'s, of `term`: not from a life it
    /// declared down (its last heartbeat, read after the link's monitor reported its connection
    /// closed, would make the node hear it again, refuse its fellow voters' pre-votes for a detector
    /// window, and the election stall); heard otherwise, and a term below this node's corrected.
    private func takesWord(of leader: NodeID, term: UInt64) -> Bool {
        guard !plane.lost.contains(leader) else { return false }
        heard(leader)
        if let correction = plane.published(by: leader, term: term, now: core.now) {
            apply(correction)
            return false
        }
        return true
    }

    /// How many requests (or a non-member's requests and answers) one frame may carry; the rest are
    /// refused without being decoded, so one frame cannot keep the I/O thread from its timers.
    static let requestsPerFrame = 64

    /// Reads a link this node opened: answers sent back over it (to JOINs, heartbeats and snapshot
    /// requests, to the requests of a life the answerer does not count as a member), and, from the
    /// leader address, the leader's updates and heartbeats and a version refusal. Whatever answers
    /// there is the node at the link's address (the link connected there, with CurveZMQ to the key
    /// this node knows for it); only answers, and over the leader's link updates, are taken.
    func readPeerLink(_ peer: PeerLink) {
        // What a frame says can close the link (a newer leader life, the leader lost): checked each time.
        for _ in 0..<256 {
            guard !peer.socket.isClosed, (try? peer.socket.receive(into: &inbound)) == true else { return }
            peer.lastUsed = core.now
            guard inbound.count == 1 else {
                core.counters.add("malformedFrames")
                continue
            }
            let frame = inbound[0]
            if let refusal = Envelope.parseVersionRefusal(frame) {
                if peer.address == plane.leaderAddress { refusedByLeader(refusal) } else { core.counters.add("malformedFrames") }
                continue
            }
            guard let envelopes = try? Envelope.decodeBatch(frame) else {
                core.counters.add("malformedFrames")
                continue
            }
            let taken = envelopes.prefix(Self.requestsPerFrame)
            core.counters.add("controlMessagesIn", taken.count)
            for envelope in taken {
                guard let sender = envelope.sender, sender.id == 0, sender.node.address == peer.address else {
                    core.counters.add("misroutedDrops")
                    continue
                }
                // The leader's updates name no member: one frame goes to each (`publish`).
                if envelope.kind == .update, peer.address == plane.leaderAddress {
                    noteUpdateOverLink()
                    takeUpdate(envelope)
                    continue
                }
                if envelope.kind == .control, takesLeaderRequest(envelope, over: peer) {
                    handleSystem(envelope, from: .node(sender.node, .plainTextNode))
                    continue
                }
                guard envelope.kind == .reply, envelope.recipient.node == core.nodeID else {
                    core.counters.add("misroutedDrops")
                    continue
                }
                handleSystem(envelope, from: .node(sender.node, .plainTextNode))
            }
        }
    }
}
