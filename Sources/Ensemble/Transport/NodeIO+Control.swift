extension NodeIO {
    /// Mail for the node itself from `origin` (over `connection`, for a node's): replies to requests,
    /// and control requests.
    func handleSystem(_ envelope: Envelope, from origin: Origin, over connection: NodeConnection? = nil) {
        switch envelope.kind {
        case .reply:
            handleReply(envelope, from: origin)
        case .control:
            if ControlCodec.isReply(envelope.typeName) {
                // An answer sent as a request is never handled; who sent it decides how it is refused.
                let sender = envelope.sender ?? core.systemAddress
                return perform(plane.misroutedReply(sender: sender, from: origin), answering: envelope, from: origin)
            }
            let control: ControlRequest
            do throws(WireError) {
                control = try ControlCodec.decodeRequest(envelope.typeName, envelope.payload)
            } catch {
                core.counters.add("malformedControl")
                // A client is told what was wrong with a request it may send (a bad placement hint, say);
                // an unknown type name is not echoed back.
                let what = ControlCodec.isRequest(envelope.typeName) ? ": \(error.detail)" : ""
                if origin.node == nil { reply(to: envelope, .refused("malformed control message\(what)")) }
                return
            }
            // The life the view has at an address, not the address: a joiner itself was just heard there.
            let (view, detector) = (plane.view, self.detector)
            // A JOIN, a heartbeat, a snapshot request and a request for this node's actors are answered
            // over their own connection (it reaches the process that asked, whoever holds the address it
            // names, and no link is opened for it: a storm's joiners that missed an update all ask, and a
            // status asks every member; a member asks the leader for its status, whose refusal goes
            // back the same way), and so is anything from a non-member.
            if let connection, connection.life == origin.node {
                switch control {
                case .join, .heartbeat, .snapshotRequest, .listActors, .status: answerConnection = connection
                default: answerConnection = plane.isMember(connection.life) ? nil : connection
                }
            }
            defer {
                // A member's JOIN, heartbeat or snapshot request names the connection its updates take
                // (after the JOIN is handled: it made the joiner a member).
                if let route = answerConnection, plane.leader != nil, plane.isMember(route.life) {
                    switch control {
                    case .join, .heartbeat, .snapshotRequest: updateRoutes.heard(route.life, over: route.identity)
                    default: break
                    }
                }
                answerConnection = nil
            }
            // Read before the plane changes: the plane's request may not reach back into the shell.
            var hears = false
            if case .preVote = control { hears = hearsLeader }
            let actions = plane.request(
                control, sender: envelope.sender ?? core.systemAddress, correlationID: envelope.correlationID,
                from: origin, now: core.now,
                lastHeard: { address in
                    // A life whose connection this node saw drop, silent since, holds its address no more.
                    view?.members[address].flatMap { detector.droppedAndSilent($0.node) ? nil : detector.lastHeard(of: $0.node) }
                },
                hearsLeader: { hears })
            perform(actions, answering: envelope, from: origin)
        case .tell, .update:
            core.counters.add("deadLetters")
            core.returnDeadLetter(envelope, reason: "a node's system endpoint takes no actor messages")
        }
    }

    private func handleReply(_ envelope: Envelope, from origin: Origin) {
        let id = envelope.correlationID
        // A probe's pong (correlation id 0) answers nothing pending: hearing from the node was its point.
        guard id != 0 else { return }
        connectionAsks.answered(id, by: origin.node)
        if detector.awaitsIndirectAnswer(id) { return indirectProbeAnswered(envelope, from: origin) }
        if ballots[id] != nil { return ballotAnswered(envelope, from: origin) }
        // Only an answer somebody here waits for is decoded: a flood of forged ones costs a lookup each.
        guard plane.member?.isOwnRequest(id) == true || core.pending.isWaiting(for: id) else {
            core.counters.add("unmatchedReplies")
            return
        }
        guard let control = try? ControlCodec.decodeReply(envelope.typeName, envelope.payload) else {
            core.counters.add("malformedControl")
            return
        }
        let core = self.core
        if let actions = plane.reply(control, correlationID: envelope.correlationID, from: origin,
                                     currentNames: { core.namedActors }) {
            return perform(actions, answering: envelope, from: origin)
        }
        let source = origin.node ?? core.nodeID
        if !core.pending.resolve(envelope, from: source) { core.counters.add("unmatchedReplies") }
    }

    /// The answer to a probe request this node made: it counts only from the member asked,
    /// about the suspect it was asked about (the detector checks both).
    private func indirectProbeAnswered(_ envelope: Envelope, from origin: Origin) {
        guard let helper = origin.node,
            case .probeAnswered(let suspect)? = try? ControlCodec.decodeReply(envelope.typeName, envelope.payload),
            let directives = detector.indirectAnswer(correlationID: envelope.correlationID, from: helper,
                                                     suspect: suspect, now: core.now)
        else {
            core.counters.add("unmatchedReplies")
            return
        }
        // Heard of through another member: as alive as if heard directly (status, JOIN deferral).
        if directives.contains(.refuted(suspect)) { lastHeard[suspect.address] = core.now }
        obey(directives)
    }

    /// Carries out what the control plane decided about `envelope`.
    private func perform(_ actions: [PlaneAction], answering envelope: Envelope, from origin: Origin) {
        for action in actions {
            switch action {
            case .answer(let control):
                reply(to: envelope, control)
            case .refused(let why, let answered):
                core.counters.add(why.counter(curve: curve != nil))
                if logOnce.first("\(why)", origin.node?.description) {
                    core.logger.warning("refused a \(envelope.typeName) from \(origin.node.map { "\($0)" } ?? "a client"): \(why)")
                }
                if answered {
                    let line = why.line(node: core.nodeID.address, leader: plane.leaderAddress)
                    reply(to: envelope, .refused(line))
                }
            case .leader(let directives):
                apply(directives)
            case .member(let directives):
                apply(directives)
            case .runtime(let request):
                serve(request, answering: envelope, from: origin)
            case .ownJoin:
                core.logger.critical("this node received its own JOIN: its leader address \(core.configuration.leader) points back at it")
                core.stopRefused("the leader address \(core.configuration.leader) points back at this node")
            case .election(let directives):
                apply(directives)
            case .succession(let directives):
                apply(directives)
            }
        }
    }

    /// What the runtime does for a request the control plane accepted.
    private func serve(_ request: RuntimeRequest, answering envelope: Envelope, from origin: Origin) {
        guard let sender = envelope.sender else { return }
        let id = envelope.correlationID
        switch request {
        case .create(let create, let creator):
            let answer = core.acceptCreate(create, creator: creator)
            if create.nameUnsettled, let name = create.globalName, case .created(let address, _) = answer {
                // Only a host may bring its actor's name to the leader.
                noteNameWithoutLeader(name, address)
            }
            reply(to: envelope, answer)
        case .createActor(let typeName, let globalName, let hint):
            guard let finished = startClientRequest(envelope, counts: .creation) else { return }
            let core = self.core
            Task {
                let answer: ControlReply
                var created = false
                do {
                    let found = try await core.findOrCreate(typeName: typeName, globalName: globalName, parent: nil, hint: hint)
                    answer = .created(found.address, load: core.actorCount)
                    created = found.created
                } catch let error as PlacementError {
                    answer = .placementFailed(error)
                } catch {
                    answer = .refused("\(error)")
                }
                core.sendReply(answer, to: sender, correlationID: id)
                finished(created)
            }
        case .status(let page):
            if let page {
                // A page of a report already collected: no member is asked, so no limit is counted;
                // encoding it (up to the message limit) is left off the I/O thread.
                let core = self.core
                Task { core.sendReply(core.statusPage(page), to: sender, correlationID: id) }
                return
            }
            guard let finished = startClientRequest(envelope, counts: .status) else { return }
            let core = self.core
            let askingTheLeader = origin.node == nil
            Task {
                let report = await core.collectStatus(askingTheLeader: askingTheLeader)
                core.sendReply(.statusReport(core.firstStatusPage(of: report)), to: sender, correlationID: id)
                finished(false)
            }
        case .metrics:
            reply(to: envelope, .metricsText(core.renderMetrics()))
        case .events(let after, let waitMs):
            serveEvents(after: after, waitMs: waitMs, answering: envelope)
        case .restartReported(let actor, let typeName, let restarts):
            recordRestart(of: actor, type: typeName, restarts: restarts)
        case .listActors(let afterID):
            let (records, more) = core.actorPage(after: afterID)
            reply(to: envelope, .actors(records, more: more))
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
        case .probe(let suspect, let asker):
            // Answered later, if the suspect answers (`DetectorDirective.relayAnswer`).
            obey(detector.probeRequested(suspect, by: asker, correlationID: id, now: core.now))
        case .kill(let address):
            guard address.node == core.nodeID, let cell = core.cell(address.id), cell.enqueue(.kill) else {
                return reply(to: envelope, .refused("no actor at \(address)"))
            }
            reply(to: envelope, .ok)
        case .promote:
            if plane.leader != nil { return reply(to: envelope, .ok) }
            let directives = plane.promote(now: core.now)
            guard !directives.isEmpty else {
                return reply(to: envelope, .refused("refused: \(core.nodeID.address) has no view of a convention to lead yet"))
            }
            core.logger.warning("promoted by an admin: leading term \(plane.election.term) as the only voter")
            core.counters.add("promotions")
            apply(directives)
            reply(to: envelope, .ok)
        }
    }

    /// Counts a client's `createActor` or `status` request against its limits before a task
    /// serves it; nil (the request answered with the refusal) past them. The closure
    /// returned is called once the answer is sent, with whether a new actor came of it (finding the
    /// actor a global name already has counts nothing: a long-lived client may ask for it at will).
    private func startClientRequest(_ envelope: Envelope, counts kind: ClientRequestKind) -> (@Sendable (Bool) -> Void)? {
        let configuration = core.configuration
        // A client's relay address names this gateway; a node asking for status is no client of it.
        let relayID = envelope.sender.flatMap { $0.node == core.nodeID && $0.id != 0 ? $0.id : nil }
        let record = relayID.flatMap { clients.record($0) }
        var refusal: String?
        if let record, record.inFlight >= configuration.maxRequestsPerClient {
            refusal = "refused: this client has \(record.inFlight) requests under way at \(core.nodeID.address), the most one connection may"
        } else if kind == .creation, let record, record.created >= configuration.maxActorsPerClient {
            refusal = "refused: this client had \(record.created) actors created at \(core.nodeID.address), the most one connection may"
        } else if kind == .status, let record, record.statusInFlight > 0 {
            refusal = "refused: this client's status request at \(core.nodeID.address) is still being collected"
        } else if kind == .status, statusInFlight >= configuration.maxConcurrentStatus {
            refusal = "refused: \(core.nodeID.address) is collecting \(statusInFlight) status reports already; ask again shortly"
        } else if kind == .creation, creationsInFlight >= configuration.maxConcurrentCreations {
            refusal = "refused: \(core.nodeID.address) has \(creationsInFlight) actor creations under way; ask again shortly"
        }
        if let refusal {
            core.counters.add("clientLimitRefusals")
            reply(to: envelope, .refused(refusal))
            return nil
        }
        if let relayID {
            clients.update(relayID) { record in
                record.inFlight += 1
                if kind == .status { record.statusInFlight += 1 }
            }
        }
        if kind == .status { statusInFlight += 1 } else { creationsInFlight += 1 }
        let io = core.io
        return { created in _ = io.submit(.clientRequestFinished(relayID: relayID, kind, created: created)) }
    }

    /// A client's request was answered: it no longer counts as under way.
    func clientRequestFinished(relayID: UInt64?, _ kind: ClientRequestKind, created: Bool) {
        if kind == .status { statusInFlight = max(0, statusInFlight - 1) } else { creationsInFlight = max(0, creationsInFlight - 1) }
        guard let relayID else { return }
        clients.update(relayID) { record in
            record.inFlight = max(0, record.inFlight - 1)
            if kind == .status { record.statusInFlight = max(0, record.statusInFlight - 1) }
            if created { record.created += 1 }
        }
    }

    /// Tells the convention this node's capabilities changed (the leader publishes it).
    func announceCapabilities(_ capabilities: Capabilities) {
        if plane.leader != nil {
            apply(plane.leader!.capabilities(core.nodeID, capabilities, now: core.now))
        } else if let leader = welcomedLeader {
            emitControl(.capabilitiesChanged(core.nodeID, capabilities), to: .system(leader))
        }
    }

    /// Carries out what the leader's logic decided.
    func apply(_ directives: [LeaderDirective]) {
        guard !directives.isEmpty else { return }
        var published = false
        var detailsOnly = true
        for directive in directives {
            switch directive {
            case .reply(let recipient, let correlationID, let control):
                emitControl(control, to: recipient, correlationID: correlationID)
            case .publish(let update):
                if case .capabilities(let node, _) = update.update, node != core.nodeID { core.noteCapabilityChange() }
                recordEvent(update.update)
                publish(update, sequence: update.sequence)
                published = true
                detailsOnly = detailsOnly && update.update.changesMemberDetailsOnly
            }
        }
        if published { detailsOnly ? viewDetailsChanged() : viewChanged(to: plane.view) }
    }

    /// Sends a value to every member over its own connection (`UpdateRoutes`), and on the PUB
    /// channel for whoever observes it (the leader only). Encoded once, copied into each message.
    func publish<T: ProtoConvertible>(_ value: T, sequence: UInt64) {
        guard let payload = try? value.protoBytes() else { return }
        let envelope = Envelope(kind: .update, sender: core.systemAddress, recipient: core.systemAddress,
                                typeName: T.Proto.protoMessageName, correlationID: sequence, payload: payload)
        let frame = envelope.encoded()
        var unreachable: [NodeID] = []
        #if DEBUG
        let routes = Self.publishesOnly ? [:] : updateRoutes.all
        #else
        let routes = updateRoutes.all
        #endif
        let copyFrame = { (buffer: UnsafeMutableRawBufferPointer) in frame.withUnsafeBytes { buffer.copyMemory(from: $0) } }
        for (member, identity) in routes {
            do {
                // A connection past its high-water mark loses this; its member repairs by snapshot.
                if try router.send(prefix: identity, byteCount: frame.count, copyFrame) == .wouldBlock {
                    core.counters.add("updateDrops")
                }
            } catch {
                // ROUTER_MANDATORY: the connection is gone; the member's next heartbeat names its new one.
                if error.isHostUnreachable { unreachable.append(member) }
                core.counters.add("updateDrops")
            }
        }
        for member in unreachable { updateRoutes.forget(member) }
        // PUB never blocks; an observer past its high-water mark loses this.
        if let publisher { _ = try? publisher.send(frame: frame) }
        core.counters.add(T.self == SequencedUpdate.self ? "updatesPublished" : "heartbeatsPublished")
    }

    /// Carries out what the member's logic decided; `detailsOnly`: what changed the view is an
    /// update that changes no life, voter, name or leader (`ViewUpdate.changesMemberDetailsOnly`).
    func apply(_ directives: [MemberDirective], detailsOnly: Bool = false) {
        for directive in directives {
            switch directive {
            case .requestSnapshot(let leader):
                let id = core.pending.makeID()
                plane.member?.snapshotRequested(id: id, to: leader, now: core.now)
                emitControl(.snapshotRequest, to: .system(leader), correlationID: id)
            case .viewChanged:
                detailsOnly ? viewDetailsChanged() : viewChanged(to: plane.view)
            case .rejoin:
                core.logger.notice("a new leader life is up at \(plane.leaderAddress); joining it")
            case .redirected(let leader):
                core.logger.notice("following \(leader) (term \(plane.election.term)); joining it")
                core.setLeaderReachable(false)
                updateLinkable()
                publishLeadership()
            case .declaredDown:
                core.logger.warning("the convention declared \(core.nodeID) down; stopping its actors to rejoin as a new life")
                core.counters.add("declaredDown")
                core.requestRestartAsNewLife(above: core.nodeID)
            case .joined:
                noteWelcome()
                core.setLeaderReachable(true)
                publishLeadership()
                core.joinDeferred(nil)
                core.joined.fulfil(.joined)
            case .refused(let why):
                core.logger.error("the leader refused this node: \(why)")
                core.stopRefused(why)
            case .deferred(let why):
                if core.joinDeferred(why) { core.logger.warning("the leader put this node off: \(why)") }
            case .newLife(let current):
                core.logger.notice("the leader knows a newer life of this address, \(current); starting a life above it")
                core.requestRestartAsNewLife(above: current)
            case .settleNames(let names):
                core.stopActorsThatLostTheirNames(names)
            }
        }
    }
}
