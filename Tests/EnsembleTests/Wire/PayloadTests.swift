import EncoderApp
import Ensemble
import Testing

/// `Message.encodedPayload()`: a `WireMessage` writes its own layout, a generated proto3 message its
/// protobuf encoding, a `Codable` message its compact form.
struct PayloadTests {
    struct Sample: WireMessage {
        static var messageType: String { "PayloadTests.Sample" }
        var number: UInt64
        var text: String
        init(number: UInt64, text: String) {
            self.number = number
            self.text = text
        }
        func write(to writer: inout WireWriter) {
            writer.write(number)
            writer.write(text)
        }
        init(from reader: inout WireReader) throws {
            number = try reader.readUInt64()
            text = try reader.readString()
        }
    }

    struct Plain: Message, Codable {
        static var messageType: String { "PayloadTests.Plain" }
        var number: UInt64
        var text: String
    }

    func registry() -> MessageRegistry {
        var registry = MessageRegistry()
        registry.register(Sample.self)
        registry.register(Plain.self)
        registry.register(EncodeRequest.self)
        return registry
    }

    @Test func aWireMessageWritesItsOwnLayoutAndReadsBack() throws {
        let sample = Sample(number: 42, text: "héllo")
        let bytes = try sample.encodedPayload()
        // Seen through the protocol (as the runtime sees it), the same layout comes out.
        let existential: any Message = sample
        #expect(try existential.encodedPayload() == bytes)
        #expect(bytes.first == 0xFE, "the hand-written layout's marker")
        let decoded = try #require(try registry().decode(Sample.messageType, bytes) as? Sample)
        #expect(decoded.number == 42 && decoded.text == "héllo")
    }

    @Test func aCodableMessageWritesItsCodableFormAndReadsBack() throws {
        let plain = Plain(number: 7, text: "x")
        let bytes = try plain.encodedPayload()
        #expect(bytes.first != 0xFE)
        let decoded = try #require(try registry().decode(Plain.messageType, bytes) as? Plain)
        #expect(decoded.number == 7 && decoded.text == "x")
    }

    @Test func aProtoMessageTravelsInTheProtobufEncodingUnderItsFullName() throws {
        let request = EncodeRequest(text: "héllo", requestID: 9)
        #expect(EncodeRequest.messageType == "ensemble.v2.EncodeRequest")
        let bytes = try request.encodedPayload()
        #expect(bytes == Array("\u{0A}\u{06}héllo\u{10}\u{09}".utf8), "field 1 (text), field 2 (request_id)")
        #expect(try registry().decode(EncodeRequest.messageType, bytes) as? EncodeRequest == request)
    }

    /// Each kind reads only its own encoding: a payload of another kind is refused, not misread.
    @Test func aPayloadOfAnotherKindIsRefused() throws {
        let plain = try Plain(number: 7, text: "x").encodedPayload()
        let sample = try Sample(number: 7, text: "x").encodedPayload()
        #expect(throws: EnsembleError.self) { try registry().decode(Sample.messageType, plain) }
        #expect(throws: EnsembleError.self) { try registry().decode(Plain.messageType, sample) }
        #expect(throws: EnsembleError.self) { try registry().decode(EncodeRequest.messageType, sample) }
    }
}
