import ZMQ

extension NodeIO {
    /// Routes an envelope: to this node's system endpoint, a local actor, a client, or a peer.
    func route(_ envelope: Envelope, fromClient: Bool) {
        let recipient = envelope.recipient
        let me = core.nodeID
        guard recipient.node.address == me.address else {
            // A lost life still gets answers to its own requests: the leader's answer to a cut-off
            // node's JOINs is `declaredDown`, and without it that node would JOIN forever.
            if isLost(recipient.node) && !(envelope.kind == .reply && recipient.id == 0) {
                core.counters.add("deadLetters")
                core.returnDeadLetter(envelope, reason: "\(recipient.node) is gone")
                return
            }
            outgoing[recipient.node.address, default: []].append(envelope)
            return
        }
        if recipient.node.incarnation != 0 && recipient.node.incarnation != me.incarnation {
            core.counters.add("staleIncarnation")
            core.returnDeadLetter(envelope, reason: "\(recipient.node) is a previous life of \(me)")
            return
        }
        if recipient.id == 0 {
            handleSystem(envelope)
        } else if let identity = clients.identity(for: recipient.id) {
            sendToClient(identity, envelope)
        } else if envelope.kind == .tell {
            core.deliver(envelope)
        } else {
            core.counters.add("misroutedDrops")
        }
    }

    /// Whether `route` would hand a tell for `recipient` to a local actor's mailbox (and to nothing else).
    func goesToLocalActor(_ recipient: ActorAddress, kind: EnvelopeKind) -> Bool {
        kind == .tell && recipient.id != 0 && recipient.node == core.nodeID && clients.identity(for: recipient.id) == nil
    }

    /// Sends a control message from this node's system endpoint.
    func emitControl(_ control: Control, to recipient: ActorAddress, kind: EnvelopeKind = .control, correlationID: UInt64 = 0) {
        guard let payload = try? PayloadCodec.encode(control) else { return }
        route(Envelope(kind: kind, sender: core.systemAddress, recipient: recipient, typeName: Control.typeName,
                       correlationID: correlationID, payload: payload), fromClient: false)
    }

    func reply(to request: Envelope, _ control: Control) {
        guard let sender = request.sender else { return }
        emitControl(control, to: sender, kind: .reply, correlationID: request.correlationID)
    }

    // MARK: Inbound

    func receiveFromRouter() {
        for _ in 0..<1024 {
            let received: (frames: [[UInt8]], userID: String?)?
            do { received = try router.receive(readingUserID: curve != nil) } catch {
                core.logger.error("ROUTER receive failed: \(error)")
                return
            }
            guard let (frames, userID) = received else { return }
            guard frames.count == 2, let prefix = frames[0].first else {
                core.counters.add("malformedFrames")
                continue
            }
            if let refusal = Envelope.parseVersionRefusal(frames[1]) {
                if vouched(identity: frames[0], userID: userID) { refusedForVersion(refusal, identity: frames[0]) }
                continue
            }
            var envelopes: [Envelope]
            do { envelopes = try Envelope.decodeBatch(frames[1]) } catch {
                core.counters.add("malformedFrames")
                core.logger.debug("dropped a malformed frame: \(error)")
                if case .unsupportedVersion(let version) = error {
                    refuseVersion(version, identity: frames[0])
                } else {
                    answerMalformed(identity: frames[0], error: error)
                }
                continue
            }
            core.counters.addEnvelopesIn(envelopes.count)
            if curve != nil { envelopes = screened(envelopes, identity: frames[0], userID: userID) }
            if prefix == Self.clientPrefix {
                let relay = ActorAddress(node: core.nodeID, id: clients.id(for: frames[0], makeID: core.allocateID))
                for var envelope in envelopes where envelope.kind == .tell || envelope.kind == .control {
                    envelope.sender = relay
                    route(envelope, fromClient: true)
                }
            } else if prefix == Self.nodePrefix {
                // A node speaks only for itself: the sender must be the life its connection is named after.
                let claimed = claimedNode(frames[0])
                let claimedIsLost = claimed.map(isLost) ?? false
                var heardFrom = false
                // Consecutive tells for one local actor (a stream of them is common) go in one hand-off.
                var run: [Envelope] = []
                var runRecipient: ActorAddress?
                defer { core.deliver(run: run) }
                // Each field is read once: an address read from an envelope is a copy (its host a reference count).
                let me = core.nodeID
                for envelope in envelopes {
                    let kind = envelope.kind
                    let recipient = envelope.recipient
                    guard let sender = envelope.sender, let claimed, sender.node == claimed else {
                        core.counters.add("forgedSenders")
                        continue
                    }
                    if !heardFrom {
                        heard(sender.node)
                        heardFrom = true
                    }
                    if kind == .tell && claimedIsLost {
                        core.counters.add("staleIncarnation")
                        continue
                    }
                    guard recipient.node.address == me.address else {
                        core.counters.add("misroutedDrops")
                        continue
                    }
                    if kind == .tell, let current = runRecipient, current.id == recipient.id,
                        current.node.incarnation == recipient.node.incarnation
                    {
                        run.append(envelope)
                        continue
                    }
                    core.deliver(run: run)
                    run.removeAll(keepingCapacity: true)
                    runRecipient = nil
                    if goesToLocalActor(recipient, kind: kind) {
                        run.append(envelope)
                        runRecipient = recipient
                    } else {
                        route(envelope, fromClient: false)
                    }
                }
            } else {
                core.counters.add("malformedFrames")
            }
        }
    }

