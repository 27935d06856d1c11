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
        if envelope.correlationID == joinCorrelation || envelope.correlationID == snapshotCorrelation,
            let control = try? PayloadCodec.decode(Control.self, from: envelope.payload)
        {
            switch control {
            case .welcome(let snapshot), .snapshot(let snapshot):
                guard member != nil else { return }
                apply(member!.snapshot(snapshot))
                core.joined.fulfil(.joined)
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
            apply(leader!.join(request, from: sender, correlationID: id))
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
            apply(leader!.claim(name, from: sender, correlationID: id, now: core.now))
        case .registerName(let name, let address):
            guard leader != nil else { return notLeader(envelope) }
            apply(leader!.register(name, address, from: sender, correlationID: id))
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
        case .heartbeat:
            break
        case .capabilitySet:
            core.counters.add("misroutedDrops")
        case .welcome, .refused, .snapshot, .created, .nameClaim, .statusReport, .actors, .pong, .ok:
            core.counters.add("misroutedDrops")
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
        for directive in directives {
            switch directive {
            case .reply(let recipient, let correlationID, let control):
                emitControl(control, to: recipient, kind: .reply, correlationID: correlationID)
            case .publish(let update):
                publish(update)
            }
        }
        core.setView(leader?.view)
    }

    private func publish(_ update: SequencedUpdate) {
        guard let publisher, let payload = try? PayloadCodec.encode(update) else { return }
        let envelope = Envelope(kind: .update, sender: core.systemAddress, recipient: core.systemAddress,
                                typeName: "update", correlationID: update.sequence, payload: payload)
        // PUB never blocks; a subscriber past its high-water mark loses this and repairs by snapshot.
        _ = try? publisher.send([envelope.encoded()])
        core.counters.add("updatesPublished")
    }

    /// Carries out what the member's logic decided.
    func apply(_ directives: [MemberDirective]) {
        for directive in directives {
            switch directive {
            case .requestSnapshot:
                snapshotCorrelation = core.pending.makeID()
                emitControl(.snapshotRequest, to: core.leaderSystemAddress, correlationID: snapshotCorrelation)
            case .viewChanged:
                core.setView(member?.view)
            }
        }
    }
}
