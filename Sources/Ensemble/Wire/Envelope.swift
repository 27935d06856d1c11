/// What an envelope carries, readable without decoding its payload.
public enum EnvelopeKind: UInt8, Sendable, Codable {
    /// A message for an actor (user or system message).
    case tell = 1
    /// A request to a node's system endpoint (join, create, status, ...).
    case control = 2
    /// The answer to a control request; matched by correlation id.
    case reply = 3
    /// A membership update or heartbeat of the leader's, to every member.
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
    public static let protocolVersion: UInt8 = 2
    static let magic: UInt8 = 0xE5
    static let headerSize = 16

    /// The fields, kept in one immutable object: an envelope is copied at every
    /// hand-off (command queue, routing, mailbox, batch), and a copy is then one
    /// reference count instead of one per string and array in it. The rare change
    /// of a field (a gateway naming a client's sender) makes a new object.
    private final class Fields: Sendable {
        let values: Values
        init(_ values: Values) { self.values = values }
    }

    private struct Values: Equatable {
        var kind: EnvelopeKind
        var sender: ActorAddress?
        var recipient: ActorAddress
        var typeName: String
        var correlationID: UInt64
        var payload: [UInt8]
    }

    private var fields: Fields

    private mutating func change(_ body: (inout Values) -> Void) {
        var values = fields.values
        body(&values)
        fields = Fields(values)
    }

    /// What the envelope carries.
    public var kind: EnvelopeKind {
        get { fields.values.kind }
        set { change { $0.kind = newValue } }
    }
    /// Who sent it; `nil` for a client that its gateway has not named yet.
    public var sender: ActorAddress? {
        get { fields.values.sender }
        set { change { $0.sender = newValue } }
    }
    /// Where it goes; id 0 is the node itself.
    public var recipient: ActorAddress {
        get { fields.values.recipient }
        set { change { $0.recipient = newValue } }
    }
    /// The registered type name of the payload.
    public var typeName: String {
        get { fields.values.typeName }
        set { change { $0.typeName = newValue } }
    }
    /// Matches a reply to its request; 0 when none.
    public var correlationID: UInt64 {
        get { fields.values.correlationID }
        set { change { $0.correlationID = newValue } }
    }
    /// The encoded message.
    public var payload: [UInt8] {
        get { fields.values.payload }
        set { change { $0.payload = newValue } }
    }

    /// The payload's size in bytes, read without taking a reference to the payload.
    var payloadCount: Int { fields.values.payload.count }

    /// Calls `body` with the payload's bytes where they lie: through `payload`, the array was
    /// copied out first, a retain and a release (atomic operations) per envelope written.
    func withPayloadBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try fields.values.payload.withUnsafeBytes(body)
    }

    /// Whether the payload is one of the runtime's lifecycle messages, read without copying the type name.
    var carriesLifecycleMessage: Bool { SystemMessages.isLifecycle(fields.values.typeName) }

    /// Creates an envelope.
    public init(
        kind: EnvelopeKind, sender: ActorAddress?, recipient: ActorAddress, typeName: String,
        correlationID: UInt64 = 0, payload: [UInt8]
    ) {
        fields = Fields(Values(
            kind: kind, sender: sender, recipient: recipient, typeName: typeName,
            correlationID: correlationID, payload: payload))
    }

    public static func == (lhs: Envelope, rhs: Envelope) -> Bool {
        lhs.fields === rhs.fields || lhs.fields.values == rhs.fields.values
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

    /// Decodes every envelope in a frame; throws on the first malformed one.
    public static func decodeBatch(_ frame: [UInt8]) throws(WireError) -> [Envelope] {
        try EnvelopeHeader.decodeBatch(frame).map { $0.envelope(in: frame) }
    }

    static func write(_ address: ActorAddress, into writer: inout ByteWriter) {
        address.node.address.host.withUTF8Contents { utf8 in
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
        // The node's part (host, port, incarnation) spelled as one of the last two was: the same
        // life (a frame's envelopes name their sender's and recipient's again and again).
        let node = reader.offset..<reader.offset + hostLength + 10
        if reader.remaining >= node.count + 8, let known = reader.recent.node(spelledAt: node, in: reader.bytes) {
            try reader.skip(node.count)
            return ActorAddress(node: known, id: try reader.readUInt64())
        }
        let hostBytes = try reader.readBytes(hostLength)
        guard let host = reader.recent.host(hostBytes), !host.isEmpty else { throw .malformed("bad host") }
        let port = try reader.readUInt16()
        let incarnation = try reader.readUInt64()
        let life = NodeID(address: NodeAddress(host: host, port: port), incarnation: incarnation)
        reader.recent.remember(life, spelledAt: node)
        let id = try reader.readUInt64()
        return ActorAddress(node: life, id: id)
    }
}
