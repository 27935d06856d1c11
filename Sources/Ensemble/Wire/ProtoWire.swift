/// Writes the proto3 binary encoding field by field, for a message on a hot path whose
/// generated code is too slow there (SwiftProtobuf sizes each nested message, then walks
/// every field through a generic visitor). Fields must be written in field-number order and
/// with the schema's types; zero values are left out, as proto3 does, so the bytes are the
/// ones the generated code writes (tests compare the two).
///
/// Inlinable: an application's codec is specialized where it is written, with no call per field.
public struct ProtoWriter {
    @usableFromInline var storage: [UInt8]

    /// The bytes written so far.
    @inlinable public var bytes: [UInt8] { storage }

    /// An empty message, with room for `capacity` bytes.
    @inlinable
    public init(capacity: Int = 256) {
        storage = []
        storage.reserveCapacity(capacity)
    }

    @inlinable @inline(__always)
    mutating func varint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            storage.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        storage.append(UInt8(value))
    }

    @inlinable @inline(__always)
    mutating func tag(_ field: Int, _ wireType: UInt8) { varint(UInt64(field) << 3 | UInt64(wireType)) }

    /// A `string` field (left out when empty).
    @inlinable
    public mutating func string(_ field: Int, _ value: String) {
        guard !value.isEmpty else { return }
        element(field, value)
    }

    /// One element of a `repeated string` field (written even when empty).
    @inlinable
    public mutating func element(_ field: Int, _ value: String) {
        value.withUTF8Contents { utf8 in
            tag(field, 2)
            varint(UInt64(utf8.count))
            storage.append(contentsOf: utf8)
        }
    }

    /// A `uint64` or `uint32` field (left out when 0).
    @inlinable
    public mutating func uint(_ field: Int, _ value: UInt64) {
        guard value != 0 else { return }
        tag(field, 0)
        varint(value)
    }

    /// An `optional double` field, written when present (even when 0).
    @inlinable
    public mutating func double(_ field: Int, _ value: Double?) {
        guard let value else { return }
        tag(field, 1)
        withUnsafeBytes(of: value.bitPattern.littleEndian) { storage.append(contentsOf: $0) }
    }

    /// A message field written by `other` (set, so written even when empty).
    @inlinable
    public mutating func message(_ field: Int, _ other: ProtoWriter) {
        tag(field, 2)
        varint(UInt64(other.storage.count))
        storage.append(contentsOf: other.storage)
    }

    /// An `ensemble.v2.ActorAddress` message field, from the runtime's address (the host is
    /// never empty there). Its length is worked out first, so it is written in one pass.
    @inlinable
    public mutating func address(_ field: Int, _ address: ActorAddress) {
        address.node.address.host.withUTF8Contents { utf8 in
            let port = UInt64(address.node.address.port), incarnation = address.node.incarnation, id = address.id
            var length = 0
            if !utf8.isEmpty { length += 1 + Self.size(UInt64(utf8.count)) + utf8.count }
            if port != 0 { length += 1 + Self.size(port) }
            if incarnation != 0 { length += 1 + Self.size(incarnation) }
            if id != 0 { length += 1 + Self.size(id) }
            tag(field, 2)
            varint(UInt64(length))
            if !utf8.isEmpty {
                tag(1, 2)
                varint(UInt64(utf8.count))
                storage.append(contentsOf: utf8)
            }
            uint(2, port)
            uint(3, incarnation)
            uint(4, id)
        }
    }

    /// How many bytes `value` takes as a varint.
    @inlinable @inline(__always)
    static func size(_ value: UInt64) -> Int { max(1, (64 - value.leadingZeroBitCount + 6) / 7) }

    /// Bytes already encoded (fields kept from a newer schema): last, as the generated code writes them.
    @inlinable
    public mutating func raw(_ data: [UInt8]) {
        if !data.isEmpty { storage.append(contentsOf: data) }
    }
}

/// Reads the proto3 binary encoding field by field: the other half of `ProtoWriter`. It takes
/// only what it is sure of and gives up (nil) on anything else (a field number or wire type it
/// was not told of, a repeated message field, bytes that are not UTF-8, a truncated value), so
/// its caller falls back to the generated decoder, which has the final word.
public struct ProtoReader {
    @usableFromInline let bytes: [UInt8]
    @usableFromInline var offset: Int
    @usableFromInline let end: Int
    /// Set once a tag could not be read: the message is not read to its end.
    @usableFromInline var broken = false

    /// A reader of one message's bytes.
    @inlinable
    public init(_ bytes: [UInt8]) { self.init(bytes, from: 0, to: bytes.count) }

