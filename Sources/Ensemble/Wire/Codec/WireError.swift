/// Why bytes received from the wire were rejected.
public enum WireError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The input ended before a field did.
    case truncated
    /// The first byte is not the envelope magic.
    case badMagic(UInt8)
    /// The sender speaks another protocol version.
    case unsupportedVersion(UInt8)
    /// The kind byte names no known envelope kind.
    case unknownKind(UInt8)
    /// A declared length is inconsistent with the data.
    case badLength
    /// A string field is not valid UTF-8 or a field value is out of range.
    case malformed(String)

    public var description: String {
        switch self {
        case .truncated: return "truncated envelope"
        case .badMagic(let byte): return "not an Ensemble envelope (first byte \(byte))"
        case .unsupportedVersion(let version):
            return "protocol version \(version) is not supported (this node speaks \(Envelope.protocolVersion))"
        case .unknownKind(let kind): return "unknown envelope kind \(kind)"
        case .badLength: return "inconsistent envelope length"
        case .malformed(let what): return "malformed envelope: \(what)"
        }
    }
}

/// Appends little-endian binary fields to a byte array.
struct ByteWriter {
    var bytes: [UInt8] = []

    init(capacity: Int = 128) { bytes.reserveCapacity(capacity) }

    mutating func write(_ value: UInt8) { bytes.append(value) }

    /// Room for `count` more bytes, grown at least twofold (a long string's one
    /// reservation instead of a reallocation per doubling while it is appended).
    mutating func reserve(_ count: Int) {
        let needed = bytes.count + count
        if needed > bytes.capacity { bytes.reserveCapacity(max(needed, bytes.capacity * 2)) }
    }

    mutating func write(_ value: UInt16) {
        bytes.append(UInt8(truncatingIfNeeded: value))
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
    }

    mutating func write(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func write(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

}

/// Reads little-endian binary fields, throwing `WireError` instead of trapping.
struct ByteReader {
    let bytes: [UInt8]
    private(set) var offset: Int
    /// Where reading stops: the end of the bytes, or of the envelope being read.
    var end: Int
    /// Strings decoded lately, reused while the frame names them again.
    var recent = RecentWireText()

    init(_ bytes: [UInt8], offset: Int = 0, end: Int? = nil) {
        self.bytes = bytes
        self.offset = offset
        self.end = end ?? bytes.count
    }

    var remaining: Int { end - offset }

    mutating func readByte() throws(WireError) -> UInt8 {
        guard remaining >= 1 else { throw .truncated }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func readUInt16() throws(WireError) -> UInt16 {
        guard remaining >= 2 else { throw .truncated }
        defer { offset += 2 }
        return UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8
    }

    mutating func readUInt32() throws(WireError) -> UInt32 {
        guard remaining >= 4 else { throw .truncated }
        defer { offset += 4 }
        return UInt32(littleEndian: bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: UInt32.self) })
    }

    mutating func readUInt64() throws(WireError) -> UInt64 {
        guard remaining >= 8 else { throw .truncated }
        defer { offset += 8 }
        return UInt64(littleEndian: bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: UInt64.self) })
    }

    mutating func readBytes(_ count: Int) throws(WireError) -> ArraySlice<UInt8> {
        guard count >= 0, remaining >= count else { throw .truncated }
        defer { offset += count }
        return bytes[offset..<offset + count]
    }

    /// The next 16 bytes as two little-endian words without reading past them, zero where
    /// fewer remain, and how many remain (at most 16).
    func peekTwoWords() -> (UInt64, UInt64, available: Int) {
        let available = min(remaining, 16)
        return bytes.withUnsafeBytes { raw in
            if available == 16 {
                return (UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)),
                        UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self)), 16)
            }
            var words: (UInt64, UInt64) = (0, 0)
            withUnsafeMutableBytes(of: &words) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[offset..<offset + available])) }
            return (UInt64(littleEndian: words.0), UInt64(littleEndian: words.1), available)
        }
    }

    /// The next `count` bytes as a String; nil when they are not UTF-8. Read in place: a slice of
    /// the bytes would count a reference to them.
    mutating func readUTF8(_ count: Int) throws(WireError) -> String? {
        guard count >= 0, remaining >= count else { throw .truncated }
        defer { offset += count }
        return bytes.withUnsafeBufferPointer { String(wireUTF8: UnsafeBufferPointer(rebasing: $0[offset..<offset + count])) }
    }

    /// Moves past `count` bytes without reading them.
    mutating func skip(_ count: Int) throws(WireError) {
        guard count >= 0, remaining >= count else { throw .truncated }
        offset += count
    }

    /// A type name; the same name as the envelope before it costs no decoding.
    mutating func readTypeName() throws(WireError) -> String {
        let count = Int(try readUInt16())
        let slice = try readBytes(count)
        guard let string = recent.typeName(slice) else { throw .malformed("string is not UTF-8") }
        return string
    }
}
