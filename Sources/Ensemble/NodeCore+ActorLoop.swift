extension NodeCore {
    /// An actor's life: one message at a time, restarts by the supervisor, then cleanup.
    func run(_ cell: ActorCell, type: any EnsembleActor.Type) async {
        var instance = type.init()
        var supervisor = SupervisorState(policy: configuration.restartPolicy)
        var unhandled: [Mail] = []
        var decoders = RecentDecoder()
        batches: while let batch = await cell.nextBatch() {
            for index in batch.indices {
                // Stopped from outside (capability lost, parent's node lost) or by the last message.
                if cell.exitReason != nil {
                    unhandled = Array(batch[index...])
                    break batches
                }
                if await handle(batch[index], by: instance, in: cell, supervisor: &supervisor, decoders: &decoders) {
                    instance = type.init()
                }
            }
            if cell.exitReason != nil { break }
        }
        finish(cell, reason: cell.exitReason ?? .stopped, unhandled: unhandled)
    }

    /// Handles one piece of mail; true when the supervisor wants a fresh instance.
    ///
    /// A function of its own, so that the locals of handling a message take task
    /// memory only while a message is handled: an idle actor waits in `run` with
    /// a frame small enough for the task's preallocated space (about 1.7 kB per
    /// idle actor instead of 4.7 kB when this was written inline).
    private func handle(
        _ mail: Mail, by instance: any EnsembleActor, in cell: ActorCell, supervisor: inout SupervisorState,
        decoders: inout RecentDecoder
    ) async -> Bool {
        switch mail {
        case .stop:
            return false
        case .kill:
            counters.add("actorsKilled")
            logger.notice("\(cell.typeName) \(cell.address) was killed")
            return await supervise(&supervisor, cell)
        case .local, .wire:
            guard let (message, sender, correlationID) = open(mail, for: cell, decoders: &decoders) else { return false }
            // A metatype comparison: a cast here would cost a runtime lookup per message.
            defer { if type(of: message) == ActorExitRequest.self { cell.requestExit(.stopped) } }
            do {
                try await instance.receive(message, from: sender, context: ActorContext(core: self, cell: cell, correlationID: correlationID))
                return false
            } catch {
                failed(handling: mail, message, from: sender, correlationID: correlationID, in: cell, error)
                return await supervise(&supervisor, cell)
            }
        }
    }

    /// A handler threw: counted, logged, and its sender gets a poison message.
    private func failed(
        handling mail: Mail, _ message: any Message, from sender: ActorAddress, correlationID: UInt64, in cell: ActorCell,
        _ error: any Error
    ) {
        counters.add("handlerFailures")
        let original = Self.original(of: mail, message)
        logger.warning("\(cell.typeName) \(cell.address) failed handling \(original.typeName): \(logDescription(of: error))")
        if sender != cell.address {
            tell(PoisonMessage(originalType: original.typeName, originalPayload: original.payload, details: "\(error)"),
                 to: sender, from: cell.address, correlationID: correlationID)
        }
    }

    /// The supervisor's answer to a failure: true to restart with a fresh instance.
    private func supervise(_ supervisor: inout SupervisorState, _ cell: ActorCell) async -> Bool {
        switch supervisor.failed(at: now) {
        case .restart(let delay):
            metrics.restartDelayed(by: delay)
            try? await Task.sleep(for: delay)
            cell.noteRestart()
            counters.add("restarts")
            return true
        case .stop:
            logger.warning("\(cell.typeName) \(cell.address) failed too often; stopped")
            cell.requestExit(.crashed)
            return false
        }
    }

    /// What a failed handler was given, for its poison message; worked out only on failure.
    private static func original(of mail: Mail, _ message: any Message) -> (typeName: String, payload: [UInt8]) {
        if case .wire(let envelope) = mail { return (envelope.typeName, envelope.payload) }
        return (type(of: message).messageType, (try? message.encodedPayload()) ?? [])
    }

    private func open(_ mail: Mail, for cell: ActorCell, decoders: inout RecentDecoder) -> (any Message, ActorAddress, UInt64)? {
        switch mail {
        case .local(let message, let sender, let correlationID):
            return (message, sender, correlationID)
        case .stop, .kill:
            return nil
        case .wire(let envelope):
            let sender = envelope.sender ?? systemAddress
            do {
                let message = try decoders.decode(envelope.typeName, envelope.payload, with: messages)
                return (message, sender, envelope.correlationID)
            } catch {
                counters.add("undecodableMessages")
                logger.warning("\(cell.address) dropped a \(envelope.typeName): \(error)")
                if envelope.sender != nil {
                    tell(PoisonMessage(originalType: envelope.typeName, originalPayload: envelope.payload, details: "\(error)"),
                         to: sender, from: cell.address, correlationID: envelope.correlationID)
                }
                return nil
            }
        }
    }

    /// After an actor's last message: unregister, stop its children, tell its parent, free its name.
    private func finish(_ cell: ActorCell, reason: ExitReason, unhandled: [Mail]) {
        removeCell(cell)
        let leftover = unhandled + cell.closeAndDrain()
        counters.add("actorsStopped")
        for child in cell.children {
            tell(ActorExitRequest(), to: child, from: cell.address, correlationID: 0)
        }
        if let parent = cell.parent {
            tell(ChildActorExited(child: cell.address, reason: reason), to: parent, from: cell.address, correlationID: 0)
            if parent.node == nodeID { self.cell(parent.id)?.removeChild(cell.address) }
        }
        if let name = cell.globalName {
            sendControl(.releaseName(name, cell.address), to: leaderSystemAddress)
        }
        do {
            // Mail still queued can no longer be handled: its senders learn so.
            for mail in leftover {
                if case .wire(let envelope) = mail { returnDeadLetter(envelope, reason: "\(cell.address) has exited") }
                if case .local(let message, let sender, _) = mail, sender != cell.address, !(message is DeadLetter) {
                    tell(DeadLetter(recipient: cell.address, originalType: type(of: message).messageType,
                                    originalPayload: (try? message.encodedPayload()) ?? [], reason: "\(cell.address) has exited"),
                         to: sender, from: cell.address, correlationID: 0)
                }
            }
        }
    }
}
