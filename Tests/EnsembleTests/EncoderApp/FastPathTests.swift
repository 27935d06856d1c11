import EncoderApp
import SwiftProtobuf
import Testing
@testable import Ensemble

/// The pipeline's hand-written proto3 codec (Messages+FastPath.swift) against the generated
/// one: the same bytes out, the same values in, and the generated decoder's verdict wherever
/// the fast reader gives up.
@Suite struct FastPathTests {
    static let a = ActorAddress(parsing: "127.0.0.1:1900@1a243bda227/2")!
    static let far = ActorAddress(parsing: "東京.example:65535@ffffffffffffffff/18446744073709551615")!
    static let texts = ["", "This is a multi-system test", "Grüße ☃ 東京", String(repeating: "x", count: 300)]

    static var requests: [EncodeRequest] {
        texts.flatMap { text in [0, 1, 127, 128, .max].map { EncodeRequest(text: text, requestID: $0) } }
    }

    static var texts_: [EncodeText] {
        var values = texts.flatMap { text in
            [EncodeText(text: text, analyzer: a, requester: far, encoder: "MorseEncoder", resends: 3, requestID: 9),
             EncodeText(text: text, analyzer: far, requester: a, encoder: "", resends: 0, requestID: 0)]
        }
        values.append(EncodeText())  // no address set at all
        var zeroAddress = EncodeText()
        zeroAddress.analyzer = Ensemble_V2_ActorAddress()  // set, every field zero
        values.append(zeroAddress)
        return values
    }

    static var analyses: [AnalyzeEncoding] {
        texts.map { AnalyzeEncoding(encoder: "Rot13Encoder", input: $0, output: String($0.reversed()), requester: a, requestID: 7) }
            + [AnalyzeEncoding()]
    }

    static var reports: [EncodingReport] {
        [nil, 0, 0.3, -0.0, .infinity, .nan, 1e300].flatMap { density in
            texts.map { EncodingReport(encoder: "Base64Encoder", density: density, output: $0, requestID: 5) }
        }
    }

    /// The generated codec's bytes and values for `message`, and the fast ones, agree.
    static func agree<M: Ensemble.Message & SwiftProtobuf.Message>(_ message: M, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let generated: [UInt8] = try message.serializedBytes()
        #expect(try message.encodedPayload() == generated, sourceLocation: sourceLocation)
        let fast = try M.decodePayload(generated)
        #expect(try fast.serializedBytes() as [UInt8] == generated, sourceLocation: sourceLocation)
        // (A NaN density is equal to nothing, itself included: its bytes above say it is the same.)
        if (fast as? EncodingReport)?.density.isNaN != true {
            #expect(fast.isEqualTo(message: try M(serializedBytes: generated)), sourceLocation: sourceLocation)
        }
    }

    @Test func theFastCodecWritesAndReadsWhatTheGeneratedOneDoes() throws {
        for message in Self.requests { try Self.agree(message) }
        for message in Self.texts_ { try Self.agree(message) }
        for message in Self.analyses { try Self.agree(message) }
        for message in Self.reports { try Self.agree(message) }
    }

    /// Every way of cutting or flipping a payload: the fast path returns what the generated
    /// decoder returns, or throws when it throws.
    @Test func onAnyBytesTheGeneratedDecoderHasTheFinalWord() throws {
        try Self.mutations(of: Self.requests[5])
        try Self.mutations(of: Self.texts_[2])
        try Self.mutations(of: Self.analyses[1])
        try Self.mutations(of: Self.reports[10])
    }

    static func mutations<M: Ensemble.Message & SwiftProtobuf.Message>(of sample: M) throws {
        let bytes: [UInt8] = try sample.serializedBytes()
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
            let generated = try? M(serializedBytes: input)
            let fast = try? M.decodePayload(input)
            if let generated, let fast {
                let same = try fast.serializedBytes() as [UInt8] == generated.serializedBytes()
                #expect(same, "\(M.self) \(input)")
            } else {
                #expect(generated == nil && fast == nil, "\(M.self) \(input): generated \(String(describing: generated)), fast \(String(describing: fast))")
            }
        }
    }
}
