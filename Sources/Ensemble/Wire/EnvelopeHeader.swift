/// An envelope read from a frame with its payload left there: what a node checks before it
/// takes an envelope (who sent it, to whom, what it carries), without the allocations of an
/// `Envelope` (its fields' object and a copy of the payload).
///
/// A node's mail for its own actors is decoded straight from the frame (`payload` is the
/// range the payload takes in it); anything else becomes an `Envelope` (`envelope(in:)`).
struct EnvelopeHeader: Sendable {
    var kind: EnvelopeKind
    var sender: ActorAddress?
    var recipient: ActorAddress
    var typeName: String
    var correlationID: UInt64
    /// Where the payload lies in the frame the header was read from.
    var payload: Range<Int>

    /// Whether the payload is one of the runtime's lifecycle messages (by its type name).
    var carriesLifecycleMessage: Bool { SystemMessages.isLifecycle(typeName) }

    /// The envelope, its payload copied out of `frame` (the frame it was read from).
    func envelope(in frame: [UInt8]) -> Envelope {
        Envelope(kind: kind, sender: sender, recipient: recipient, typeName: typeName,
                 correlationID: correlationID, payload: Array(frame[payload]))
    }

    /// Reads every envelope's header in a frame; throws on the first malformed one, as
    /// `Envelope.decodeBatch` does.
    static func decodeBatch(_ frame: [UInt8]) throws(WireError) -> [EnvelopeHeader] {
        guard !frame.isEmpty else { throw .truncated }
        var headers: [EnvelopeHeader] = []
        // Counted first (each envelope's length is at a fixed place): growing the array as it
        // fills copied a frame's headers about twice over (callgrind: 180 instructions a tell).
        // (Bounded: a hostile frame's made-up lengths reserve no more than a full batch's worth.)
        headers.reserveCapacity(min(Self.count(in: frame), 4096))
        var reader = ByteReader(frame)
        var last: Addressing?
        while reader.offset < frame.count { headers.append(try decode(&reader, after: &last)) }
        return headers
    }

    /// An envelope's sender, recipient and type name as read, and where their bytes lay in the
    /// frame: the next envelope of a stream between two actors spells them again byte for byte,
    /// and is then read with one comparison instead of two addresses and a name (about 600
    /// instructions a tell). Identical bytes, checked when they were first read, read the same.
    struct Addressing {
        let bytes: Range<Int>
        let sender: ActorAddress?
        let recipient: ActorAddress
        let typeName: String
    }

    /// How many envelopes the frame's length fields say it holds (at most); what they say is
    /// checked when each is read.
    static func count(in frame: [UInt8]) -> Int {
        frame.withUnsafeBytes { bytes in
            var offset = 0
            var count = 0
            while offset + headerLengthEnd <= bytes.count {
                let length = Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self)))
                guard length >= Envelope.headerSize else { break }
                count += 1
                offset += length
            }
            return count
        }
    }

    /// Where an envelope's length field ends (magic, version, kind, flags, then the u32 length).
    private static let headerLengthEnd = 8

    /// Reads the envelope at the reader's offset and leaves the reader after it; `last` is the
    /// addressing of the envelope before it in the frame, and becomes this one's.
    static func decode(_ reader: inout ByteReader, after last: inout Addressing?) throws(WireError) -> EnvelopeHeader {
        let start = reader.offset
        let frameEnd = reader.end
        // The fixed part (magic, version, kind, flags, length; the correlation id) in two loads,
        // checked in the order its bytes come: a short frame fails where its bytes end.
        let (fixed, correlationID, available) = reader.peekTwoWords()
        func byte(_ index: Int) throws(WireError) -> UInt8 {
            guard available > index else { throw .truncated }
            return UInt8(truncatingIfNeeded: fixed >> (8 * index))
        }
        let magic = try byte(0)
        guard magic == Envelope.magic else { throw .badMagic(magic) }
        let version = try byte(1)
        guard version == Envelope.protocolVersion else { throw .unsupportedVersion(version) }
        let kindByte = try byte(2)
        guard let kind = EnvelopeKind(rawValue: kindByte) else { throw .unknownKind(kindByte) }
        let flags = try byte(3)
        guard flags & ~1 == 0 else { throw .malformed("unknown flags \(flags)") }
        guard available >= 8 else { throw .truncated }
        let length = Int(fixed >> 32)
        // At least the fixed part, and within the frame: all 16 bytes were there.
        guard length >= Envelope.headerSize, length <= frameEnd - start else { throw .badLength }
        try reader.skip(Envelope.headerSize)
        reader.end = start + length
        defer { reader.end = frameEnd }
        let addressingStart = reader.offset
        if let repeated = last, (flags & 1 == 1) == (repeated.sender != nil), reader.remaining >= repeated.bytes.count,
            RecentWireText.equal(repeated.bytes, addressingStart..<addressingStart + repeated.bytes.count, in: reader.bytes)
        {
            try reader.skip(repeated.bytes.count)
            let payloadStart = reader.offset
            try reader.skip(reader.remaining)
            return EnvelopeHeader(kind: kind, sender: repeated.sender, recipient: repeated.recipient, typeName: repeated.typeName,
                                  correlationID: correlationID, payload: payloadStart..<reader.offset)
        }
        let sender = flags & 1 == 1 ? try Envelope.readAddress(&reader) : nil
        let recipient = try Envelope.readAddress(&reader)
        let typeName = try reader.readTypeName()
        last = Addressing(bytes: addressingStart..<reader.offset, sender: sender, recipient: recipient, typeName: typeName)
        let payloadStart = reader.offset
        try reader.skip(reader.remaining)
        return EnvelopeHeader(kind: kind, sender: sender, recipient: recipient, typeName: typeName,
                              correlationID: correlationID, payload: payloadStart..<reader.offset)
    }
}