    /// Whether a node life is known to be gone; asked per envelope, so incarnations are compared first.
    func isLost(_ node: NodeID) -> Bool {
        lostNodes.contains { $0.incarnation == node.incarnation && $0.address == node.address }
    }

    /// The life a node connection's identity (`N` and `HOST:PORT@INC`) names; nil for any other identity.
    static func nodeIdentity(_ identity: [UInt8]) -> NodeID? {
        guard identity.first == nodePrefix else { return nil }
        return NodeID(parsing: String(decoding: identity.dropFirst(), as: UTF8.self))
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

    /// A peer speaking another protocol version gets the version-independent refusal frame:
    /// a client through the ROUTER, a node (named by its connection) through a DEALER to it.
    private func refuseVersion(_ version: UInt8, identity: [UInt8]) {
        core.counters.add("protocolVersionRefusals")
        let text = "protocol version \(version) is not supported by \(core.nodeID.address) (it speaks \(Envelope.protocolVersion))"
        let frame = Envelope.versionRefusal(text)
        if identity.first == Self.clientPrefix {
            _ = try? router.send([identity, frame])
        } else if let node = Self.nodeIdentity(identity), let peer = peer(for: node.address)
        {
            peer.appendRaw(frame, now: core.now)
            flush(peer)
        }
    }

    /// The leader refused this node's protocol version: it cannot take part. Only the
    /// leader's connection, before a WELCOME, can say so; anything else is noise.
    private func refusedForVersion(_ text: String, identity: [UInt8]) {
        guard let member, !member.isWelcomed, let sender = Self.nodeIdentity(identity),
            sender.address == core.configuration.leader
        else {
            core.counters.add("malformedFrames")
            return
        }
        core.logger.critical("refused: \(text)")
        core.joined.fulfil(.refused(text))
        core.requestStop()
    }

    /// A client that sent bytes we cannot read gets one clear error back.
    private func answerMalformed(identity: [UInt8], error: WireError) {
        guard identity.first == Self.clientPrefix else { return }
        refuseClient(identity, "rejected: \(error)")
    }

    /// Answers a client's request (`correlationID`, 0 for none) with `Control.refused(why)`.
    func refuseClient(_ identity: [UInt8], _ why: String, correlationID: UInt64 = 0) {
        let relay = ActorAddress(node: core.nodeID, id: clients.id(for: identity, makeID: core.allocateID))
        guard let payload = try? PayloadCodec.encode(Control.refused(why)) else { return }
        sendToClient(RoutingID(identity), Envelope(kind: .reply, sender: core.systemAddress, recipient: relay,
                                        typeName: Control.typeName, correlationID: correlationID, payload: payload))
    }

    /// Queues mail for a client; what a turn queues for one client leaves in one frame.
    func sendToClient(_ identity: RoutingID, _ envelope: Envelope) {
        clientOutgoing[identity, default: []].append(envelope)
    }

    /// Sends what this turn queued for clients: a frame per client (cut at `Envelope.batchLimit`)
    /// instead of a message per envelope, so a request's answers cost the client one wake-up.
    func flushClients() {
        guard !clientOutgoing.isEmpty else { return }
        let batches = clientOutgoing
        clientOutgoing.removeAll(keepingCapacity: true)
        for (identity, envelopes) in batches {
            var start = 0
            while start < envelopes.count {
                let end = Envelope.batchEnd(of: envelopes, from: start)
                do {
                    if try router.send([identity.bytes, Envelope.encodeBatch(envelopes[start..<end])]) == .wouldBlock {
                        core.counters.add("clientDrops", end - start)
                    }
                } catch {
                    core.counters.add("clientDrops", envelopes.count - start)
                    if error.isHostUnreachable { clients.forget(envelopes[start].recipient.id) }
                    break
                }
                start = end
            }
        }
    }

    func receiveUpdates() {
        guard let subscriber else { return }
        for _ in 0..<1024 {
            guard let frames = try? subscriber.receive() else { return }
            guard frames.count == 1, let envelopes = try? Envelope.decodeBatch(frames[0]) else {
                core.counters.add("malformedFrames")
                continue
            }
            for envelope in envelopes where envelope.kind == .update && member != nil {
                if envelope.typeName == LeaderHeartbeat.typeName,
                    let beat = try? PayloadCodec.decode(LeaderHeartbeat.self, from: envelope.payload)
                {
                    heard(beat.leader)
                    apply(member!.heartbeat(leader: beat.leader, sequence: beat.sequence))
                } else if let update = try? PayloadCodec.decode(SequencedUpdate.self, from: envelope.payload) {
                    heard(update.leader)
                    apply(member!.update(update))
                } else {
                    core.counters.add("malformedFrames")
                }
            }
        }
    }

    // MARK: Outbound to peers

    /// Sends what this turn queued: peers first (their mail usually has a chain to
    /// finish, a client's is an answer), then clients.
    func flushOutgoing() {
        flushPeers()
        flushClients()
    }

    /// Sends what was queued for peer nodes, batched per peer.
    func flushPeers() {
        guard !outgoing.isEmpty else { return }
        let now = core.now
        let batches = outgoing
        outgoing.removeAll(keepingCapacity: true)
        for (address, envelopes) in batches {
            guard let peer = peer(for: address) else {
                for envelope in envelopes { core.returnDeadLetter(envelope, reason: "cannot connect to \(address)") }
                continue
            }
            peer.append(envelopes, now: now)
            for envelope in peer.takeOverflow(limit: core.configuration.peerBacklogLimit) {
                core.counters.add("peerBacklogDrops")
                core.returnDeadLetter(envelope, reason: "too much mail waiting for \(address)")
            }
            flush(peer)
        }
    }

    func flush(_ peer: PeerLink) {
        do {
            let before = peer.count
            try peer.flush(now: core.now)
            core.counters.addEnvelopesOut(before - peer.count)
        } catch {
            core.logger.error("send to \(peer.address) failed: \(error)")
            for envelope in peer.takeAll() { core.returnDeadLetter(envelope, reason: "send to \(peer.address) failed") }
        }
    }

    func peer(for address: NodeAddress) -> PeerLink? {
        if let peer = peers[address] { return peer }
        do {
            let socket = try ZMQSocket(context: context, type: .dealer)
            try Self.applyCommonOptions(socket, core.configuration)
            try socket.set(.immediate, 1)
            // A killed peer refuses the reconnect; retrying fast is what makes detection take milliseconds.
            try socket.set(.reconnectInterval, 20)
            try socket.set(.routingID, [Self.nodePrefix] + Array(core.nodeID.description.utf8))
            try secureDealer(socket, to: address)
            let peer = PeerLink(address: address, socket: socket)
            // Watch before connecting: a refused handshake is not retried, so its one event must not be missed.
            attachMonitor(peer)
            try socket.connect(address.endpoint)
            peers[address] = peer
            return peer
        } catch {
            // Asked again at every flush with mail for it (a member's key may not be in the view yet): said once.
            if curve?.firstTime("cannot connect", address.description) ?? true {
                core.logger.error("cannot open a connection to \(address): \(error)")
            }
            return nil
        }
    }

    func expireBacklogs(now: Duration) {
        for peer in peers.values {
            guard let since = peer.waitingSince, now - since > core.configuration.peerBacklogTimeout else { continue }
            let stranded = peer.takeAll()
            core.counters.add("peerTimeoutDrops", stranded.count)
            core.logger.warning("\(peer.address) did not take \(stranded.count) messages in time")
            for envelope in stranded { core.returnDeadLetter(envelope, reason: "\(peer.address) does not answer") }
        }
    }
}
