import ZMQ

extension NodeIO {
    /// Routes an envelope from `origin`: to this node's system endpoint, a local actor, a client, or a peer.
    /// `connection` is the node connection it came on, if it came on one (its answers may go back there).
    func route(_ envelope: consuming Envelope, from origin: Origin, over connection: NodeConnection? = nil) {
        let recipient = envelope.recipient
        let me = core.nodeID
        guard recipient.node.address == me.address else {
            if plane.lost.contains(recipient.node) && !stillReaches(recipient, kind: envelope.kind) {
                core.counters.add("deadLetters")
                core.returnDeadLetter(envelope, reason: "\(recipient.node) is gone")
                return
            }
            if let tooLarge = oversize(envelope) { return refuseTooLarge(envelope, tooLarge) }
            if envelope.kind != .tell, sendOverMemberConnection(envelope) { return }
            queueForPeer(envelope, at: recipient.node.address)
            return
        }
        if recipient.node.incarnation != 0 && recipient.node.incarnation != me.incarnation {
            core.counters.add("staleIncarnation")
            core.returnDeadLetter(envelope, reason: "\(recipient.node) is a previous life of \(me)")
            return
        }
        if recipient.id == 0 {
            handleSystem(envelope, from: origin, over: connection)
        } else if let identity = clients.identity(for: recipient.id) {
            if let tooLarge = oversize(envelope) { return refuseTooLarge(envelope, tooLarge) }
            sendToClient(identity, envelope)
        } else if envelope.kind == .tell {
            core.deliver(envelope)
        } else {
            core.counters.add("misroutedDrops")
        }
    }

    /// Queues `envelope` for the peer at `address`, in place: the last peer's entry is found
    /// again without hashing, another's with one lookup (two when it is new this turn).
    private func queueForPeer(_ envelope: consuming Envelope, at address: NodeAddress) {
        if let last = lastOutgoing, last.address == address {
            outgoing.values[last.index].append(envelope)
        } else if let index = outgoing.index(forKey: address) {
            outgoing.values[index].append(envelope)
            lastOutgoing = (address, index)
        } else {
            // An insertion may move every entry: the index is taken for the next tell.
            lastOutgoing = nil
            outgoing[address] = [envelope]
        }
    }

    /// What still goes to a lost life: answers to its own requests (the leader's answer to a
    /// cut-off node's JOINs is `declaredDown`, and without it that node would JOIN forever), and,
    /// for a voter, ballots and the new leader's word (it votes until the voting set drops it).
    private func stillReaches(_ recipient: ActorAddress, kind: EnvelopeKind) -> Bool {
        recipient.id == 0 && (kind == .reply || plane.election.voters.contains(recipient.node))
    }

    /// Whether `route` would hand a tell for `recipient` to a local actor's mailbox (and to nothing else).
    func goesToLocalActor(_ recipient: ActorAddress, kind: EnvelopeKind) -> Bool {
        kind == .tell && recipient.id != 0 && recipient.node == core.nodeID && clients.identity(for: recipient.id) == nil
    }

    /// Sends a control request from this node's system endpoint.
    func emitControl(_ request: ControlRequest, to recipient: ActorAddress, correlationID: UInt64 = 0) {
        guard let envelope = try? Envelope(control: request, sender: core.systemAddress, recipient: recipient,
                                           correlationID: correlationID)
        else { return }
        route(envelope, from: .local)
    }

    /// Sends a reply from this node's system endpoint: over the connection the request came
    /// on when it answers the request being handled.
    func emitControl(_ reply: ControlReply, to recipient: ActorAddress, correlationID: UInt64) {
        guard let envelope = try? Envelope(control: reply, sender: core.systemAddress, recipient: recipient,
                                           correlationID: correlationID)
        else { return }
        if let connection = answerConnection, recipient == .system(connection.life) {
            return answer(envelope, over: connection.identity)
        }
        route(envelope, from: .local)
    }

    /// Sends an answer back over the connection its request came on (ROUTER to the asker's DEALER):
    /// it reaches the process that asked even where another life holds the address it names.
    private func answer(_ envelope: Envelope, over identity: [UInt8]) {
        if let tooLarge = oversize(envelope) {
            core.counters.add("oversizedMessages")
            guard let refusal = Self.refusal(answering: envelope, tooLarge) else { return }
            return answer(refusal, over: identity)
        }
        do {
            if try router.send(envelope, prefix: identity) == .wouldBlock { core.counters.add("answerDrops") }
        } catch {
            core.counters.add("answerDrops")
        }
    }

