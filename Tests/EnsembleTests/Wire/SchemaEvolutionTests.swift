import EncoderApp
import Testing
@testable import Ensemble

/// docs/protocol.md's evolution rules, byte by byte: a message from a newer schema (a field
/// added since) is read by this build, which keeps the field it does not know; a message from
/// an older schema (without a field this build has) reads as that field's zero value.
@Suite struct SchemaEvolutionTests {
    /// `EncodeRequest{text: "hi", request_id: 7}` as this schema writes it.
    static let current: [UInt8] = [0x0A, 0x02, 0x68, 0x69, 0x10, 0x07]
    /// The same from a newer schema that added `string language = 3` ("de") and
    /// `repeated uint64 hints = 9` ([1, 300], packed).
    static let newer: [UInt8] = current + [0x1A, 0x02, 0x64, 0x65] + [0x4A, 0x03, 0x01, 0xAC, 0x02]
    /// From an older schema that had only `text`.
    static let older: [UInt8] = [0x0A, 0x02, 0x68, 0x69]

    @Test func thisBuildWritesTheDocumentedBytes() throws {
        #expect(try EncodeRequest(text: "hi", requestID: 7).encodedPayload() == Self.current)
    }

    @Test func aNewerMessageIsReadAndItsNewFieldsKept() throws {
        let request = try EncodeRequest.decodePayload(Self.newer)
        #expect(request.text == "hi" && request.requestID == 7)
        // Kept, and written again: an actor that forwards the message loses nothing.
        #expect(try request.encodedPayload() == Self.newer)
    }

    @Test func anOlderMessageReadsTheMissingFieldAsZero() throws {
        let request = try EncodeRequest.decodePayload(Self.older)
        #expect(request.text == "hi" && request.requestID == 0)
    }

    @Test func theControlPlaneReadsRequestsWithFieldsAddedSince() throws {
        let life = NodeID(address: NodeAddress(host: "10.0.0.5", port: 10000), incarnation: 0x18c)
        let join = JoinRequest(node: life, capabilities: Capabilities(["morse"]), load: 2, protocolVersion: 2,
                               maxMessageSize: 1 << 20)
        let (typeName, payload) = try ControlCodec.encode(ControlRequest.join(join))
        #expect(typeName == "ensemble.v2.JoinRequest")
        // Field 15 (a string) that a later minor revision might add.
        let added = payload + [0x7A, 0x03, 0x61, 0x62, 0x63]
        #expect(try ControlCodec.decodeRequest(typeName, added) == .join(join))
        // And a JOIN from an older build without `max_message_size` reads as one that names none.
        var older = join.proto
        older.clearMaxMessageSize()
        #expect(try ControlCodec.decodeRequest(typeName, older.serializedBytes()) == .join(JoinRequest(
            node: life, capabilities: Capabilities(["morse"]), load: 2, protocolVersion: 2)))
    }
}
