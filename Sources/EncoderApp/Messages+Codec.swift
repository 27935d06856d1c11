import Ensemble

// The five messages of every encode request's path (about a dozen per request: the request, its
// dispatch notice, a text and an analysis per encoder, a report per encoder) encode and decode
// with ProtoWriter and ProtoReader, straight from and into the application's values: the
// generated code spent 0.3-1.2 µs on each (it sizes every nested address, then walks each field
// through a generic visitor), and a generated value was converted to and from the runtime's
// types besides. The bytes are the schema's, byte for byte: `MessageCodecTests` checks them
// against the generated encoder and decoder. A payload the fast reader is not sure of (a field
// from a newer schema, a message field given twice, bytes that are not UTF-8) goes to the
// generated decoder, which has the final word.

extension EncodeRequest {
    public func encodedPayload() throws -> [UInt8] {
        var writer = ProtoWriter(capacity: 16 + text.utf8.count)
        writer.string(1, text)
        writer.uint(2, requestID)
        writer.raw(unknownFields)
        return writer.bytes
    }

    public static func decodePayload(_ bytes: [UInt8]) throws -> Self {
        if let fast = fastDecode(bytes) { return fast }
        return try Self(protoBytes: bytes)
    }

    static func fastDecode(_ bytes: [UInt8]) -> Self? {
        var reader = ProtoReader(bytes)
        var message = Self(text: "")
        while let (number, wireType) = reader.field() {
            switch (number, wireType) {
            case (1, 2): guard let value = reader.string() else { return nil }; message.text = value
            case (2, 0): guard let value = reader.uint() else { return nil }; message.requestID = value
            default: return nil
            }
        }
        return reader.isAtEnd ? message : nil
    }
}

extension EncodingDispatched {
    public func encodedPayload() throws -> [UInt8] {
        var writer = ProtoWriter(capacity: 64)
        for encoder in encoders { writer.element(1, encoder) }
        for record in unplaced {
            var inner = ProtoWriter(capacity: 32 + record.reason.utf8.count)
            inner.string(1, record.encoder)
            inner.string(2, record.reason)
            writer.message(2, inner)
        }
        writer.uint(3, requestID)
        writer.raw(unknownFields)
        return writer.bytes
    }

    public static func decodePayload(_ bytes: [UInt8]) throws -> Self {
        if let fast = fastDecode(bytes) { return fast }
        return try Self(protoBytes: bytes)
    }

    static func fastDecode(_ bytes: [UInt8]) -> Self? {
        var reader = ProtoReader(bytes)
        var message = Self(encoders: [], unplaced: [])
        while let (number, wireType) = reader.field() {
            switch (number, wireType) {
            case (1, 2): guard let value = reader.string() else { return nil }; message.encoders.append(value)
            case (2, 2):
                guard var inner = reader.message() else { return nil }
                var record = UnplacedEncoder(encoder: "", reason: "")
                while let (number, wireType) = inner.field() {
                    switch (number, wireType) {
                    case (1, 2): guard let value = inner.string() else { return nil }; record.encoder = value
                    case (2, 2): guard let value = inner.string() else { return nil }; record.reason = value
                    default: return nil
                    }
                }
                guard inner.isAtEnd else { return nil }
                message.unplaced.append(record)
            case (3, 0): guard let value = reader.uint() else { return nil }; message.requestID = value
            default: return nil
            }
        }
        return reader.isAtEnd ? message : nil
    }
}

extension EncodeText {
    public func encodedPayload() throws -> [UInt8] {
        var writer = ProtoWriter(capacity: 96 + text.utf8.count)
        writer.string(1, text)
        writer.address(2, analyzer)
        writer.address(3, requester)
        writer.string(4, encoder)
        writer.uint(5, UInt64(UInt32(clamping: resends)))
        writer.uint(6, requestID)
        writer.raw(unknownFields)
        return writer.bytes
    }

    public static func decodePayload(_ bytes: [UInt8]) throws -> Self {
        if let fast = fastDecode(bytes) { return fast }
        return try Self(protoBytes: bytes)
    }

