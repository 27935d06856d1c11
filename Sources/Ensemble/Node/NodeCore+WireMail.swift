extension NodeCore {
    /// Mail of at most this many payload bytes is decoded as it arrives; larger payloads wait in
    /// the mailbox as their bytes and the actor decodes them one at a time. A payload can decode
    /// into many times its size (a repeated empty message is two bytes on the wire and a value in
    /// an array), and a mailbox bounds its mail by count and by payload bytes: decoded on arrival,
    /// a mailbox's 10,000 messages of at most 512 bytes each stay within a few megabytes of wire,
    /// whatever they decode into. The bench's tells and the encoder's requests are well below it.
    static let decodeOnArrivalBytes = 512

    /// Hands a run of a node's tells for one actor of this node (`run`: their indices in
    /// `headers`) to its mailbox, each message of at most `decodeOnArrivalBytes` decoded straight
    /// from the frame it came in (`decoder` remembers the last type's decoder).
    ///
    /// An `Envelope` per tell cost an object for its fields and a copy of its payload, both
    /// freed again once the actor had decoded it. The handler runs on the thread that read
    /// the mail anyway; what the mailbox keeps is the decoded message.
    func deliver(_ run: [Int], of headers: [EnvelopeHeader], in frame: [UInt8], decoder: inout RecentDecoder) {
        guard let first = run.first else { return }
        let recipient = headers[first].recipient
        guard recipient.node == nodeID, let cell = cell(recipient.id) else {
            // No such actor (any more): each is a dead letter, as any envelope would be.
            for index in run { deliver(headers[index].envelope(in: frame)) }
            return
        }
        var mail: [Mail] = []
        mail.reserveCapacity(run.count)
        for index in run {
            guard headers[index].payload.count <= Self.decodeOnArrivalBytes else {
                mail.append(.wire(headers[index].envelope(in: frame)))
                continue
            }
            let message: any Message
            do {
                message = try decoder.decode(headers[index].typeName, frame, in: headers[index].payload, with: messages)
            } catch {
                refuseUndecodable(headers[index].envelope(in: frame), for: cell, error)
                continue
            }
            let sender = headers[index].sender
            // A child's exit is told by the child: from anyone else it is a forgery. (The name is
            // checked first: most mail is no lifecycle message, and the type's lookup is a runtime call.)
            if headers[index].carriesLifecycleMessage, Swift.type(of: message) == ChildActorExited.self,
                (message as? ChildActorExited)?.child != sender
            {
                counters.add("lifecycleRefusals")
                continue
            }
            mail.append(.received(message, sender: sender ?? systemAddress, correlationID: headers[index].correlationID,
                                  wireBytes: headers[index].payload.count))
        }
        deliver(mail, to: cell)
    }

    /// Hands mail decoded from the wire to `cell` at once: one lock for the run.
    func deliver(_ mail: [Mail], to cell: ActorCell) {
        guard let first = mail.first else { return }
        let taken = mail.count == 1 ? (cell.enqueue(first) ? 1 : 0) : cell.enqueue(contentsOf: mail)
        for refused in mail[taken...] {
            switch refused {
            case .received(let message, let sender, _, _):
                mailboxRefused(recipient: cell.address, typeName: type(of: message).messageType, sender: sender)
            case .wire(let envelope):
                mailboxRefused(recipient: cell.address, typeName: envelope.typeName, sender: envelope.sender)
            case .local, .stop, .kill:
                break
            }
        }
    }
}
