/// A message that writes itself in a hand-made binary layout, for the hot path.
///
/// Any `Message` travels as `Codable` in the compact binary payload format;
/// a type that also conforms to `WireMessage` skips `Codable` altogether and
/// costs a fraction of it. Write and read the fields in the same order.
///
/// ```swift
/// struct Ping: WireMessage {
///     var sequence: UInt64
///     func write(to writer: inout WireWriter) { writer.write(sequence) }
///     init(from reader: inout WireReader) throws { sequence = try reader.readUInt64() }
/// }
/// ```
public protocol WireMessage: Message {
    /// Appends the fields.
    func write(to writer: inout WireWriter)
    /// Reads the fields in the order `write(to:)` wrote them.
    init(from reader: inout WireReader) throws
}

/// Appends fields for a `WireMessage`.
public struct WireWriter {
    // Most payloads on the hot path are 100-250 bytes: one allocation, no regrowth while writing.
    var inner = ByteWriter(capacity: 256)

    /// The marker that tells a hand-written payload from a `Codable` one.
    static let marker: UInt8 = 0xFE

    init() { inner.write(Self.marker) }

    /// A UInt64, 8 bytes.
    public mutating func write(_ value: UInt64) { inner.write(value) }
    /// An Int, 8 bytes.
    public mutating func write(_ value: Int) { inner.write(UInt64(bitPattern: Int64(value))) }
    /// A Bool, 1 byte.
    public mutating func write(_ value: Bool) { inner.write(UInt8(value ? 1 : 0)) }
    /// A Double, 8 bytes.
    public mutating func write(_ value: Double) { inner.write(value.bitPattern) }
    /// A String: a 4-byte length, then its UTF-8.
    public mutating func write(_ value: String) {
        value.withUTF8Contents { utf8 in
            inner.reserve(4 + utf8.count)
            inner.write(UInt32(utf8.count))
            inner.bytes.append(contentsOf: utf8)
        }
    }
    /// An actor address.
    public mutating func write(_ value: ActorAddress) { Envelope.write(value, into: &inner) }
    // The generic writers and readers are inlinable: called from another module, an
    // unspecialized generic moves each value through its witness table (a third of the
    // cost of writing a report with an optional Double).

    /// An optional: a presence byte, then the value.
    @inlinable
    public mutating func write<T>(_ value: T?, _ body: (inout WireWriter, T) -> Void) {
        write(value != nil)
        if let value { body(&self, value) }
    }
    /// An array: a 4-byte count, then each element.
    @inlinable
    public mutating func write<T>(_ values: [T], _ body: (inout WireWriter, T) -> Void) {
        writeCount(values.count)
        for value in values { body(&self, value) }
    }
    @usableFromInline
    mutating func writeCount(_ count: Int) { inner.write(UInt32(count)) }
}

/// Reads fields for a `WireMessage`; every read is bounds-checked and throws `WireError`.
public struct WireReader {
    var inner: ByteReader

    init(_ bytes: [UInt8]) { inner = ByteReader(bytes, offset: 1) }

    /// Reads the payload that takes `range` of `frame` (its first byte the marker).
    init(_ frame: [UInt8], _ range: Range<Int>) { inner = ByteReader(frame, offset: range.lowerBound + 1, end: range.upperBound) }

    /// A UInt64.
    public mutating func readUInt64() throws -> UInt64 { try inner.readUInt64() }
    /// An Int.
    public mutating func readInt() throws -> Int { Int(Int64(bitPattern: try inner.readUInt64())) }
    /// A Bool.
    public mutating func readBool() throws -> Bool {
        switch try inner.readByte() {
        case 0: return false
        case 1: return true
        default: throw WireError.malformed("bad Bool")
        }
    }
    /// A Double.
    public mutating func readDouble() throws -> Double { Double(bitPattern: try inner.readUInt64()) }
    /// A String.
    public mutating func readString() throws -> String {
        let count = Int(try inner.readUInt32())
        guard let string = try inner.readUTF8(count) else { throw WireError.malformed("string is not UTF-8") }
        return string
    }
    /// An actor address.
    public mutating func readAddress() throws -> ActorAddress { try Envelope.readAddress(&inner) }
    /// An optional written with `write(_:_:)`.
    @inlinable
    public mutating func readOptional<T>(_ body: (inout WireReader) throws -> T) throws -> T? {
        try readBool() ? try body(&self) : nil
    }
    /// An array written with `write(_:_:)`; at most what the payload can hold.
    @inlinable
    public mutating func readArray<T>(_ body: (inout WireReader) throws -> T) throws -> [T] {
        let count = try readCount()
        var values: [T] = []
        // A count is only checked against the bytes left, one per element, while an element
        // may take 32 bytes of memory: reserving it all would let a 16 MiB frame ask for 512 MiB.
        values.reserveCapacity(Swift.min(count, 1024))
        for _ in 0..<count { values.append(try body(&self)) }
        return values
    }
    /// An array's count, checked against the bytes left (each element takes at least one).
    @usableFromInline
    mutating func readCount() throws -> Int {
        let count = Int(try inner.readUInt32())
        guard count <= inner.remaining else { throw WireError.badLength }
        return count
    }
    /// Whether every byte was read.
    var isAtEnd: Bool { inner.remaining == 0 }
}
