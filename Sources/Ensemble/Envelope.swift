/// What an envelope carries, readable without decoding its payload.
public enum EnvelopeKind: UInt8, Sendable, Codable {
    /// A message for an actor (user or system message).
    case tell = 1
    /// A request to a node's system endpoint (join, create, status, ...).
    case control = 2
    /// The answer to a control request; matched by correlation id.
    case reply = 3
    /// A membership update on the leader's PUB channel.
    case update = 4
}

/// The unit of transfer between nodes and clients.
///
/// Binary layout (little-endian), so a node can route without touching the payload:
/// ```
/// magic 0xE5 | version u8 | kind u8 | flags u8 | total length u32 | correlation u64
/// [sender address] (flag 1) | recipient address | type name (u16 + UTF-8) | payload
/// address = host (u8 + UTF-8) | port u16 | incarnation u64 | id u64
/// ```
/// A ZeroMQ frame holds one or more envelopes back to back (a batch).
public struct Envelope: Sendable, Equatable {
    /// The wire protocol version this build speaks.
    public static let protocolVersion: UInt8 = 1
    static let magic: UInt8 = 0xE5
    static let headerSize = 16

    /// What the envelope carries.
    public var kind: EnvelopeKind
    /// Who sent it; `nil` for a client that its gateway has not named yet.
    public var sender: ActorAddress?
    /// Where it goes; id 0 is the node itself.
    public var recipient: ActorAddress
    /// The registered type name of the payload.
    public var typeName: String
    /// Matches a reply to its request; 0 when none.
    public var correlationID: UInt64
    /// The encoded message.
    public var payload: [UInt8]

    /// Creates an envelope.
    public init(
        kind: EnvelopeKind, sender: ActorAddress?, recipient: ActorAddress, typeName: String,
        correlationID: UInt64 = 0, payload: [UInt8]
    ) {
        self.kind = kind
        self.sender = sender
        self.recipient = recipient
        self.typeName = typeName
        self.correlationID = correlationID
        self.payload = payload
    }

    /// The kind byte of a version refusal, the one frame every protocol version must read.
    static let versionRefusalKind: UInt8 = 0xFF

    /// A frame refusing a peer that speaks another protocol version. Its layout
    /// is fixed for all versions: magic, the sender's version, 0xFF, 0, then
    /// UTF-8 text to the end, so any version can read why it was refused.
    public static func versionRefusal(_ text: String) -> [UInt8] {
        [magic, protocolVersion, versionRefusalKind, 0] + Array(text.utf8.prefix(4096))
    }

    /// The text of a version refusal frame (of any version), if `frame` is one.
    public static func parseVersionRefusal(_ frame: [UInt8]) -> String? {
        guard frame.count >= 4, frame[0] == magic, frame[2] == versionRefusalKind else { return nil }
        return String(decoding: frame[4...], as: UTF8.self)
    }

    /// Appends the encoded envelope to `writer`.
    func encode(into writer: inout ByteWriter) {
        let start = writer.bytes.count
        writer.write(Self.magic)
        writer.write(Self.protocolVersion)
        writer.write(kind.rawValue)
        writer.write(UInt8(sender == nil ? 0 : 1))
        writer.write(UInt32(0))  // patched below
        writer.write(correlationID)
        if let sender { Self.write(sender, into: &writer) }
        Self.write(recipient, into: &writer)
        writer.write(short: typeName)
        writer.write(contentsOf: payload)
        let length = UInt32(writer.bytes.count - start)
        for index in 0..<4 { writer.bytes[start + 4 + index] = UInt8(truncatingIfNeeded: length >> UInt32(8 * index)) }
    }

    /// The envelope alone in a frame.
    public func encoded() -> [UInt8] {
        var writer = ByteWriter(capacity: Self.headerSize + 64 + payload.count)
        encode(into: &writer)
        return writer.bytes
    }

    /// Several envelopes batched into one frame.
    public static func encodeBatch(_ envelopes: [Envelope]) -> [UInt8] {
        var writer = ByteWriter(capacity: envelopes.reduce(0) { $0 + 96 + $1.payload.count })
        for envelope in envelopes { envelope.encode(into: &writer) }
        return writer.bytes
    }

    /// Decodes every envelope in a frame; throws on the first malformed one.
    public static func decodeBatch(_ frame: [UInt8]) throws(WireError) -> [Envelope] {
        var envelopes: [Envelope] = []
        var offset = 0
        var lastHost: (bytes: [UInt8], string: String)?
        guard !frame.isEmpty else { throw .truncated }
        while offset < frame.count {
            let (envelope, next) = try decode(frame, at: offset, lastHost: &lastHost)
            envelopes.append(envelope)
            offset = next
        }
        return envelopes
    }

    /// Decodes one envelope at `offset`; returns it and where the next starts.
    static func decode(
        _ frame: [UInt8], at offset: Int, lastHost: inout (bytes: [UInt8], string: String)?
    ) throws(WireError) -> (Envelope, Int) {
        var header = ByteReader(frame, offset: offset)
        let magic = try header.readByte()
        guard magic == Self.magic else { throw .badMagic(magic) }
        let version = try header.readByte()
        guard version == Self.protocolVersion else { throw .unsupportedVersion(version) }
        let kindByte = try header.readByte()
        guard let kind = EnvelopeKind(rawValue: kindByte) else { throw .unknownKind(kindByte) }
        let flags = try header.readByte()
        guard flags & ~1 == 0 else { throw .malformed("unknown flags \(flags)") }
        let length = Int(try header.readUInt32())
        guard length >= Self.headerSize, length <= frame.count - offset else { throw .badLength }
        var reader = ByteReader(frame, offset: header.offset, end: offset + length)
        reader.lastHost = lastHost
        defer { lastHost = reader.lastHost }
        let correlationID = try reader.readUInt64()
        let sender = flags & 1 == 1 ? try readAddress(&reader) : nil
        let recipient = try readAddress(&reader)
        let typeName = try reader.readShortString()
        let payload = Array(try reader.readBytes(reader.remaining))
        let envelope = Envelope(
            kind: kind, sender: sender, recipient: recipient, typeName: typeName,
            correlationID: correlationID, payload: payload)
        return (envelope, offset + length)
    }

    static func write(_ address: ActorAddress, into writer: inout ByteWriter) {
        var host = address.node.address.host
        host.withUTF8 { utf8 in
            let count = min(utf8.count, 255)
            writer.write(UInt8(count))
            writer.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[..<count]))
        }
        writer.write(address.node.address.port)
        writer.write(address.node.incarnation)
        writer.write(address.id)
    }

    static func readAddress(_ reader: inout ByteReader) throws(WireError) -> ActorAddress {
        let hostLength = Int(try reader.readByte())
        let hostBytes = try reader.readBytes(hostLength)
        let host: String
        // A frame names the same few hosts again and again: reuse the last one's String.
        if let last = reader.lastHost, last.bytes.elementsEqual(hostBytes) {
            host = last.string
        } else {
            guard let decoded = String(validating: hostBytes, as: UTF8.self), !decoded.isEmpty else {
                throw .malformed("bad host")
            }
            host = decoded
            reader.lastHost = (Array(hostBytes), decoded)
        }
        let port = try reader.readUInt16()
        let incarnation = try reader.readUInt64()
        let id = try reader.readUInt64()
        return ActorAddress(node: NodeID(address: NodeAddress(host: host, port: port), incarnation: incarnation), id: id)
    }
}
