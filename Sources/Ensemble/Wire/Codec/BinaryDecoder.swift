/// Decodes the binary payload format written by `BinaryPayloadEncoder`.
struct BinaryPayloadDecoder {
    func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        let source = BinarySource(bytes)
        // The whole payload must be exactly one well-formed value, whatever the type reads of it.
        try source.skipValue([])
        guard source.offset == bytes.count else { throw source.corrupt("trailing bytes", []) }
        source.offset = 0
        return try source.decodeValue(T.self, codingPath: [])
    }
}

/// The bytes being read, with a cursor; every read is bounds-checked.
final class BinarySource {
    let bytes: [UInt8]
    var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    func corrupt(_ what: String, _ path: [any CodingKey]) -> DecodingError {
        .dataCorrupted(.init(codingPath: path, debugDescription: "binary payload: \(what) at byte \(offset)"))
    }

    func byte(_ path: [any CodingKey]) throws -> UInt8 {
        guard offset < bytes.count else { throw corrupt("truncated", path) }
        defer { offset += 1 }
        return bytes[offset]
    }

    func peekTag(_ path: [any CodingKey]) throws -> BinaryTag {
        guard offset < bytes.count else { throw corrupt("truncated", path) }
        guard let tag = BinaryTag(rawValue: bytes[offset]) else { throw corrupt("unknown tag \(bytes[offset])", path) }
        return tag
    }

    func tag(_ path: [any CodingKey]) throws -> BinaryTag {
        let tag = try peekTag(path)
        offset += 1
        return tag
    }

    func varint(_ path: [any CodingKey]) throws -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = try self.byte(path)
            guard shift < 64, shift < 63 || byte <= 1 else { throw corrupt("varint overflows 64 bits", path) }
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
    }

    /// In a keyed container: the next key's UTF-8 run, or nil at the end marker.
    func key(_ path: [any CodingKey]) throws -> (Int, Int)? {
        switch try tag(path) {
        case .end: return nil
        case .string: return try rawString(path)
        default: throw corrupt("expected a key", path)
        }
    }

    /// A length-prefixed UTF-8 run: its start and length.
    func rawString(_ path: [any CodingKey]) throws -> (Int, Int) {
        let length = try varint(path)
        guard length <= UInt64(bytes.count - offset) else { throw corrupt("string longer than the payload", path) }
        let start = offset
        offset += Int(length)
        return (start, Int(length))
    }

    func string(_ path: [any CodingKey]) throws -> String {
        let (start, length) = try rawString(path)
        guard let string = String(wireUTF8: bytes[start..<start + length]) else {
            throw corrupt("string is not UTF-8", path)
        }
        return string
    }

    func fixed(_ count: Int, _ path: [any CodingKey]) throws -> UInt64 {
        guard bytes.count - offset >= count else { throw corrupt("truncated", path) }
        var value: UInt64 = 0
        for index in 0..<count { value |= UInt64(bytes[offset + index]) << UInt64(8 * index) }
        offset += count
        return value
    }

    /// Skips one whole value (containers included).
    func skipValue(_ path: [any CodingKey], depth: Int = 0) throws {
        guard depth < 256 else { throw corrupt("nested too deeply", path) }
        switch try tag(path) {
        case .null, .falseValue, .trueValue: return
        case .int, .uint: _ = try varint(path)
        case .double: _ = try fixed(8, path)
        case .float: _ = try fixed(4, path)
        case .string: _ = try rawString(path)
        case .array:
            while try peekTag(path) != .end { try skipValue(path, depth: depth + 1) }
            offset += 1
        case .object:
            while try key(path) != nil { try skipValue(path, depth: depth + 1) }
        case .end: throw corrupt("unexpected end marker", path)
        }
    }

    func integer(_ path: [any CodingKey]) throws -> Int64 {
        switch try tag(path) {
        case .int:
            let raw = try varint(path)
            return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
        case .uint:
            let raw = try varint(path)
            guard raw <= UInt64(Int64.max) else { throw corrupt("integer out of range", path) }
            return Int64(raw)
        default: throw corrupt("expected an integer", path)
        }
    }

    func unsigned(_ path: [any CodingKey]) throws -> UInt64 {
        switch try tag(path) {
        case .uint: return try varint(path)
        case .int:
            let raw = try varint(path)
            let value = Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
            guard value >= 0 else { throw corrupt("negative value for an unsigned type", path) }
            return UInt64(value)
        default: throw corrupt("expected an unsigned integer", path)
        }
    }

    func decodeValue<T: Decodable>(_ type: T.Type, codingPath path: [any CodingKey]) throws -> T {
        // A failed attempt leaves the cursor where it was, so a caller may try another type.
        let start = offset
        do {
            return try decodeValueAtCursor(type, codingPath: path)
        } catch {
            offset = start
            throw error
        }
    }

    private func decodeValueAtCursor<T: Decodable>(_ type: T.Type, codingPath path: [any CodingKey]) throws -> T {
        func exact<I: FixedWidthInteger>(_ value: Int64, _ type: I.Type) throws -> I {
            guard let result = I(exactly: value) else { throw corrupt("\(value) does not fit \(I.self)", path) }
            return result
        }
        func exactUnsigned<I: FixedWidthInteger>(_ value: UInt64, _ type: I.Type) throws -> I {
            guard let result = I(exactly: value) else { throw corrupt("\(value) does not fit \(I.self)", path) }
            return result
        }
        switch type {
        case is String.Type:
            guard try tag(path) == .string else { throw corrupt("expected a string", path) }
            return try string(path) as! T
        case is Int.Type: return try exact(integer(path), Int.self) as! T
        case is Int64.Type: return try integer(path) as! T
        case is Int32.Type: return try exact(integer(path), Int32.self) as! T
        case is Int16.Type: return try exact(integer(path), Int16.self) as! T
        case is Int8.Type: return try exact(integer(path), Int8.self) as! T
        case is UInt.Type: return try exactUnsigned(unsigned(path), UInt.self) as! T
        case is UInt64.Type: return try unsigned(path) as! T
        case is UInt32.Type: return try exactUnsigned(unsigned(path), UInt32.self) as! T
        case is UInt16.Type: return try exactUnsigned(unsigned(path), UInt16.self) as! T
        case is UInt8.Type: return try exactUnsigned(unsigned(path), UInt8.self) as! T
        case is Bool.Type:
            switch try tag(path) {
            case .trueValue: return true as! T
            case .falseValue: return false as! T
            default: throw corrupt("expected a Bool", path)
            }
        case is Double.Type:
            switch try tag(path) {
            case .double: return Double(bitPattern: try fixed(8, path)) as! T
            case .float: return Double(Float(bitPattern: UInt32(try fixed(4, path)))) as! T
            default: throw corrupt("expected a Double", path)
            }
        case is Float.Type:
            guard try tag(path) == .float else { throw corrupt("expected a Float", path) }
            return Float(bitPattern: UInt32(try fixed(4, path))) as! T
        default:
            return try T(from: BinaryDecoderImpl(source: self, codingPath: path))
        }
    }
}
