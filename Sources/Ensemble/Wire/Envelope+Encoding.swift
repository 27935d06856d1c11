extension Envelope {
    /// The envelope alone in a frame.
    public func encoded() -> [UInt8] { Self.encodeBatch(CollectionOfOne(self)) }

    /// Several envelopes batched into one frame.
    ///
    /// The frame's size is worked out first and every field stored straight into
    /// it: appending field by field checked the capacity of the array at each byte.
    public static func encodeBatch(_ envelopes: some Collection<Envelope>) -> [UInt8] {
        let total = envelopes.reduce(0) { $0 + $1.encodedSize }
        guard total > 0 else { return [] }
        return [UInt8](unsafeUninitializedCapacity: total) { buffer, count in
            encodeBatch(envelopes, into: UnsafeMutableRawBufferPointer(buffer))
            count = total
        }
    }

    /// Writes a batch into `buffer`, which holds exactly its encoded size: a frame made
    /// in place (a libzmq message's own buffer) instead of copied from an array.
    static func encodeBatch(_ envelopes: some Collection<Envelope>, into buffer: UnsafeMutableRawBufferPointer) {
        guard let base = buffer.baseAddress else { return }
        var writer = FrameWriter(base: base)
        // Each read where it lies, by its index: iterated, each envelope was copied out, its fields
        // retained and released (atomic operations).
        var index = envelopes.startIndex
        while index != envelopes.endIndex {
            envelopes[index].encode(into: &writer)
            envelopes.formIndex(after: &index)
        }
        precondition(writer.offset == buffer.count, "an envelope's encoded size was miscounted")
    }

    /// How many bytes of envelopes one frame carries at most (a single larger envelope goes alone).
    static let batchLimit = 256 * 1024

    /// Where the frame that starts at `start` ends: as many envelopes as fit in
    /// `batchLimit` bytes, and at least one.
    static func batchEnd(of envelopes: [Envelope], from start: Int) -> Int {
        batch(of: envelopes, from: start).end
    }

    /// The frame that starts at `start`: where it ends (as `batchEnd`) and its size in bytes.
    static func batch(of envelopes: [Envelope], from start: Int) -> (end: Int, byteCount: Int) {
        var end = start
        var bytes = 0
        while end < envelopes.endIndex {
            let size = envelopes[end].encodedSize
            if end > start && bytes + size > batchLimit { break }
            bytes += size
            end += 1
        }
        return (end, bytes)
    }

    /// Bytes on the wire: the header, the addresses, the type name and the payload.
    var encodedSize: Int {
        Self.headerSize + (sender.map(Self.encodedSize(of:)) ?? 0) + Self.encodedSize(of: recipient)
            + 2 + min(typeName.utf8.count, Int(UInt16.max)) + payloadCount
    }

    private static func encodedSize(of address: ActorAddress) -> Int {
        1 + min(address.node.address.host.utf8.count, 255) + 2 + 8 + 8
    }

    // Inlined into the batch loop: called, each envelope was retained for the call and released
    // after it (atomic operations), the compiler unable to see that the batch keeps it alive.
    @inline(__always)
    private func encode(into writer: inout FrameWriter) {
        let start = writer.offset
        writer.store(Self.magic)
        writer.store(Self.protocolVersion)
        writer.store(kind.rawValue)
        writer.store(UInt8(sender == nil ? 0 : 1))
        let lengthOffset = writer.offset
        writer.store(UInt32(0))
        writer.store(correlationID)
        if let sender { writer.store(sender) }
        writer.store(recipient)
        typeName.withUTF8Contents { utf8 in
            let count = min(utf8.count, Int(UInt16.max))
            writer.store(UInt16(count))
            writer.store(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(utf8)[..<count]))
        }
        withPayloadBytes { writer.store($0) }
        writer.patch(UInt32(writer.offset - start), at: lengthOffset)
    }
}

/// Stores little-endian fields into a frame sized beforehand.
private struct FrameWriter {
    let base: UnsafeMutableRawPointer
    var offset = 0

    mutating func store<T: FixedWidthInteger>(_ value: T) {
        base.storeBytes(of: value.littleEndian, toByteOffset: offset, as: T.self)
        offset += MemoryLayout<T>.size
    }

    mutating func store(_ bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress, bytes.count > 0 else { return }
        (base + offset).copyMemory(from: source, byteCount: bytes.count)
        offset += bytes.count
    }

    mutating func store(_ address: ActorAddress) {
        address.node.address.host.withUTF8Contents { utf8 in
            let count = min(utf8.count, 255)
            store(UInt8(count))
            store(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(utf8)[..<count]))
        }
        store(address.node.address.port)
        store(address.node.incarnation)
        store(address.id)
    }

    func patch(_ value: UInt32, at position: Int) {
        base.storeBytes(of: value.littleEndian, toByteOffset: position, as: UInt32.self)
    }
}