    static func fastDecode(_ bytes: [UInt8]) -> Self? {
        var reader = ProtoReader(bytes)
        var text = "", encoder = "", resends: UInt32 = 0, requestID: UInt64 = 0
        var analyzer: ActorAddress?, requester: ActorAddress?
        while let (number, wireType) = reader.field() {
            switch (number, wireType) {
            case (1, 2): guard let value = reader.string() else { return nil }; text = value
            // A message field given twice is merged by the generated decoder: left to it.
            case (2, 2): guard analyzer == nil, let value = reader.actorAddress() else { return nil }; analyzer = value
            case (3, 2): guard requester == nil, let value = reader.actorAddress() else { return nil }; requester = value
            case (4, 2): guard let value = reader.string() else { return nil }; encoder = value
            case (5, 0): guard let value = reader.uint32() else { return nil }; resends = value
            case (6, 0): guard let value = reader.uint() else { return nil }; requestID = value
            default: return nil
            }
        }
        guard reader.isAtEnd, let analyzer, let requester else { return nil }
        return Self(text: text, analyzer: analyzer, requester: requester, encoder: encoder, resends: Int(resends), requestID: requestID)
    }
}

extension AnalyzeEncoding {
    public func encodedPayload() throws -> [UInt8] {
        var writer = ProtoWriter(capacity: 64 + input.utf8.count + output.utf8.count)
        writer.string(1, encoder)
        writer.string(2, input)
        writer.string(3, output)
        writer.address(4, requester)
        writer.uint(5, requestID)
        writer.raw(unknownFields)
        return writer.bytes
    }

    public static func decodePayload(_ bytes: [UInt8]) throws -> Self {
        if let fast = fastDecode(bytes) { return fast }
        return try Self(protoBytes: bytes)
    }

    static func fastDecode(_ bytes: [UInt8]) -> Self? {
        var reader = ProtoReader(bytes)
        var encoder = "", input = "", output = "", requestID: UInt64 = 0, requester: ActorAddress?
        while let (number, wireType) = reader.field() {
            switch (number, wireType) {
            case (1, 2): guard let value = reader.string() else { return nil }; encoder = value
            case (2, 2): guard let value = reader.string() else { return nil }; input = value
            case (3, 2): guard let value = reader.string() else { return nil }; output = value
            case (4, 2): guard requester == nil, let value = reader.actorAddress() else { return nil }; requester = value
            case (5, 0): guard let value = reader.uint() else { return nil }; requestID = value
            default: return nil
            }
        }
        guard reader.isAtEnd, let requester else { return nil }
        return Self(encoder: encoder, input: input, output: output, requester: requester, requestID: requestID)
    }
}

extension EncodingReport {
    public func encodedPayload() throws -> [UInt8] {
        var writer = ProtoWriter(capacity: 32 + encoder.utf8.count + output.utf8.count)
        writer.string(1, encoder)
        writer.double(2, density)
        writer.string(3, output)
        writer.uint(4, requestID)
        writer.raw(unknownFields)
        return writer.bytes
    }

    public static func decodePayload(_ bytes: [UInt8]) throws -> Self {
        if let fast = fastDecode(bytes) { return fast }
        return try Self(protoBytes: bytes)
    }

    static func fastDecode(_ bytes: [UInt8]) -> Self? {
        var reader = ProtoReader(bytes)
        var message = Self(encoder: "", density: nil, output: "")
        while let (number, wireType) = reader.field() {
            switch (number, wireType) {
            case (1, 2): guard let value = reader.string() else { return nil }; message.encoder = value
            case (2, 1): guard let value = reader.double() else { return nil }; message.density = value
            case (3, 2): guard let value = reader.string() else { return nil }; message.output = value
            case (4, 0): guard let value = reader.uint() else { return nil }; message.requestID = value
            default: return nil
            }
        }
        return reader.isAtEnd ? message : nil
    }
}
