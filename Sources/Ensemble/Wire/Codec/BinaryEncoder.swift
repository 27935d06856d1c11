/// A compact, self-describing binary encoding for `Codable` payloads.
///
/// Every value starts with a tag byte; integers are varints, strings and keys
/// are length-prefixed UTF-8, containers end with an end marker. It keeps
/// keys (so synthesized enum decoding, which asks for `allKeys`, works) but
/// none of JSON's text formatting and parsing. Each key is a tagged string, so
/// a reader tells a key from the end marker. Containers must be written the
/// way synthesized and ordinary hand-written `encode(to:)` do: a nested
/// container is finished before its parent writes again, one container per
/// encoder, and a super encoder must be written to.
enum BinaryTag: UInt8 {
    case null = 0, falseValue, trueValue, int, uint, double, string, array, object, end, float
}

/// Encodes a value into the binary payload format.
struct BinaryPayloadEncoder {
    func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let sink = BinarySink()
        try value.encode(to: BinaryEncoderImpl(sink: sink, depth: 0, codingPath: []))
        sink.closeContainers(above: 0)
        if sink.bytes.isEmpty { sink.tagged(.null) }  // a type that wrote nothing at all
        return sink.bytes
    }
}

/// The bytes being written and the stack of open containers.
final class BinarySink {
    var bytes: [UInt8] = []
    /// Depths of containers still open, innermost last.
    private var open: [Int] = []

    init() { bytes.reserveCapacity(128) }

    /// Writes end markers for every open container deeper than `depth`.
    func closeContainers(above depth: Int) {
        while let last = open.last, last > depth {
            open.removeLast()
            bytes.append(BinaryTag.end.rawValue)
        }
    }

    func openContainer(_ tag: BinaryTag, depth: Int) {
        bytes.append(tag.rawValue)
        open.append(depth)
    }

    func varint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    func string(_ value: String) {
        value.withUTF8Contents { utf8 in
            varint(UInt64(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    func tagged(_ tag: BinaryTag) { bytes.append(tag.rawValue) }

    func int(_ value: Int64) {
        tagged(.int)
        varint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    func uint(_ value: UInt64) {
        tagged(.uint)
        varint(value)
    }

    func double(_ value: Double) {
        tagged(.double)
        let bits = value.bitPattern
        for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: bits >> UInt64(shift))) }
    }

    func float(_ value: Float) {
        tagged(.float)
        let bits = value.bitPattern
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: bits >> UInt32(shift))) }
    }

    func taggedString(_ value: String) {
        tagged(.string)
        string(value)
    }
}

