import Ensemble

// The four messages of every encode request's path (about a dozen per request: the request,
// a text and an analysis per encoder, a report per encoder) encode and decode with
// ProtoWriter and ProtoReader instead of the generated code, which spent 0.3-1.2 µs on each
// (it sizes every nested address, then walks each field through a generic visitor). The bytes
// are the schema's, byte for byte: `FastPathTests` checks them against the generated
// encoder and decoder. A payload the fast reader is not sure of (a field from a newer schema,
// a repeated message field, bytes that are not UTF-8) goes to the generated decoder, which
// keeps unknown fields and has the final word.

extension EncodeRequest {
    public func encodedPayload() throws -> [UInt8] {
        var writer = ProtoWriter(capacity: 16 + text.utf8.count)
        writer.string(1, text)
        writer.uint(2, requestID)
        writer.raw(unknownFields.data)
        return writer.bytes
    }

    public static func decodePayload(_ bytes: [UInt8]) throws -> Self {
        try fastDecode(bytes) ?? Self(serializedBytes: bytes)
    }

    static func fastDecode(_ bytes: [UInt8]) -> Self? {
        var reader = ProtoReader(bytes)
        var message = Self()
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

extension EncodeText {
    public func encodedPayload() throws -> [UInt8] {
        var writer = ProtoWriter(capacity: 96 + text.utf8.count)
        writer.string(1, text)
        if hasAnalyzer { writer.address(2, analyzer) }
        if hasRequester { writer.address(3, requester) }
        writer.string(4, encoder)
        writer.uint(5, UInt64(resends))
        writer.uint(6, requestID)
        writer.raw(unknownFields.data)
        return writer.bytes
    }

    public static func decodePayload(_ bytes: [UInt8]) throws -> Self {
        try fastDecode(bytes) ?? Self(serializedBytes: bytes)
    }

    static func fastDecode(_ bytes: [UInt8]) -> Self? {
        var reader = ProtoReader(bytes)
        var message = Self()
        while let (number, wireType) = reader.field() {
            switch (number, wireType) {
            case (1, 2): guard let value = reader.string() else { return nil }; message.text = value
            // A message field given twice is merged by the generated decoder: left to it.
            case (2, 2): guard !message.hasAnalyzer, let value = reader.address() else { return nil }; message.analyzer = value
            case (3, 2): guard !message.hasRequester, let value = reader.address() else { return nil }; message.requester = value
            case (4, 2): guard let value = reader.string() else { return nil }; message.encoder = value
            case (5, 0): guard let value = reader.uint32() else { return nil }; message.resends = value
            case (6, 0): guard let value = reader.uint() else { return nil }; message.requestID = value
            default: return nil
            }
        }
        return reader.isAtEnd ? message : nil
    }
}

extension AnalyzeEncoding {
    public func encodedPayload() throws -> [UInt8] {
        var writer = ProtoWriter(capacity: 64 + input.utf8.count + output.utf8.count)
        writer.string(1, encoder)
        writer.string(2, input)
        writer.string(3, output)
        if hasRequester { writer.address(4, requester) }
        writer.uint(5, requestID)
        writer.raw(unknownFields.data)
        return writer.bytes
    }

    public static func decodePayload(_ bytes: [UInt8]) throws -> Self {
        try fastDecode(bytes) ?? Self(serializedBytes: bytes)
    }

    static func fastDecode(_ bytes: [UInt8]) -> Self? {
        var reader = ProtoReader(bytes)
        var message = Self()
        while let (number, wireType) = reader.field() {
            switch (number, wireType) {
            case (1, 2): guard let value = reader.string() else { return nil }; message.encoder = value
            case (2, 2): guard let value = reader.string() else { return nil }; message.input = value
            case (3, 2): guard let value = reader.string() else { return nil }; message.output = value
            case (4, 2): guard !message.hasRequester, let value = reader.address() else { return nil }; message.requester = value
            case (5, 0): guard let value = reader.uint() else { return nil }; message.requestID = value
            default: return nil
            }
        }
        return reader.isAtEnd ? message : nil
    }
}

extension EncodingReport {
    public func encodedPayload() throws -> [UInt8] {
        var writer = ProtoWriter(capacity: 32 + encoder.utf8.count + output.utf8.count)
        writer.string(1, encoder)
        writer.double(2, densityValue)
        writer.string(3, output)
        writer.uint(4, requestID)
        writer.raw(unknownFields.data)
        return writer.bytes
    }

    public static func decodePayload(_ bytes: [UInt8]) throws -> Self {
        try fastDecode(bytes) ?? Self(serializedBytes: bytes)
    }

    static func fastDecode(_ bytes: [UInt8]) -> Self? {
        var reader = ProtoReader(bytes)
        var message = Self()
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
