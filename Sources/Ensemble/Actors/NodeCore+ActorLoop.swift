extension NodeCore {
    /// An actor's life: one message at a time, restarts by the supervisor, then cleanup.
    func run(_ cell: ActorCell, type: any EnsembleActor.Type) async {
        let onIOThread = type.dispatch == .ioThread
        var actor = RunningActor(instance: type.init(), supervisor: SupervisorState(policy: configuration.restartPolicy),
                                 mayMove: !onIOThread && actorExecutor != nil)
        var unhandled: [Mail] = []
        while var batch = await cell.nextBatch() {
            // Mail the I/O thread delivers runs there, unless a handler of this actor held it long
            // before; one that must run there goes back when a takeover left it elsewhere (while
            // the loop runs: after it, what is left runs on the shared pool).
            if actor.heldIOThread ? io.isOwnerThread : onIOThread && !io.isOwnerThread && io.ownerThread != nil {
                await jobExits.leaveJob()
            }
            if let stoppedAt = await handle(&batch, by: &actor, type: type, in: cell) {
                unhandled = Array(batch[stoppedAt...])
                break
            }
            if cell.exitReason != nil { break }
            // More may be waiting: the other actors on this thread get their turn first, and what
            // this turn sent leaves meanwhile (the I/O loop flushes peers between rounds of jobs).
            if batch.count == cell.turnLimit { await Task.yield() }
        }
        finish(cell, reason: cell.exitReason ?? .stopped, unhandled: unhandled)
    }

    /// What an actor's loop keeps between batches.
    struct RunningActor {
        var instance: any EnsembleActor {
            didSet { synchronous = instance as? any SynchronousActor }
        }
        /// The instance when its handler is synchronous (cast once per instance, not per message).
        private(set) var synchronous: (any SynchronousActor)?
        var supervisor: SupervisorState
        /// Whether it moves to the workers when a handler holds the I/O thread long: not a type
        /// that runs there by choice (`dispatch == .ioThread`), nor on a node without workers.
        let mayMove: Bool
        /// Set once a handler held the I/O thread until a standby took the loop over: the
        /// actor's later mail is handled on the workers.
        var heldIOThread = false
        var decoders = RecentDecoder()

        init(instance: any EnsembleActor, supervisor: SupervisorState, mayMove: Bool) {
            self.instance = instance
            self.supervisor = supervisor
            self.mayMove = mayMove
            synchronous = instance as? any SynchronousActor
        }
    }

    /// Handles a batch of mail one message at a time, moving each out as it is handled; the
    /// index of the first unhandled one (it and the rest left in place) when the actor was
    /// stopped before the end.
    ///
    /// One function call per batch, with the handler the only asynchronous call per
    /// message (none for what a `SynchronousActor` handles now): each call into a nonisolated async
    /// function makes the runtime look up the task's preferred executor under a lock,
    /// and takes a frame from the task's allocator. A function of its own, so that an
    /// idle actor waits in `run` with a frame that fits its task's preallocated space
    /// (about 1.7 kB per idle actor instead of 4.7 kB with all of this written in `run`).
    private func handle(
        _ batch: inout [Mail], by actor: inout RunningActor, type: any EnsembleActor.Type, in cell: ActorCell
    ) async -> Int? {
        // Made once per batch, each message's correlation id set in it: a context made per message
        // retained and released the node and the cell (and the synchronous instance, taken out of
        // `actor`) at every message, atomic operations that cost a tell more time than its instructions.
        var context = ActorContext(core: self, cell: cell, correlationID: 0)
        var synchronous = actor.synchronous
        for index in batch.indices {
            // Stopped from outside (capability lost, parent's node lost) or by the last message.
            if cell.exitReason != nil { return index }
            let mail = batch[index].moveOut()
            switch mail {
            case .stop:
                continue
            case .kill:
                counters.add("actorsKilled")
                logger.notice("\(cell.typeName) \(cell.address) was killed")
            case .local, .wire, .framed:
                guard let (message, sender, correlationID) = open(mail, for: cell, decoders: &actor.decoders) else { continue }
                // Read once: each `type(of:)` of an existential is a runtime call (a node's tell
                // knows its type already).
                let messageType: any Message.Type
                if case .framed(let framed) = mail { messageType = framed.type } else { messageType = Swift.type(of: message) }
                if messageType == ChildActorExited.self {
                    let exited = message as! ChildActorExited
                    // Told once: the child's own notice and its node's loss can both come.
                    guard cell.removeChild(exited.child) else { continue }
                    // A lost child that asked to be replaced is, and its parent hears of that instead.
                    if replaceIfAsked(exited, parent: cell) { continue }
                }
                var failed = false
                // The loop's epoch changes only when a standby takes it over, which it does from a long
                // job; this handler's, when it returns off the loop (another's, while this one awaited,
                // leaves it to resume on the loop).
                let epochOnIOThread = actor.mayMove && !actor.heldIOThread && io.isOwnerThread ? ioHandover.epoch : nil
                do {
                    context.correlationID = correlationID
                    if let synchronous, synchronous.handlesNow(message, from: sender) {
                        try synchronous.receiveNow(message, from: sender, context: context)
                    } else {
                        try await actor.instance.receive(message, from: sender, context: context)
                    }
                } catch {
                    failed = true
                    failure(handling: mail, message, from: sender, correlationID: correlationID, in: cell, error)
                }
                if let epochOnIOThread, ioHandover.epoch != epochOnIOThread, !io.isOwnerThread { actor.heldIOThread = true }
                // A metatype comparison: a cast here would cost a runtime lookup per message.
                if messageType == ActorExitRequest.self { cell.requestExit(exitReason(askedBy: sender)) }
                if !failed { continue }
            }
            if await supervise(&actor.supervisor, cell) {
                actor.instance = type.init()
                synchronous = actor.synchronous
            }
        }
        return nil
    }

    /// A handler threw: counted, logged, and its sender gets a poison message.
    private func failure(
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

    /// Why an actor asked to exit by `sender` ends: its node leaving (the node's own shutdown
    /// asks) is its node lost to its parent, which may replace it elsewhere; anyone else's ask stops it.
    private func exitReason(askedBy sender: ActorAddress) -> ExitReason {
        sender == systemAddress && isStopping ? .nodeLost(nodeID.address) : .stopped
    }

    /// The supervisor's answer to a failure: true to restart with a fresh instance.
    private func supervise(_ supervisor: inout SupervisorState, _ cell: ActorCell) async -> Bool {
        switch supervisor.failed(at: now) {
        case .restart(let delay):
            metrics.restartDelayed(by: delay)
            try? await Task.sleep(for: delay)
            cell.noteRestart()
            counters.add("restarts")
            // The leader's event stream shows restarts (a member reports only its own actors').
            sendControl(.actorRestarted(cell.address, typeName: cell.typeName, restarts: cell.restarts), to: leaderSystemAddress)
            return true
        case .stop:
            logger.warning("\(cell.typeName) \(cell.address) failed too often; stopped")
            cell.requestExit(.crashed)
            return false
        }
    }

    /// A decoded message's value and sender (mail sent on this node).
    private static func messageAndSender(_ mail: Mail) -> (any Message, ActorAddress)? {
        switch mail {
        case .local(let message, let sender, _): return (message, sender)
        case .wire, .framed, .stop, .kill: return nil
        }
    }

    /// What a failed handler was given, for its poison message; worked out only on failure.
    private static func original(of mail: Mail, _ message: any Message) -> (typeName: String, payload: [UInt8]) {
        if case .wire(let envelope) = mail { return (envelope.typeName, envelope.payload) }
        if case .framed(let framed) = mail { return (framed.typeName, Array(framed.frame.bytes[framed.payload])) }
        return (type(of: message).messageType, (try? message.encodedPayload()) ?? [])
    }

    /// The message, sender and correlation id a piece of mail holds, decoded when it came over the
    /// wire; nil for mail without a handler call, or refused (undecodable, a forged child's exit).
    func open(_ mail: Mail, for cell: ActorCell, decoders: inout RecentDecoder) -> (any Message, ActorAddress, UInt64)? {
        switch mail {
        case .local(let message, let sender, let correlationID):
            return (message, sender, correlationID)
        case .stop, .kill:
            return nil
        case .framed(let framed):
            let sender = framed.sender
            do {
                let message = try framed.decode()
                guard framed.type != ChildActorExited.self || isGenuine(message, typeName: ChildActorExited.messageType, from: sender)
                else { return nil }
                return (message, sender, framed.correlationID)
            } catch {
                refuseUndecodable(framed.envelope(to: cell.address), for: cell, error)
                return nil
            }
        case .wire(let envelope):
            let sender = envelope.sender ?? systemAddress
            do {
                let message = try decoders.decode(envelope.typeName, envelope.payload, with: messages)
                guard isGenuine(message, typeName: envelope.typeName, from: envelope.sender) else { return nil }
                return (message, sender, envelope.correlationID)
            } catch {
                refuseUndecodable(envelope, for: cell, error)
                return nil
            }
        }
    }

    /// A child's exit is told by the child: from anyone else it is a forgery, counted and dropped.
    /// (The name is checked first: most mail is no lifecycle message, and the type's lookup is a
    /// runtime call.)
    private func isGenuine(_ message: any Message, typeName: String, from sender: ActorAddress?) -> Bool {
        guard SystemMessages.isLifecycle(typeName), Swift.type(of: message) == ChildActorExited.self,
            (message as? ChildActorExited)?.child != sender
        else { return true }
        counters.add("lifecycleRefusals")
        return false
    }

    /// Mail for `cell` that could not be decoded: counted, logged, and its sender gets a poison message.
    func refuseUndecodable(_ envelope: Envelope, for cell: ActorCell, _ error: any Error) {
        counters.add("undecodableMessages")
        logger.warning("\(cell.address) dropped a \(envelope.typeName): \(error)")
        guard let sender = envelope.sender else { return }
        let unknown = (error as? EnsembleError) == .unknownMessageType(envelope.typeName)
        let details = unknown ? "\(nodeID.address) registered no message type \(envelope.typeName)" : "\(error)"
        tell(PoisonMessage(originalType: envelope.typeName, originalPayload: envelope.payload, details: details,
                           kind: unknown ? .unknownMessageType : .undecodable),
             to: sender, from: cell.address, correlationID: envelope.correlationID)
    }

    /// After an actor's last message: unregister, stop its children, tell its parent, free its name.
    private func finish(_ cell: ActorCell, reason: ExitReason, unhandled: [Mail]) {
        removeCell(cell)
        replaceable.forget(parent: cell.address)
        let leftover = unhandled + cell.closeAndDrain()
        counters.add("actorsStopped")
        for child in cell.children {
            tell(ActorExitRequest(), to: child, from: cell.address, correlationID: 0)
        }
        if let parent = cell.parent {
            // The parent forgets the child when it takes the notice (told once, however it comes).
            tell(ChildActorExited(child: cell.address, reason: reason), to: parent, from: cell.address, correlationID: 0)
        }
        if let name = cell.globalName {
            sendControl(.releaseName(name, cell.address), to: leaderSystemAddress)
        }
        do {
            // Mail still queued can no longer be handled: its senders learn so.
            for mail in leftover {
                if case .wire(let envelope) = mail { returnDeadLetter(envelope, reason: "\(cell.address) has exited") }
                if case .framed(let framed) = mail { returnDeadLetter(framed.envelope(to: cell.address), reason: "\(cell.address) has exited") }
                if let (message, sender) = Self.messageAndSender(mail), sender != cell.address, !(message is DeadLetter) {
                    tell(DeadLetter(recipient: cell.address, originalType: type(of: message).messageType,
                                    originalPayload: (try? message.encodedPayload()) ?? [], reason: "\(cell.address) has exited"),
                         to: sender, from: cell.address, correlationID: 0)
                }
            }
        }
    }
}
