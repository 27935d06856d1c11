extension NodeIO {
    /// Mail for the node itself: replies to requests, and control requests.
    func handleSystem(_ envelope: Envelope) {
        switch envelope.kind {
        case .reply:
            handleReply(envelope)
        case .control:
            guard let control = try? PayloadCodec.decode(Control.self, from: envelope.payload) else {
                core.counters.add("malformedControl")
                reply(to: envelope, .refused("malformed control message"))
                return
            }
            handleControl(control, envelope)
        case .tell, .update:
            core.counters.add("deadLetters")
            core.returnDeadLetter(envelope, reason: "a node's system endpoint takes no actor messages")
        }
    }

    private func handleReply(_ envelope: Envelope) {
        let id = envelope.correlationID
        if id == joinCorrelation || id == snapshotCorrelation || joinIDs.contains(id),
            let control = try? PayloadCodec.decode(Control.self, from: envelope.payload)
        {
            switch control {
            case .welcome(let snapshot):
                guard member != nil else { return }
                apply(member!.welcome(snapshot))
                guard member!.isWelcomed else { return }
                core.setLeaderReachable(true)
                core.joined.fulfil(.joined)
                settleNames(answering: id, names: snapshot.names)
            case .snapshot(let snapshot):
                guard member != nil else { return }
                apply(member!.snapshot(snapshot))
            case .declaredDown(let node) where node == core.nodeID:
                guard member != nil else { return }
                apply(member!.refusedAsDown())
            case .refused(let why):
                core.logger.error("the leader refused this node: \(why)")
                core.joined.fulfil(.refused(why))
                core.requestStop()
            default:
                break
            }
            return
        }
        core.pending.resolve(envelope)
    }

    private func handleControl(_ control: Control, _ envelope: Envelope) {
        guard let sender = envelope.sender else { return }
        let id = envelope.correlationID
        switch control {
        case .join(let request):
            if request.node == core.nodeID {
                core.logger.critical("this node received its own JOIN: its leader address \(core.configuration.leader) points back at it")
                core.joined.fulfil(.refused("the leader address \(core.configuration.leader) points back at this node"))
                core.requestStop()
                return
            }
            guard leader != nil else { return notLeader(envelope) }
            core.logger.debug("JOIN from \(request.node) with \(request.names.count) named actors")
            apply(leader!.join(request, from: sender, correlationID: id, now: core.now))
        case .leave(let node):
            guard leader != nil else { return notLeader(envelope) }
            apply(leader!.leave(node, now: core.now))
        case .loadReport(let node, let load):
            guard leader != nil else { return }
            apply(leader!.load(node, load))
        case .snapshotRequest:
            guard let leader else { return notLeader(envelope) }
            reply(to: envelope, .snapshot(leader.view.snapshot))
        case .claimName(let name):
            guard leader != nil else { return notLeader(envelope) }
            core.logger.debug("claim of \"\(name)\" from \(sender)")
            apply(leader!.claim(name, from: sender, correlationID: id, now: core.now))
        case .registerName(let name, let address, let bornMs):
            guard leader != nil else { return notLeader(envelope) }
            apply(leader!.register(name, address, bornMs: bornMs, from: sender, correlationID: id))
        case .abandonName(let name):
            guard leader != nil else { return }
            apply(leader!.abandon(name, now: core.now))
        case .releaseName(let name, let address):
            guard leader != nil else { return }
            apply(leader!.release(name, address))
        case .create(let request):
            reply(to: envelope, core.acceptCreate(request))
        case .createActor(let typeName, let globalName):
            let core = self.core
            Task {
                let answer: Control
                do {
                    let address = try await core.createActor(typeName: typeName, globalName: globalName, parent: nil)
                    answer = .created(address, load: core.actorCount)
                } catch {
                    answer = .refused("\(error)")
                }
                core.sendControl(answer, to: sender, kind: .reply, correlationID: id)
            }
        case .status:
            let core = self.core
            Task {
                let report = await core.collectStatus()
                core.sendControl(.statusReport(report), to: sender, kind: .reply, correlationID: id)
            }
        case .metrics:
            reply(to: envelope, .metricsText(core.renderMetrics()))
        case .listActors:
            reply(to: envelope, .actors(core.localRecords))
        case .ping:
            reply(to: envelope, .pong(core.nodeID))
        case .stop:
            reply(to: envelope, .ok)
            core.requestStop()
        case .changeCapability(let add, let name):
            switch core.changeCapability(add: add, name: name) {
            case .success(let capabilities):
                announceCapabilities(capabilities)
                reply(to: envelope, .capabilitySet(capabilities))
            case .failure(let error):
                reply(to: envelope, .refused("\(error)"))
            }
        case .capabilitiesChanged(let node, let capabilities):
            guard leader != nil else { return }
            apply(leader!.capabilities(node, capabilities))
        case .kill(let address):
            guard address.node == core.nodeID, let cell = core.cell(address.id), cell.enqueue(.kill) else {
                return reply(to: envelope, .refused("no actor at \(address)"))
            }
            reply(to: envelope, .ok)
        case .heartbeat(let node, let load, let capabilities):
            guard leader != nil else { return }
            apply(leader!.heartbeat(node, load: load, capabilities: capabilities, correlationID: id))
        case .describeView:
            reply(to: envelope, .viewDescription(core.view?.snapshot))
        case .capabilitySet, .declaredDown, .viewDescription:
            core.counters.add("misroutedDrops")
        case .welcome, .refused, .snapshot, .created, .nameClaim, .statusReport, .metricsText, .actors, .pong, .ok:
            core.counters.add("misroutedDrops")
        }
    }

    /// After a WELCOME: if it answered the newest JOIN and that JOIN carried every
    /// named actor we have now, the leader has judged them (losers stop); else announce again.
    private func settleNames(answering id: UInt64, names: [String: ActorAddress]) {
        let current = core.namedActors
        let judged = id == latestJoinID && current.allSatisfy { latestJoinNames.contains($0.address) }
        if judged || current.allSatisfy({ names[$0.name] == $0.address }) {
            namesSettled = true
            core.stopActorsThatLostTheirNames(names)
        } else {
            namesSettled = false
            announceNames = true
        }
    }

    /// Tells the convention this node's capabilities changed (the leader publishes it).
    func announceCapabilities(_ capabilities: Capabilities) {
        if leader != nil {
            apply(leader!.capabilities(core.nodeID, capabilities))
        } else if member?.isWelcomed == true {
            emitControl(.capabilitiesChanged(core.nodeID, capabilities), to: core.leaderSystemAddress)
        }
    }

    private func notLeader(_ envelope: Envelope) {
        reply(to: envelope, .refused("\(core.nodeID.address) is not the leader (it follows \(core.configuration.leader))"))
    }

    /// Carries out what the leader's logic decided.
    func apply(_ directives: [LeaderDirective]) {
        guard !directives.isEmpty else { return }
        var published = false
        for directive in directives {
            switch directive {
            case .reply(let recipient, let correlationID, let control):
                emitControl(control, to: recipient, kind: .reply, correlationID: correlationID)
            case .publish(let update):
                publish(kind: SequencedUpdate.typeName, update, sequence: update.sequence)
                published = true
            }
        }
        if published { viewChanged(to: leader?.view) }
    }

    /// Publishes a value on the PUB channel (the leader only).
    func publish<T: Encodable>(kind typeName: String, _ value: T, sequence: UInt64) {
        guard let publisher, let payload = try? PayloadCodec.encode(value) else { return }
        let envelope = Envelope(kind: .update, sender: core.systemAddress, recipient: core.systemAddress,
                                typeName: typeName, correlationID: sequence, payload: payload)
        // PUB never blocks; a subscriber past its high-water mark loses this and repairs by snapshot.
        _ = try? publisher.send([envelope.encoded()])
        core.counters.add(typeName == SequencedUpdate.typeName ? "updatesPublished" : "heartbeatsPublished")
    }

    /// Carries out what the member's logic decided.
    func apply(_ directives: [MemberDirective]) {
        for directive in directives {
            switch directive {
            case .requestSnapshot:
                snapshotRequestedAt = core.now
                snapshotCorrelation = core.pending.makeID()
                emitControl(.snapshotRequest, to: core.leaderSystemAddress, correlationID: snapshotCorrelation)
            case .viewChanged:
                viewChanged(to: member?.view)
            case .rejoin:
                core.logger.notice("a new leader life is up at \(core.configuration.leader); joining it")
                namesSettled = false
                nextJoinAt = .zero
            case .declaredDown:
                core.logger.warning("the convention declared \(core.nodeID) down; stopping its actors to rejoin as a new life")
                core.counters.add("declaredDown")
                core.requestRestartAsNewLife()
            }
        }
    }
}
