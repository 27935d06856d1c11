import EncoderApp
import SwiftProtobuf
import Testing
@testable import Ensemble

/// The application's hand-written proto3 codec (Messages+Codec.swift) against the generated
/// one: the same bytes out, the same values in, and the generated decoder's verdict wherever
/// the fast reader gives up.
@Suite struct MessageCodecTests {
    static let a = ActorAddress(parsing: "127.0.0.1:1900@1a243bda227/2")!
    static let far = ActorAddress(parsing: "東京.example:65535@ffffffffffffffff/18446744073709551615")!
    static let zero = ActorAddress(node: NodeID(address: NodeAddress(host: "h", port: 0), incarnation: 0), id: 0)
    static let texts = ["", "This is a multi-system test", "Grüße ☃ 東京", String(repeating: "x", count: 300)]

    static var requests: [EncodeRequest] {
        texts.flatMap { text in [0, 1, 127, 128, .max].map { EncodeRequest(text: text, requestID: $0) } }
    }

    static var notices: [EncodingDispatched] {
        [EncodingDispatched(encoders: ["Encoder", "Base64Encoder", "Rot13Encoder", "MorseEncoder"], unplaced: [], requestID: 12),
         EncodingDispatched(encoders: ["Encoder", ""], unplaced: [UnplacedEncoder(encoder: "MorseEncoder", reason: "needs \"morse\"")],
                            requestID: 0),
         EncodingDispatched(encoders: [], unplaced: [UnplacedEncoder(encoder: "", reason: ""), UnplacedEncoder(encoder: "x", reason: "東京")],
                            requestID: .max)]
    }

    static var texts_: [EncodeText] {
        texts.flatMap { text in
            [EncodeText(text: text, analyzer: a, requester: far, encoder: "MorseEncoder", resends: 3, requestID: 9),
             EncodeText(text: text, analyzer: far, requester: zero, encoder: "", resends: 0, requestID: 0)]
        }
    }

    static var analyses: [AnalyzeEncoding] {
        texts.map { AnalyzeEncoding(encoder: "Rot13Encoder", input: $0, output: String($0.reversed()), requester: a, requestID: 7) }
            + [AnalyzeEncoding(encoder: "", input: "", output: "", requester: zero)]
    }

    static var reports: [EncodingReport] {
        [nil, 0, 0.3, -0.0, .infinity, .nan, 1e300].flatMap { density in
            texts.map { EncodingReport(encoder: "Base64Encoder", density: density, output: $0, requestID: 5) }
        }
    }

    /// The value's bytes are the generated encoder's for its proto form, and both decoders read them back as the value.
    static func agree<M: Ensemble.Message & ProtoConvertible & Equatable>(_ message: M, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let generated: [UInt8] = try message.proto.serializedBytes()
        #expect(try message.encodedPayload() == generated, sourceLocation: sourceLocation)
        let fast = try M.decodePayload(generated), slow = try M(proto: M.Proto(serializedBytes: generated))
        // (A NaN density is equal to nothing, itself included: the bytes say it is the same.)
        #expect(try fast.encodedPayload() == generated && slow.encodedPayload() == generated, sourceLocation: sourceLocation)
        if (message as? EncodingReport)?.density?.isNaN != true {
            #expect(fast == message && slow == message, sourceLocation: sourceLocation)
        }
    }

    @Test func theHandWrittenCodecWritesAndReadsWhatTheGeneratedOneDoes() throws {
        for message in Self.requests { try Self.agree(message) }
        for message in Self.notices { try Self.agree(message) }
        for message in Self.texts_ { try Self.agree(message) }
        for message in Self.analyses { try Self.agree(message) }
        for message in Self.reports { try Self.agree(message) }
        try Self.agree(EncodingFailed(encoder: "MorseEncoder", reason: "too large", requestID: 3))
        try Self.agree(EncodingUnplaced(unplaced: UnplacedEncoder(encoder: "Base64Encoder", reason: "node lost"), requestID: 4))
    }

    @Test func eachTravelsUnderItsFullProtoName() {
        let types: [any Ensemble.Message.Type] = encoderAppMessages
        #expect(types.map { $0.messageType } == [
            "ensemble.v2.EncodeRequest", "ensemble.v2.EncodingDispatched", "ensemble.v2.EncodeText", "ensemble.v2.AnalyzeEncoding",
            "ensemble.v2.EncodingReport", "ensemble.v2.EncodingFailed", "ensemble.v2.EncodingUnplaced",
        ])
    }

    /// Fields from a newer schema come back as they came, after the known ones.
    @Test func fieldsFromANewerSchemaAreKeptAndWrittenBack() throws {
        let added: [UInt8] = [0x7A, 0x02, 0x68, 0x69]  // field 15, "hi"
        let text = try EncodeText.decodePayload(try Self.texts_[2].encodedPayload() + added)
        #expect(text.unknownFields == added)
        #expect(try text.encodedPayload() == Self.texts_[2].encodedPayload() + added)
        let report = try EncodingReport.decodePayload(try Self.reports[9].encodedPayload() + added)
        #expect(try report.encodedPayload() == Self.reports[9].encodedPayload() + added)
    }

    /// An address the runtime would refuse is refused by both decoders.
    @Test func anAddressWithoutAHostIsRefused() throws {
        var generated = Ensemble_V2_EncodeText()
        generated.text = "hi"
        generated.requester = Self.a.proto
        #expect(throws: WireError.self) { try EncodeText.decodePayload(try generated.serializedBytes()) }
        generated.analyzer = Ensemble_V2_ActorAddress()
        #expect(throws: WireError.self) { try EncodeText.decodePayload(try generated.serializedBytes()) }
        generated.analyzer = Self.a.proto
        generated.analyzer.port = 70000
        #expect(throws: WireError.self) { try EncodeText.decodePayload(try generated.serializedBytes()) }
    }

    /// Every way of cutting or flipping a payload: the hand-written decoder returns what the
    /// generated one (then the conversion) returns, or throws when it throws.
    @Test func onAnyBytesTheGeneratedDecoderHasTheFinalWord() throws {
        try Self.mutations(of: Self.requests[5])
        try Self.mutations(of: Self.notices[1])
        try Self.mutations(of: Self.texts_[2])
        try Self.mutations(of: Self.analyses[1])
        try Self.mutations(of: Self.reports[10])
    }

    static func mutations<M: Ensemble.Message & ProtoConvertible & Equatable>(of sample: M) throws {
        let bytes = try sample.encodedPayload()
        var inputs = (0...bytes.count).map { Array(bytes[..<$0]) }
        for index in bytes.indices {
            for flip: UInt8 in [0x01, 0x80, 0xFF] {
                var changed = bytes
                changed[index] ^= flip
                inputs.append(changed)
            }
        }
        // A field from a newer schema, and every field given twice (message fields merge).
        inputs += [bytes + [0x7A, 0x02, 0x68, 0x69], bytes + bytes]
        for input in inputs {
            let reference = (try? M.Proto(serializedBytes: input)).flatMap { try? M(proto: $0) }
            let fast = try? M.decodePayload(input)
            if let reference, let fast {
                #expect(try fast.encodedPayload() == reference.encodedPayload(), "\(M.self) \(input)")
            } else {
                #expect(reference == nil && fast == nil, "\(M.self) \(input): reference \(String(describing: reference)), fast \(String(describing: fast))")
            }
        }
    }
}
