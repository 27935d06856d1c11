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
        while reader.offset < frame.count { headers.append(try decode(&reader)) }
        return headers
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

    /// Reads the envelope at the reader's offset and leaves the reader after it.
    static func decode(_ reader: inout ByteReader) throws(WireError) -> EnvelopeHeader {
        let start = reader.offset
        let frameEnd = reader.end
        let magic = try reader.readByte()
        guard magic == Envelope.magic else { throw .badMagic(magic) }
        let version = try reader.readByte()
        guard version == Envelope.protocolVersion else { throw .unsupportedVersion(version) }
        let kindByte = try reader.readByte()
        guard let kind = EnvelopeKind(rawValue: kindByte) else { throw .unknownKind(kindByte) }
        let flags = try reader.readByte()
        guard flags & ~1 == 0 else { throw .malformed("unknown flags \(flags)") }
        let length = Int(try reader.readUInt32())
        guard length >= Envelope.headerSize, length <= frameEnd - start else { throw .badLength }
        reader.end = start + length
        defer { reader.end = frameEnd }
        let correlationID = try reader.readUInt64()
        let sender = flags & 1 == 1 ? try Envelope.readAddress(&reader) : nil
        let recipient = try Envelope.readAddress(&reader)
        let typeName = try reader.readTypeName()
        let payloadStart = reader.offset
        try reader.skip(reader.remaining)
        return EnvelopeHeader(kind: kind, sender: sender, recipient: recipient, typeName: typeName,
                              correlationID: correlationID, payload: payloadStart..<reader.offset)
    }
}