    /// A reader of the message in `bytes[start..<end]` (a nested one), sharing their storage.
    @inlinable
    init(_ bytes: [UInt8], from start: Int, to end: Int) {
        self.bytes = bytes
        offset = start
        self.end = end
    }

    /// Whether every byte was read, each as part of a well-formed field.
    @inlinable public var isAtEnd: Bool { offset == end && !broken }

    @inlinable @inline(__always)
    mutating func varint() -> UInt64? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while offset < end, shift < 64 {
            let byte = bytes[offset]
            offset += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return shift == 63 && byte > 1 ? nil : value }
            shift += 7
        }
        return nil
    }

    /// The next field's number and wire type; nil at the end, or on a malformed tag (after
    /// which `isAtEnd` is false).
    @inlinable
    public mutating func field() -> (number: Int, wireType: UInt8)? {
        guard offset < end, !broken else { return nil }
        guard let key = varint(), key >> 3 > 0, key >> 3 <= UInt64(Int32.max) else {
            broken = true
            return nil
        }
        return (Int(key >> 3), UInt8(key & 7))
    }

    /// A varint value (wire type 0).
    @inlinable public mutating func uint() -> UInt64? { varint() }

    /// A `uint32` value: nil past 32 bits, which the generated decoder would truncate.
    @inlinable public mutating func uint32() -> UInt32? { varint().flatMap { UInt32(exactly: $0) } }

    /// A fixed 64-bit value read as a double (wire type 1).
    @inlinable
    public mutating func double() -> Double? {
        guard end - offset >= 8 else { return nil }
        var bits: UInt64 = 0
        for index in 0..<8 { bits |= UInt64(bytes[offset + index]) << (8 * UInt64(index)) }
        offset += 8
        return Double(bitPattern: bits)
    }

    /// A length-delimited value's bounds (wire type 2).
    @inlinable
    mutating func lengthDelimited() -> Range<Int>? {
        guard let length = varint(), length <= UInt64(end - offset) else { return nil }
        defer { offset += Int(length) }
        return offset..<offset + Int(length)
    }

    /// A string (wire type 2), nil unless valid UTF-8.
    ///
    /// Not `String(validating:as:)`: it is generic code the standard library does not
    /// specialize, which looked up type metadata at every call (3 µs per encode request).
    @inlinable
    public mutating func string() -> String? {
        guard let range = lengthDelimited() else { return nil }
        return bytes.withUnsafeBufferPointer { buffer in
            let utf8 = UnsafeBufferPointer(rebasing: buffer[range])
            let string = String(decoding: utf8, as: UTF8.self)
            // ASCII, the usual text, is valid as it is.
            var ascii: UInt8 = 0
            for byte in utf8 { ascii |= byte }
            if ascii < 0x80 { return string }
            // Decoding repairs what is not UTF-8: the bytes differ then, and nothing is taken.
            var copy = string
            let same = copy.withUTF8 { decoded in
                decoded.count == utf8.count && decoded.elementsEqual(utf8)
            }
            return same ? string : nil
        }
    }

    /// A nested message (wire type 2), to read with a reader of its own.
    @inlinable
    public mutating func message() -> ProtoReader? {
        guard let range = lengthDelimited() else { return nil }
        return ProtoReader(bytes, from: range.lowerBound, to: range.upperBound)
    }

    /// An `ensemble.v2.ActorAddress` message (wire type 2) as the runtime's address; nil when
    /// it holds anything else than the four fields, or an address the runtime refuses
    /// (`ProtoCheck`, as `ActorAddress(proto:)` does).
    @inlinable
    public mutating func actorAddress() -> ActorAddress? {
        guard var inner = message() else { return nil }
        var host = "", port: UInt32 = 0, incarnation: UInt64 = 0, id: UInt64 = 0
        while let (number, wireType) = inner.field() {
            switch (number, wireType) {
            case (1, 2): guard let value = inner.string() else { return nil }; host = value
            case (2, 0): guard let value = inner.uint32() else { return nil }; port = value
            case (3, 0): guard let value = inner.uint() else { return nil }; incarnation = value
            case (4, 0): guard let value = inner.uint() else { return nil }; id = value
            default: return nil
            }
        }
        guard inner.isAtEnd, let host = try? ProtoCheck.host(host), let port = try? ProtoCheck.port(port) else { return nil }
        return ActorAddress(node: NodeID(address: NodeAddress(host: host, port: port), incarnation: incarnation), id: id)
    }
}
