/// Encoded sizes worked out from a value's fields, as protobuf's binary format writes them,
/// for what a status measures by the thousand: splitting a report or a member's list of actors
/// into pages needs each record's size, and encoding a record only to count its bytes cost a
/// second encoding of every actor listed (`ProtoSizeTests` checks each against SwiftProtobuf).
enum ProtoSize {
    /// The bytes of `value` as a varint.
    static func varint(_ value: UInt64) -> Int {
        // 7 bits a byte: 1 byte up to 7 significant bits, 10 for 64.
        let bits = 64 - value.leadingZeroBitCount
        return bits == 0 ? 1 : (bits + 6) / 7
    }

    /// A field numbered below 16 (a one-byte tag) holding `length` bytes: tag, length, bytes.
    static func lengthDelimited(_ length: Int) -> Int {
        1 + varint(UInt64(length)) + length
    }

    /// A string field numbered below 16, written only when not empty (proto3's implicit presence).
    static func implicitString(_ text: String) -> Int {
        text.isEmpty ? 0 : lengthDelimited(text.utf8.count)
    }

    /// A varint field numbered below 16, written only when not zero (proto3's implicit presence).
    static func implicitVarint(_ value: UInt64) -> Int {
        value == 0 ? 0 : 1 + varint(value)
    }
}

extension ActorAddress {
    /// The size of `proto` encoded.
    var protoSize: Int {
        ProtoSize.implicitString(node.address.host) + ProtoSize.implicitVarint(UInt64(node.address.port))
            + ProtoSize.implicitVarint(node.incarnation) + ProtoSize.implicitVarint(id)
    }
}

extension ActorRecord {
    /// The size of `proto` encoded: its address always, its parent and global name when it has
    /// them (explicit presence), its type and restarts when not empty or zero.
    var protoSize: Int {
        var size = ProtoSize.lengthDelimited(address.protoSize) + ProtoSize.implicitString(type)
        if let parent { size += ProtoSize.lengthDelimited(parent.protoSize) }
        if let globalName { size += ProtoSize.lengthDelimited(globalName.utf8.count) }
        return size + ProtoSize.implicitVarint(UInt64(max(restarts, 0)))
    }
}