    func reply(to request: Envelope, _ reply: ControlReply) {
        guard let sender = request.sender else { return }
        emitControl(reply, to: sender, correlationID: request.correlationID)
    }

    /// Answers a client's request (`correlationID`, 0 for none) with `ControlReply.refused(why)`.
    func refuseClient(_ identity: [UInt8], _ why: String, correlationID: UInt64 = 0) {
        let relay = ActorAddress(node: core.nodeID, id: clients.id(for: identity, makeID: core.allocateID))
        guard let (typeName, payload) = try? ControlCodec.encode(ControlReply.refused(why)) else { return }
        sendToClient(RoutingID(identity), Envelope(kind: .reply, sender: core.systemAddress, recipient: relay,
                                        typeName: typeName, correlationID: correlationID, payload: payload))
    }

    /// Queues mail for a client; what a turn queues for one client leaves in one frame.
    func sendToClient(_ identity: RoutingID, _ envelope: consuming Envelope) {
        clientOutgoing[identity, default: []].append(envelope)
    }

    /// Sends what this turn queued for clients: a frame per client (cut at `Envelope.batchLimit`)
    /// instead of a message per envelope, so a request's answers cost the client one wake-up.
    func flushClients() {
        guard !clientOutgoing.isEmpty else { return }
        noteClientAnswered()
        // Sending may queue more (a refusal): into the emptied dictionary swapped in, for the next flush.
        var batches = Self.takeQueued(&clientOutgoing, leaving: &spareClientOutgoing)
        defer { Self.keepEmptied(&batches, as: &spareClientOutgoing) }
        for (identity, envelopes) in batches {
            var start = 0
            while start < envelopes.count {
                let (end, byteCount) = Envelope.batch(of: envelopes, from: start)
                do throws(ZMQError) {
                    if try router.send(envelopes[start..<end], byteCount: byteCount, prefix: identity.bytes) == .wouldBlock {
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

    /// A closing node keeps its connections until its clients read what it answered (the answer
    /// to the `stop` that stops it among them, sent before it began to stop).
    private func noteClientAnswered() {
        lastClientAnswer = core.now
    }

    // MARK: Outbound to peers

    /// Sends what this turn queued: peers first (their mail usually has a chain to
    /// finish, a client's is an answer), then clients.
    func flushOutgoing() {
        flushPeers()
        flushClients()
    }

    /// What `queue` holds, with the emptied `spare` left in its place: a turn's mail neither
    /// allocates a dictionary's storage nor frees one.
    static func takeQueued<Key>(_ queue: inout [Key: [Envelope]], leaving spare: inout [Key: [Envelope]]) -> [Key: [Envelope]] {
        var taken: [Key: [Envelope]] = [:]
        swap(&taken, &spare)
        swap(&taken, &queue)
        return taken
    }

    /// Empties what `takeQueued` took, keeping its storage, as the next turn's spare.
    static func keepEmptied<Key>(_ batches: inout [Key: [Envelope]], as spare: inout [Key: [Envelope]]) {
        batches.removeAll(keepingCapacity: true)
        swap(&batches, &spare)
    }

    /// Sends what was queued for peer nodes, batched per peer.
    func flushPeers() {
        guard !outgoing.isEmpty else { return }
        let now = core.now
        // Flushing may queue more (dead letters): into the emptied dictionary swapped in, for the next flush.
        var batches = Self.takeQueued(&outgoing, leaving: &spareOutgoing)
        lastOutgoing = nil
        defer { Self.keepEmptied(&batches, as: &spareOutgoing) }
        for (address, envelopes) in batches {
            guard mayLink(address) else {
                core.counters.add("nonMemberDrops", envelopes.count)
                for envelope in envelopes {
                    core.returnDeadLetter(envelope, reason: "\(address) is not a member of the convention")
                }
                continue
            }
            guard let peer = peer(for: address) else {
                for envelope in envelopes { core.returnDeadLetter(envelope, reason: "cannot connect to \(address)") }
                continue
            }
            if !announcementLinks.isEmpty { announcementLinks.carrying(envelopes, to: address) }
            peer.append(envelopes, now: now)
            let byteLimit = max(core.configuration.peerBacklogByteLimit, core.configuration.maxMessageSize)
            for envelope in peer.takeOverflow(limit: core.configuration.peerBacklogLimit, byteLimit: byteLimit) {
                core.counters.add("peerBacklogDrops")
                core.returnDeadLetter(envelope, reason: "too much mail waiting for \(address)")
            }
            flush(peer)
        }
    }

    func flush(_ peer: PeerLink) {
        do {
            let before = peer.count
            let now = core.now
            try peer.flush(now: now)
            if peer.count < before {
                core.counters.addEnvelopesOut(before - peer.count)
                peer.lastUsed = now
            }
        } catch {
            core.logger.error("send to \(peer.address) failed: \(error)")
            for envelope in peer.takeAll() { core.returnDeadLetter(envelope, reason: "send to \(peer.address) failed") }
        }
        updateInterest(of: peer)
    }

    func peer(for address: NodeAddress) -> PeerLink? {
        if let peer = peers[address] { return peer }
        do {
            let socket = try ZMQSocket(context: context, type: .dealer)
            try Self.applyCommonOptions(socket, core.configuration)
            try socket.set(.immediate, 1)
            // A killed peer refuses the reconnect; retrying fast is what makes detection take milliseconds.
            try socket.set(.reconnectInterval, 20)
            // The life, then a secret of this connection: ROUTER_HANDOVER gives an identity to its newest
            // connection and leaves the older one open but deaf, so a guessable identity would let anyone
            // who connects as this life (any key a peer admits, or anyone in plain text) cut this link.
            let secret = String(UInt64.random(in: 0...UInt64.max), radix: 16)
            let identity = [Self.nodePrefix] + Array("\(core.nodeID)#\(secret)".utf8)
            try socket.set(.routingID, identity)
            try secureDealer(socket, to: address)
            let peer = PeerLink(address: address, socket: socket, identity: identity, now: core.now)
            core.counters.add("linksOpened")
            // Watch before connecting: a refused handshake is not retried, so its one event must not be missed.
            attachMonitor(peer)
            try socket.connect(address.endpoint)
            do throws(ZMQError) { try watch(newLink: peer) } catch {
                unwatch(peer)
                peer.close()
                throw error
            }
            peers[address] = peer
            return peer
        } catch {
            // Asked again at every flush with mail for it (a member's key may not be in the view yet): said once.
            if logOnce.first("cannot connect", address.description) {
                core.logger.error("cannot open a connection to \(address): \(error)")
            }
            return nil
        }
    }

    func expireBacklogs(now: Duration) {
        for peer in peers.values {
            guard let since = peer.waitingSince, now - since > core.configuration.peerBacklogTimeout else { continue }
            let stranded = peer.takeAll()
            updateInterest(of: peer)
            core.counters.add("peerTimeoutDrops", stranded.count)
            core.logger.warning("\(peer.address) did not take \(stranded.count) messages in time")
            for envelope in stranded { core.returnDeadLetter(envelope, reason: "\(peer.address) does not answer") }
        }
    }

    /// Closes the links that went unused for `idleLinkTimeout` and that neither failure
    /// detection nor an election needs (`needsLink`): with many members, a link per pair
    /// that ever exchanged a message would hold a socket, a connection and buffers each.
    func closeIdleLinks(now: Duration) {
        guard let timeout = core.configuration.idleLinkTimeout else { return }
        let idle = peers.values.filter { $0.isIdle(now: now, timeout: timeout) && !needsLink($0.address) }.map(\.address)
        for address in idle { closePeer(address, reason: "the link to \(address) closed unused") }
        if !idle.isEmpty {
            core.counters.add("idleLinksClosed", idle.count)
            // libzmq's reaper frees the sockets, their pipes and buffers shortly after: a second after
            // the last closing, their pages go back in one pass (an elected leader's announcement links
            // to every member left it about 2 MB of free heap, resident for good).
            returnFreedMemoryAt = now + .seconds(1)
        } else if let due = returnFreedMemoryAt, now >= due {
            returnFreedMemoryAt = nil
            SystemShim.returnFreeMemory()
        }
    }

    /// Closes the links this leader opened only to announce itself, to members that reached it
    /// since over their own connections, once quiet (`AnnouncementLinks`).
    func closeAnnouncementLinks(now: Duration) {
        guard !announcementLinks.isEmpty else { return }
        let closing = announcementLinks.settle { address in
            // Its link opens when the turn's mail is flushed: announced this turn, it is not open yet.
            guard let link = peers[address] else { return outgoing[address] == nil ? .forget : .keep }
            guard let leader = plane.leader, let member = leader.view.members[address], !needsLink(address) else { return .forget }
            guard leader.hasHeardFrom(member.node), link.isEmpty, now - link.lastUsed >= AnnouncementLinks.quiet else { return .keep }
            return .close
        }
        guard !closing.isEmpty else { return }
        for address in closing { closePeer(address, reason: "the link to \(address) carried only this leader's announcement") }
        core.counters.add("announcementLinksClosed", closing.count)
        returnFreedMemoryAt = now + .seconds(1)
    }

    /// Whether a link to `address` must stay open whether used or not: it is this node's own,
    /// the leader's (a member watches the leader over it, and the leader its members over
    /// those links' connections, `NodeIO+RouterMonitor.swift`), or, while this node votes,
    /// another voter's. A suspect's link is in use: its probes keep it open.
    func needsLink(_ address: NodeAddress) -> Bool {
        if address == core.nodeID.address || address == core.configuration.leader || address == plane.leaderAddress {
            return true
        }
        let voters = plane.election.voters
        return voters.contains(core.nodeID) && voters.contains { $0.address == address }
    }

    /// Whether this node may hold a link to `address`: the leader address, or a member of its
    /// view (or one a new leader life awaits). Others are answered over their own connection.
    func mayLink(_ address: NodeAddress) -> Bool {
        // The plane's leader address last: the links a node uses most are settled by the first two.
        address == core.configuration.leader || linkable.contains(address) || address == plane.leaderAddress
    }

    /// Closes the link to `address`; mail waiting for it goes back to its senders, saying `reason`.
    func closePeer(_ address: NodeAddress, reason: String) {
        guard let peer = peers.removeValue(forKey: address) else { return }
        for envelope in peer.takeAll() { core.returnDeadLetter(envelope, reason: reason) }
        unwatch(peer)
        peer.close()
    }

    /// How far `envelope` is over the convention's message size limit, if it is (per message, a
    /// compare: only a payload within `MessageSize.headerAllowance` of the limit is measured).
    func oversize(_ envelope: Envelope) -> MessageTooLarge? {
        guard envelope.payloadCount > maxMessageSize - MessageSize.headerAllowance else { return nil }
        let size = envelope.encodedSize
        let limit = maxMessageSize
        return size > limit ? MessageTooLarge(size: size, limit: limit) : nil
    }

    /// A message over the limit is not sent (a peer would drop the connection, and what is
    /// queued behind it): a tell goes back to its sender as a dead letter naming the size and
    /// the limit, an answer is replaced by a refusal saying so.
    func refuseTooLarge(_ envelope: Envelope, _ tooLarge: MessageTooLarge) {
        core.counters.add("oversizedMessages")
        if logOnce.first("too large", envelope.typeName) {
            core.logger.warning("not sending a \(envelope.typeName) to \(envelope.recipient): \(tooLarge)")
        }
        switch envelope.kind {
        case .tell:
            core.returnDeadLetter(envelope, reason: "\(envelope.typeName): \(tooLarge)", tooLarge: tooLarge)
        case .reply:
            if let refusal = Self.refusal(answering: envelope, tooLarge) { route(refusal, from: .local) }
        case .control, .update:
            break
        }
    }

    /// The refusal that stands in for an answer too large to send: same asker, same correlation id.
    static func refusal(answering envelope: Envelope, _ tooLarge: MessageTooLarge) -> Envelope? {
        guard ControlCodec.knows(envelope.typeName),
            let (typeName, payload) = try? ControlCodec.encode(ControlReply.refused("the answer is too large to send: \(tooLarge)"))
        else { return nil }
        return Envelope(kind: .reply, sender: envelope.sender, recipient: envelope.recipient, typeName: typeName,
                        correlationID: envelope.correlationID, payload: payload)
    }
}
