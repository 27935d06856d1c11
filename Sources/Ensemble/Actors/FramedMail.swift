/// A frame another node sent, kept while mail in a mailbox still reads from it.
///
/// One object per frame, whatever number of tells it brought: every envelope in a node's
/// frame names that node as its sender (the receiver drops any other), so the life is kept
/// here once instead of once per message.
final class ReceivedFrame: Sendable {
    /// The frame's bytes, as read from the socket.
    let bytes: [UInt8]
    /// The node life that sent it: the sender of every piece of mail taken from it.
    let sender: NodeID

    init(bytes: [UInt8], sender: NodeID) {
        self.bytes = bytes
        self.sender = sender
    }
}

/// A tell from another node, left in its frame until its actor takes it.
///
/// The message is decoded when the actor takes the mail, one at a time on the thread that
/// runs the handler, and freed when the handler returns: decoded as the frame was read, a
/// frame's thousand messages were a thousand allocations made together and freed together,
/// more than the allocator's per-thread cache holds, so nearly every one took its slow path.
/// The mail itself allocates nothing and holds one reference, the frame's: a copy (into the
/// mailbox, out of a batch) is one reference count (a type name kept beside it made each copy
/// and destruction of mail a call through its value witnesses, 300 instructions a tell).
struct FramedMail: Sendable {
    /// The frame the payload lies in.
    let frame: ReceivedFrame
    /// The payload's registered type (looked up as the frame was read: a metatype, not counted).
    let type: any Message.Type
    /// The sender's actor id in the frame's sender life.
    let senderID: UInt64
    /// Matches a reply to its request; 0 when none.
    let correlationID: UInt64
    private let payloadStart: UInt32
    private let payloadEnd: UInt32
    /// The bytes the mailbox counts for it: its share of the frame it keeps alive.
    let charge: UInt32

    /// Mail for the payload at `payload` in `frame`; nil when the frame is too large to
    /// index with 32 bits (a node's frames are far smaller: `NodeConfiguration.maxMessageSize`).
    init?(frame: ReceivedFrame, payload: Range<Int>, type: any Message.Type, senderID: UInt64, correlationID: UInt64, charge: Int) {
        guard frame.bytes.count <= UInt32.max, charge <= UInt32.max else { return nil }
        self.frame = frame
        self.type = type
        self.senderID = senderID
        self.correlationID = correlationID
        payloadStart = UInt32(payload.lowerBound)
        payloadEnd = UInt32(payload.upperBound)
        self.charge = UInt32(charge)
    }

    /// Where the payload lies in the frame's bytes.
    var payload: Range<Int> { Int(payloadStart)..<Int(payloadEnd) }

    /// The registered type name of the payload (the name it came under).
    var typeName: String { type.messageType }

    /// The message, decoded from the frame.
    func decode() throws -> any Message { try MessageRegistry.decode(type, typeName, frame.bytes, in: payload) }

    /// Who sent it.
    var sender: ActorAddress { ActorAddress(node: frame.sender, id: senderID) }

    /// The envelope it came in, its payload copied out (for a dead letter or a refusal).
    func envelope(to recipient: ActorAddress) -> Envelope {
        Envelope(kind: .tell, sender: sender, recipient: recipient, typeName: typeName, correlationID: correlationID,
                 payload: Array(frame.bytes[payload]))
    }

    /// What each tell of a run of `runCount` from a frame of `frameBytes` is charged: together
    /// the run is charged the whole frame, which it may keep alive alone, and no tell less
    /// than its own payload.
    static func charge(payload: Int, frameBytes: Int, runCount: Int) -> Int {
        max(payload, (frameBytes + runCount - 1) / max(runCount, 1))
    }
}
