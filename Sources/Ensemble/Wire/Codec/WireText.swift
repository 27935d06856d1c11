extension String {
    /// The bytes as a String when they are valid UTF-8; nil otherwise.
    ///
    /// Strings on the wire are nearly always ASCII, and ASCII needs no more than a
    /// word-at-a-time check. The standard library's `String(validating:as:)` is generic
    /// over the encoding and not specialized, so it costs a metadata lookup per call:
    /// about a tenth of a receiving node's time when every message carried two strings.
    init?(wireUTF8 bytes: ArraySlice<UInt8>) {
        guard let string = bytes.withUnsafeBufferPointer({ String(wireUTF8: $0) }) else { return nil }
        self = string
    }

    /// The bytes as a String when they are valid UTF-8; nil otherwise.
    init?(wireUTF8 buffer: UnsafeBufferPointer<UInt8>) {
        if Self.isASCII(buffer) {
            self = String(decoding: buffer, as: UTF8.self)
        } else if let validated = String(validating: buffer, as: UTF8.self) {
            self = validated
        } else {
            return nil
        }
    }

    private static func isASCII(_ buffer: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = buffer.baseAddress else { return true }
        let raw = UnsafeRawPointer(base)
        var index = 0
        var highBits: UInt64 = 0
        while index + 8 <= buffer.count {
            highBits |= raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            index += 8
        }
        while index < buffer.count {
            highBits |= UInt64(buffer[index])
            index += 1
        }
        return highBits & 0x8080_8080_8080_8080 == 0
    }
}

/// The last host and type name a frame named, so that the envelopes after it, which name
/// the same few again and again, reuse their Strings instead of decoding them anew.
struct RecentWireText {
    private var lastHost = RecentText()
    private var lastTypeName = RecentText()
    /// The last two node lives read, with where their bytes lie in the frame: an envelope
    /// names two (its sender's and its recipient's), and the next envelope names them again.
    /// Kept apart from their ranges, which are compared without touching the lives' strings,
    /// and in fixed places, so that a frame naming two lives in turn rewrites neither.
    private var firstRange: Range<Int>?
    private var firstNode: NodeID?
    private var secondRange: Range<Int>?
    private var secondNode: NodeID?
    private var replacesFirst = true

    /// The life whose host, port and incarnation `bytes` holds at `range` (within its bounds),
    /// when one of the last two read from `bytes` was spelled the same.
    func node(spelledAt range: Range<Int>, in bytes: [UInt8]) -> NodeID? {
        if let known = firstRange, Self.equal(known, range, in: bytes) { return firstNode }
        if let known = secondRange, Self.equal(known, range, in: bytes) { return secondNode }
        return nil
    }

    /// `node` was read from `range` of the frame: it takes the place of the older of the two.
    mutating func remember(_ node: NodeID, spelledAt range: Range<Int>) {
        if replacesFirst {
            (firstRange, firstNode) = (range, node)
        } else {
            (secondRange, secondNode) = (range, node)
        }
        replacesFirst.toggle()
    }

    /// The host spelled by `bytes`, decoded once per run of equal hosts.
    mutating func host(_ bytes: ArraySlice<UInt8>) -> String? { lastHost.decode(bytes) }

    /// The type name spelled by `bytes`, decoded once per run of equal names.
    mutating func typeName(_ bytes: ArraySlice<UInt8>) -> String? { lastTypeName.decode(bytes) }

    /// Whether two ranges of `bytes` (within its bounds) hold the same bytes: a word at a time,
    /// the last word overlapping the one before it (a node is host, port and incarnation: 10
    /// bytes and the host's length), so there is no byte loop for the tail.
    static func equal(_ known: Range<Int>, _ range: Range<Int>, in bytes: [UInt8]) -> Bool {
        let count = range.count
        guard known.count == count else { return false }
        return bytes.withUnsafeBytes { raw in
            guard count >= 8 else { return raw[known].elementsEqual(raw[range]) }
            var index = 0
            while index < count - 8 {
                guard raw.loadUnaligned(fromByteOffset: known.lowerBound + index, as: UInt64.self)
                    == raw.loadUnaligned(fromByteOffset: range.lowerBound + index, as: UInt64.self) else { return false }
                index += 8
            }
            return raw.loadUnaligned(fromByteOffset: known.upperBound - 8, as: UInt64.self)
                == raw.loadUnaligned(fromByteOffset: range.upperBound - 8, as: UInt64.self)
        }
    }
}

/// One remembered string, compared with the next bytes through its own UTF-8:
/// keeping a copy of the bytes cost an allocation for every frame's first address.
private struct RecentText {
    private var string: String?

    mutating func decode(_ slice: ArraySlice<UInt8>) -> String? {
        if var string, Self.equal(&string, slice) { return string }
        guard let decoded = String(wireUTF8: slice) else { return nil }
        string = decoded
        return decoded
    }

    /// Compared a word at a time: a byte loop was about 300 instructions per envelope (two
    /// hosts and a type name), a tenth of a receiving node's decoding.
    private static func equal(_ known: inout String, _ slice: ArraySlice<UInt8>) -> Bool {
        known.withUTF8 { known in
            guard known.count == slice.count else { return false }
            return slice.withUnsafeBufferPointer { slice in
                guard let left = known.baseAddress, let right = slice.baseAddress else { return true }
                let (a, b) = (UnsafeRawPointer(left), UnsafeRawPointer(right))
                var index = 0
                while index + 8 <= known.count {
                    guard a.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                        == b.loadUnaligned(fromByteOffset: index, as: UInt64.self) else { return false }
                    index += 8
                }
                while index < known.count {
                    guard known[index] == slice[index] else { return false }
                    index += 1
                }
                return true
            }
        }
    }
}
