extension NodeCore {
    /// An actor's life: one message at a time, restarts by the supervisor, then cleanup.
    func run(_ cell: ActorCell, type: any EnsembleActor.Type, mailbox: AsyncStream<Mail>) async {
        var instance = type.init()
        var supervisor = SupervisorState(policy: configuration.restartPolicy)
        for await mail in mailbox {
            if cell.exitReason != nil { break }
            switch mail {
            case .stop:
                break
            case .kill:
                counters.add("actorsKilled")
                logger.notice("\(cell.typeName) \(cell.address) was killed")
                if await supervise(&supervisor, cell) { instance = type.init() }
            case .local, .wire:
                guard let (message, sender, correlationID, original) = open(mail, for: cell) else { continue }
                let context = ActorContext(core: self, cell: cell, correlationID: correlationID)
                do {
                    try await instance.receive(message, from: sender, context: context)
                } catch {
                    counters.add("handlerFailures")
                    logger.warning("\(cell.typeName) \(cell.address) failed handling \(original.typeName): \(error)")
                    if sender != cell.address {
                        tell(PoisonMessage(originalType: original.typeName, originalPayload: original.payload(), details: "\(error)"),
                             to: sender, from: cell.address, correlationID: correlationID)
                    }
                    if await supervise(&supervisor, cell) { instance = type.init() }
                }
                if message is ActorExitRequest { cell.requestExit(.stopped) }
            }
            if cell.exitReason != nil { break }
        }
        finish(cell, reason: cell.exitReason ?? .stopped, mailbox: mailbox)
    }

    /// The supervisor's answer to a failure: true to restart with a fresh instance.
    private func supervise(_ supervisor: inout SupervisorState, _ cell: ActorCell) async -> Bool {
        switch supervisor.failed(at: now) {
        case .restart(let delay):
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

    private struct Original {
        var typeName: String
        var payload: () -> [UInt8]
    }

    private func open(_ mail: Mail, for cell: ActorCell) -> (any Message, ActorAddress, UInt64, Original)? {
        switch mail {
        case .local(let message, let sender, let correlationID):
            let original = Original(typeName: type(of: message).messageType, payload: { (try? PayloadCodec.encode(message)) ?? [] })
            return (message, sender, correlationID, original)
        case .stop, .kill:
            return nil
        case .wire(let envelope):
            let sender = envelope.sender ?? systemAddress
            do {
                let message = try messages.decode(envelope.typeName, envelope.payload)
                return (message, sender, envelope.correlationID, Original(typeName: envelope.typeName, payload: { envelope.payload }))
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
    private func finish(_ cell: ActorCell, reason: ExitReason, mailbox: AsyncStream<Mail>) {
        removeCell(cell)
        cell.closeMailbox()
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
        Task {
            // Mail still queued can no longer be handled: its senders learn so.
            for await mail in mailbox {
                if case .wire(let envelope) = mail { returnDeadLetter(envelope, reason: "\(cell.address) has exited") }
                if case .local(let message, let sender, _) = mail, sender != cell.address, !(message is DeadLetter) {
                    tell(DeadLetter(recipient: cell.address, originalType: type(of: message).messageType,
                                    originalPayload: (try? PayloadCodec.encode(message)) ?? [], reason: "\(cell.address) has exited"),
                         to: sender, from: cell.address, correlationID: 0)
                }
            }
        }
    }
}
