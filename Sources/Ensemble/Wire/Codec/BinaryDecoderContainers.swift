struct BinaryDecoderImpl: Decoder {
    let source: BinarySource
    var codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(try BinaryKeyedDecoder<Key>(source: source, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try BinaryUnkeyedDecoder(source: source, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        BinarySingleDecoder(source: source, codingPath: codingPath)
    }
}

/// One keyed entry: where its key's UTF-8 and its value start.
struct BinaryEntry {
    var keyStart: Int
    var keyLength: Int
    var value: Int
}

struct BinaryKeyedDecoder<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let source: BinarySource
    var codingPath: [any CodingKey]
    private let entries: [BinaryEntry]
    /// Entry positions by key bytes, in a container large enough (a dictionary) that finding
    /// every key by a scan would make decoding quadratic (40,000 keys, 400 KB, took 3 minutes).
    private let index: [ArraySlice<UInt8>: Int]?

    init(source: BinarySource, codingPath: [any CodingKey]) throws {
        self.source = source
        self.codingPath = codingPath
        var entries: [BinaryEntry] = []
        switch try source.tag(codingPath) {
        case .null:
            break  // a type that wrote nothing at all
        case .object:
            while let (start, length) = try source.key(codingPath) {
                entries.append(BinaryEntry(keyStart: start, keyLength: length, value: source.offset))
                try source.skipValue(codingPath)
            }
        default:
            throw source.corrupt("expected a keyed container", codingPath)
        }
        self.entries = entries
        guard entries.count > 16 else {
            index = nil
            return
        }
        var index: [ArraySlice<UInt8>: Int] = [:]
        index.reserveCapacity(entries.count)
        for (position, entry) in entries.enumerated() {
            let key = source.bytes[entry.keyStart..<entry.keyStart + entry.keyLength]
            if index[key] == nil { index[key] = position }  // the first of equal keys wins, as in a scan
        }
        self.index = index
    }

    private func keyText(_ entry: BinaryEntry) -> String {
        String(decoding: source.bytes[entry.keyStart..<entry.keyStart + entry.keyLength], as: UTF8.self)
    }

    var allKeys: [Key] { entries.compactMap { Key(stringValue: keyText($0)) } }

    private func entry(_ key: Key) -> BinaryEntry? {
        var name = key.stringValue
        if let index { return index[ArraySlice(name.utf8)].map { entries[$0] } }
        return name.withUTF8 { utf8 in
            entries.first { entry in
                entry.keyLength == utf8.count
                    && source.bytes[entry.keyStart..<entry.keyStart + entry.keyLength].elementsEqual(utf8)
            }
        }
    }

    private func require(_ key: Key) throws -> BinaryEntry {
        guard let entry = entry(key) else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "binary payload: no \(key.stringValue)"))
        }
        return entry
    }

    /// Runs `body` with the cursor at the entry's value, then puts it back.
    private func at<T>(_ entry: BinaryEntry, _ body: () throws -> T) rethrows -> T {
        let saved = source.offset
        source.offset = entry.value
        defer { source.offset = saved }
        return try body()
    }

    func contains(_ key: Key) -> Bool { entry(key) != nil }

    func decodeNil(forKey key: Key) throws -> Bool {
        let entry = try require(key)
        return at(entry) { source.bytes[entry.value] == BinaryTag.null.rawValue }
    }

    func decode(_ type: String.Type, forKey key: Key) throws -> String {
        let entry = try require(key)
        return try at(entry) {
            guard try source.tag(codingPath) == .string else { throw source.corrupt("expected a string", codingPath + [key]) }
            return try source.string(codingPath)
        }
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        let entry = try require(key)
        return try at(entry) { try source.decodeValue(T.self, codingPath: codingPath + [key]) }
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        let entry = try require(key)
        return try at(entry) { KeyedDecodingContainer(try BinaryKeyedDecoder<NestedKey>(source: source, codingPath: codingPath + [key])) }
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        let entry = try require(key)
        return try at(entry) { try BinaryUnkeyedDecoder(source: source, codingPath: codingPath + [key]) }
    }

    func superDecoder() throws -> any Decoder {
        guard let entry = entries.first(where: { keyText($0) == "super" }) else {
            throw source.corrupt("no super entry", codingPath)
        }
        return BinaryValueDecoder(source: source, start: entry.value, codingPath: codingPath)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        BinaryValueDecoder(source: source, start: try require(key).value, codingPath: codingPath + [key])
    }
}

/// A decoder positioned at a value elsewhere in the payload (for super decoders).
struct BinaryValueDecoder: Decoder {
    let source: BinarySource
    let start: Int
    var codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    private func at<T>(_ body: () throws -> T) rethrows -> T {
        let saved = source.offset
        source.offset = start
        defer { source.offset = saved }
        return try body()
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        try at { KeyedDecodingContainer(try BinaryKeyedDecoder<Key>(source: source, codingPath: codingPath)) }
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try at { try BinaryUnkeyedDecoder(source: source, codingPath: codingPath) }
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        at { BinarySingleDecoder(source: source, codingPath: codingPath, start: start) }
    }
}

struct BinaryUnkeyedDecoder: UnkeyedDecodingContainer {
    let source: BinarySource
    var codingPath: [any CodingKey]
    private let values: [Int]
    private(set) var currentIndex = 0

    init(source: BinarySource, codingPath: [any CodingKey]) throws {
        self.source = source
        self.codingPath = codingPath
        var values: [Int] = []
        switch try source.tag(codingPath) {
        case .null:
            break
        case .array:
            while try source.peekTag(codingPath) != .end {
                values.append(source.offset)
                try source.skipValue(codingPath)
            }
            source.offset += 1
        default:
            throw source.corrupt("expected an unkeyed container", codingPath)
        }
        self.values = values
    }

    var count: Int? { values.count }
    var isAtEnd: Bool { currentIndex >= values.count }

    private mutating func next<T>(_ body: () throws -> T) throws -> T {
        guard !isAtEnd else { throw source.corrupt("unkeyed container is at its end", codingPath) }
        let saved = source.offset
        source.offset = values[currentIndex]
        defer { source.offset = saved }
        let value = try body()
        currentIndex += 1
        return value
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, source.bytes[values[currentIndex]] == BinaryTag.null.rawValue else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let (source, path) = (self.source, codingPath)
        return try next { try source.decodeValue(T.self, codingPath: path) }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let (source, path) = (self.source, codingPath)
        return try next { KeyedDecodingContainer(try BinaryKeyedDecoder<NestedKey>(source: source, codingPath: path)) }
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let (source, path) = (self.source, codingPath)
        return try next { try BinaryUnkeyedDecoder(source: source, codingPath: path) }
    }

    mutating func superDecoder() throws -> any Decoder {
        guard !isAtEnd else { throw source.corrupt("unkeyed container is at its end", codingPath) }
        defer { currentIndex += 1 }
        return BinaryValueDecoder(source: source, start: values[currentIndex], codingPath: codingPath)
    }
}

struct BinarySingleDecoder: SingleValueDecodingContainer {
    let source: BinarySource
    var codingPath: [any CodingKey]
    var start: Int?

    func decodeNil() -> Bool {
        let position = start ?? source.offset
        guard position < source.bytes.count, source.bytes[position] == BinaryTag.null.rawValue else { return false }
        if start == nil { source.offset += 1 }
        return true
    }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        guard let start else { return try source.decodeValue(T.self, codingPath: codingPath) }
        let saved = source.offset
        source.offset = start
        defer { source.offset = saved }
        return try source.decodeValue(T.self, codingPath: codingPath)
    }
}
