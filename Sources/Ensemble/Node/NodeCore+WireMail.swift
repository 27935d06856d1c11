extension NodeCore {
    /// Hands a run of a node's tells for one actor of this node (`run`: their indices in
    /// `headers`) to its mailbox, each left in the frame it came in (`bytes`, kept in `frame`,
    /// which the first run that needs it makes) with its registered type (`types` remembers
    /// the last), until the actor takes it and decodes it.
    ///
    /// An `Envelope` per tell cost an object for its fields and a copy of its payload; a
    /// message decoded as it arrived cost its allocations all at once for the whole frame
    /// (`FramedMail`). The mailbox counts each tell's share of the frame, which its mail keeps
    /// alive, so its byte bound holds for what it pins.
    func deliver(
        _ run: [Int], of headers: [EnvelopeHeader], in bytes: [UInt8], from sender: NodeID, keeping frame: inout ReceivedFrame?,
        types: inout RecentDecoder
    ) {
        guard let first = run.first else { return }
        let recipient = headers[first].recipient
        guard recipient.node == nodeID, let cell = cell(recipient.id) else {
            // No such actor (any more): each is a dead letter, as any envelope would be.
            for index in run { deliver(headers[index].envelope(in: bytes)) }
            return
        }
        let received = frame ?? ReceivedFrame(bytes: bytes, sender: sender)
        frame = received
        var mail: [Mail] = []
        mail.reserveCapacity(run.count)
        // Each field is read in place: a header is over a hundred bytes, and a copy counts its strings.
        for index in run {
            // An unregistered type is refused now: the mail holds the type, looked up once.
            guard let type = types.type(headers[index].typeName, in: messages) else {
                refuseUndecodable(headers[index].envelope(in: bytes), for: cell, EnsembleError.unknownMessageType(headers[index].typeName))
                continue
            }
            let charge = FramedMail.charge(payload: headers[index].payload.count, frameBytes: bytes.count, runCount: run.count)
            // The receiver passes on only tells whose sender is the frame's node.
            if let from = headers[index].sender, from.node == sender,
                let framed = FramedMail(frame: received, payload: headers[index].payload, type: type,
                                        senderID: from.id, correlationID: headers[index].correlationID, charge: charge)
            {
                mail.append(.framed(framed))
            } else {
                mail.append(.wire(headers[index].envelope(in: bytes)))
            }
        }
        deliver(&mail, to: cell)
    }

    /// Hands mail from the wire to `cell` at once, moving it out of `mail`: one lock for the run.
    func deliver(_ mail: inout [Mail], to cell: ActorCell) {
        guard let first = mail.first else { return }
        let taken = mail.count == 1 ? (cell.enqueue(first) ? 1 : 0) : cell.enqueue(moving: &mail)
        for refused in mail.dropFirst(taken) {
            switch refused {
            case .framed(let framed):
                mailboxRefused(recipient: cell.address, typeName: framed.typeName, sender: framed.sender)
            case .wire(let envelope):
                mailboxRefused(recipient: cell.address, typeName: envelope.typeName, sender: envelope.sender)
            case .local, .stop, .kill:
                break
            }
        }
    }
}
