#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes the proto3 binary encoding field by field, for a message on a hot path whose
/// generated code is too slow there (SwiftProtobuf sizes each nested message, then walks
/// every field through a generic visitor). Fields must be written in field-number order and
/// with the schema's types; zero values are left out, as proto3 does, so the bytes are the
/// ones the generated code writes (tests compare the two).
public struct ProtoWriter {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8]

    /// An empty message, with room for `capacity` bytes.
    public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    @inline(__always)
    mutating func varint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    @inline(__always)
    mutating func tag(_ field: Int, _ wireType: UInt8) { varint(UInt64(field) << 3 | UInt64(wireType)) }

    /// A `string` field (left out when empty).
    public mutating func string(_ field: Int, _ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            guard !utf8.isEmpty else { return }
            tag(field, 2)
            varint(UInt64(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    /// A `uint64` or `uint32` field (left out when 0).
    public mutating func uint(_ field: Int, _ value: UInt64) {
        guard value != 0 else { return }
        tag(field, 0)
        varint(value)
    }

    /// An `optional double` field, written when present (even when 0).
    public mutating func double(_ field: Int, _ value: Double?) {
        guard let value else { return }
        tag(field, 1)
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// An `ensemble.v2.ActorAddress` message field (set, so written even when its own fields
    /// are all zero). Its length is worked out first, so it is written in one pass.
    public mutating func address(_ field: Int, _ address: Ensemble_V2_ActorAddress) {
        var host = address.host
        let hostLength = host.withUTF8 { $0.count }
        var length = 0
        if hostLength > 0 { length += 1 + Self.size(UInt64(hostLength)) + hostLength }
        if address.port != 0 { length += 1 + Self.size(UInt64(address.port)) }
        if address.incarnation != 0 { length += 1 + Self.size(address.incarnation) }
        if address.id != 0 { length += 1 + Self.size(address.id) }
        let unknown = address.unknownFields.data
        length += unknown.count
        tag(field, 2)
        varint(UInt64(length))
        string(1, host)
        uint(2, UInt64(address.port))
        uint(3, address.incarnation)
        uint(4, address.id)
        if !unknown.isEmpty { bytes.append(contentsOf: unknown) }
    }

    /// How many bytes `value` takes as a varint.
    @inline(__always)
    static func size(_ value: UInt64) -> Int { max(1, (64 - value.leadingZeroBitCount + 6) / 7) }

    /// Fields kept from a newer schema (`unknownFields.data` of a generated message): last, as
    /// the generated code writes them.
    public mutating func raw(_ data: Data) {
        if !data.isEmpty { bytes.append(contentsOf: data) }
    }
}

/// Reads the proto3 binary encoding field by field: the other half of `ProtoWriter`. It takes
/// only what it is sure of and gives up (nil) on anything else (a field number or wire type it
/// was not told of, a repeated message field, bytes that are not UTF-8, a truncated value), so
/// its caller falls back to the generated decoder, which has the final word.
public struct ProtoReader {
    private let bytes: [UInt8]
    private var offset: Int
    private let end: Int
    /// Set once a tag could not be read: the message is not read to its end.
    private var broken = false

    /// A reader of one message's bytes.
    public init(_ bytes: [UInt8]) { self.init(bytes, from: 0, to: bytes.count) }

    /// A reader of the message in `bytes[start..<end]` (a nested one), sharing their storage.
    private init(_ bytes: [UInt8], from start: Int, to end: Int) {
        self.bytes = bytes
        offset = start
        self.end = end
    }

    /// Whether every byte was read, each as part of a well-formed field.
    public var isAtEnd: Bool { offset == end && !broken }

    @inline(__always)
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
    public mutating func field() -> (number: Int, wireType: UInt8)? {
        guard offset < end, !broken else { return nil }
        guard let key = varint(), key >> 3 > 0, key >> 3 <= UInt64(Int32.max) else {
            broken = true
            return nil
        }
        return (Int(key >> 3), UInt8(key & 7))
    }

    /// A varint value (wire type 0).
    public mutating func uint() -> UInt64? { varint() }

    /// A `uint32` value: nil past 32 bits, which the generated decoder would truncate.
    public mutating func uint32() -> UInt32? { varint().flatMap { UInt32(exactly: $0) } }

    /// A fixed 64-bit value read as a double (wire type 1).
    public mutating func double() -> Double? {
        guard end - offset >= 8 else { return nil }
        var bits: UInt64 = 0
        for index in 0..<8 { bits |= UInt64(bytes[offset + index]) << (8 * UInt64(index)) }
        offset += 8
        return Double(bitPattern: bits)
    }

    /// A length-delimited value's bounds (wire type 2).
    mutating func lengthDelimited() -> Range<Int>? {
        guard let length = varint(), length <= UInt64(end - offset) else { return nil }
        defer { offset += Int(length) }
        return offset..<offset + Int(length)
    }

    /// A string (wire type 2), nil unless valid UTF-8.
    public mutating func string() -> String? {
        guard let range = lengthDelimited() else { return nil }
        return bytes.withUnsafeBufferPointer { buffer in
            let utf8 = UnsafeBufferPointer(rebasing: buffer[range])
            // Decoding repairs what is not UTF-8: the bytes differ then, and nothing is taken.
            let string = String(decoding: utf8, as: UTF8.self)
            var copy = string
            let same = copy.withUTF8 { decoded in
                decoded.count == utf8.count && (utf8.isEmpty || memcmp(decoded.baseAddress!, utf8.baseAddress!, utf8.count) == 0)
            }
            return same ? string : nil
        }
    }

    /// An `ensemble.v2.ActorAddress` message (wire type 2), exactly as the generated decoder
    /// reads one; nil when it holds anything else than the four fields.
    public mutating func address() -> Ensemble_V2_ActorAddress? {
        guard let range = lengthDelimited() else { return nil }
        var inner = ProtoReader(bytes, from: range.lowerBound, to: range.upperBound)
        var address = Ensemble_V2_ActorAddress()
        while let (number, wireType) = inner.field() {
            switch (number, wireType) {
            case (1, 2): guard let value = inner.string() else { return nil }; address.host = value
            case (2, 0): guard let value = inner.uint32() else { return nil }; address.port = value
            case (3, 0): guard let value = inner.uint() else { return nil }; address.incarnation = value
            case (4, 0): guard let value = inner.uint() else { return nil }; address.id = value
            default: return nil
            }
        }
        return inner.isAtEnd ? address : nil
    }
}