struct BinaryEncoderImpl: Encoder {
    let sink: BinarySink
    let depth: Int
    var codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        sink.closeContainers(above: depth)
        sink.openContainer(.object, depth: depth + 1)
        return KeyedEncodingContainer(BinaryKeyedEncoder<Key>(sink: sink, depth: depth + 1, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        sink.closeContainers(above: depth)
        sink.openContainer(.array, depth: depth + 1)
        return BinaryUnkeyedEncoder(sink: sink, depth: depth + 1, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        BinarySingleEncoder(sink: sink, depth: depth, codingPath: codingPath)
    }
}

/// Shared by the three container kinds: writing one primitive or nested value.
protocol BinaryValueWriter {
    var sink: BinarySink { get }
    var depth: Int { get }
    var codingPath: [any CodingKey] { get }
}

extension BinaryValueWriter {
    func writeValue<T: Encodable>(_ value: T, key: (any CodingKey)?) throws {
        if T.self == String.self { return sink.taggedString(unsafeBitCast(value, to: String.self)) }
        switch value {
        case let string as String: sink.taggedString(string)
        case let int as Int: sink.int(Int64(int))
        case let int as Int64: sink.int(int)
        case let int as Int32: sink.int(Int64(int))
        case let int as Int16: sink.int(Int64(int))
        case let int as Int8: sink.int(Int64(int))
        case let uint as UInt: sink.uint(UInt64(uint))
        case let uint as UInt64: sink.uint(uint)
        case let uint as UInt32: sink.uint(UInt64(uint))
        case let uint as UInt16: sink.uint(UInt64(uint))
        case let uint as UInt8: sink.uint(UInt64(uint))
        case let bool as Bool: sink.tagged(bool ? .trueValue : .falseValue)
        case let double as Double: sink.double(double)
        case let float as Float: sink.float(float)
        default:
            let path = key.map { codingPath + [$0] } ?? codingPath
            let before = sink.bytes.count
            try value.encode(to: BinaryEncoderImpl(sink: sink, depth: depth, codingPath: path))
            sink.closeContainers(above: depth)
            if sink.bytes.count == before { sink.tagged(.null) }  // a type that wrote nothing at all
        }
    }
}

struct BinaryKeyedEncoder<Key: CodingKey>: KeyedEncodingContainerProtocol, BinaryValueWriter {
    let sink: BinarySink
    let depth: Int
    var codingPath: [any CodingKey]

    private func key(_ key: Key) {
        sink.closeContainers(above: depth)
        sink.taggedString(key.stringValue)
    }

    mutating func encodeNil(forKey key: Key) throws {
        self.key(key)
        sink.tagged(.null)
    }

    // The common primitives directly, without the generic path's dynamic casts.
    mutating func encode(_ value: String, forKey key: Key) throws {
        self.key(key)
        sink.taggedString(value)
    }

    mutating func encode(_ value: Int, forKey key: Key) throws {
        self.key(key)
        sink.int(Int64(value))
    }

    mutating func encode(_ value: UInt64, forKey key: Key) throws {
        self.key(key)
        sink.uint(value)
    }

    mutating func encode(_ value: Bool, forKey key: Key) throws {
        self.key(key)
        sink.tagged(value ? .trueValue : .falseValue)
    }

    mutating func encode(_ value: Double, forKey key: Key) throws {
        self.key(key)
        sink.double(value)
    }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        self.key(key)
        try writeValue(value, key: key)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        self.key(key)
        sink.openContainer(.object, depth: depth + 1)
        return KeyedEncodingContainer(BinaryKeyedEncoder<NestedKey>(sink: sink, depth: depth + 1, codingPath: codingPath + [key]))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        self.key(key)
        sink.openContainer(.array, depth: depth + 1)
        return BinaryUnkeyedEncoder(sink: sink, depth: depth + 1, codingPath: codingPath + [key])
    }

    mutating func superEncoder() -> any Encoder {
        sink.closeContainers(above: depth)
        sink.taggedString("super")
        return BinaryEncoderImpl(sink: sink, depth: depth, codingPath: codingPath)
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        self.key(key)
        return BinaryEncoderImpl(sink: sink, depth: depth, codingPath: codingPath + [key])
    }
}

struct BinaryUnkeyedEncoder: UnkeyedEncodingContainer, BinaryValueWriter {
    let sink: BinarySink
    let depth: Int
    var codingPath: [any CodingKey]
    var count = 0

    mutating func encodeNil() throws {
        sink.closeContainers(above: depth)
        sink.tagged(.null)
        count += 1
    }

    mutating func encode<T: Encodable>(_ value: T) throws {
        sink.closeContainers(above: depth)
        try writeValue(value, key: nil)
        count += 1
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        sink.closeContainers(above: depth)
        sink.openContainer(.object, depth: depth + 1)
        count += 1
        return KeyedEncodingContainer(BinaryKeyedEncoder<NestedKey>(sink: sink, depth: depth + 1, codingPath: codingPath))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        sink.closeContainers(above: depth)
        sink.openContainer(.array, depth: depth + 1)
        count += 1
        return BinaryUnkeyedEncoder(sink: sink, depth: depth + 1, codingPath: codingPath)
    }

    mutating func superEncoder() -> any Encoder {
        sink.closeContainers(above: depth)
        count += 1
        return BinaryEncoderImpl(sink: sink, depth: depth, codingPath: codingPath)
    }
}

struct BinarySingleEncoder: SingleValueEncodingContainer, BinaryValueWriter {
    let sink: BinarySink
    let depth: Int
    var codingPath: [any CodingKey]

    mutating func encodeNil() throws {
        sink.closeContainers(above: depth)
        sink.tagged(.null)
    }

    mutating func encode<T: Encodable>(_ value: T) throws {
        sink.closeContainers(above: depth)
        try writeValue(value, key: nil)
    }
}
