extension String {
    /// The bytes as a String when they are valid UTF-8; nil otherwise.
    ///
    /// Strings on the wire are nearly always ASCII, and ASCII needs no more than a
    /// word-at-a-time check. The standard library's `String(validating:as:)` is generic
    /// over the encoding and not specialized, so it costs a metadata lookup per call:
    /// about a tenth of a receiving node's time when every message carried two strings.
    init?(wireUTF8 bytes: ArraySlice<UInt8>) {
        let decoded: String?? = bytes.withUnsafeBufferPointer { buffer in
            guard Self.isASCII(buffer) else { return .none }
            return .some(String(decoding: buffer, as: UTF8.self))
        }
        if let ascii = decoded {
            self = ascii!
        } else if let validated = String(validating: bytes, as: UTF8.self) {
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

    /// The host spelled by `bytes`, decoded once per run of equal hosts.
    mutating func host(_ bytes: ArraySlice<UInt8>) -> String? { lastHost.decode(bytes) }

    /// The type name spelled by `bytes`, decoded once per run of equal names.
    mutating func typeName(_ bytes: ArraySlice<UInt8>) -> String? { lastTypeName.decode(bytes) }
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
