import EncoderApp
import Foundation
import Testing
@testable import Ensemble

/// The envelope test vectors of docs/protocol.md, checked both ways: the envelope encodes to
/// exactly the bytes given, and the bytes decode to exactly the envelope. The vectors are read
/// from the page itself, so the page and the code cannot drift apart unnoticed.
@Suite struct EnvelopeVectorTests {
    /// Each vector's envelope, under the name its block has in docs/protocol.md.
    static let envelopes: [String: Envelope] = [
        "a client's request": Envelope(
            kind: .control, sender: nil,
            recipient: .system(NodeID(address: NodeAddress(host: "127.0.0.1", port: 1900), incarnation: 0)),
            typeName: "ensemble.v2.PingRequest", correlationID: 0x1122_3344_5566_7788, payload: []),
        "a client's tell": Envelope(
            kind: .tell, sender: nil,
            recipient: ActorAddress(
                node: NodeID(address: NodeAddress(host: "127.0.0.1", port: 1900), incarnation: 0x1a2_43bd_a227), id: 2),
            typeName: "ensemble.v2.EncodeRequest", correlationID: 0, payload: [0x0A, 0x02, 0x68, 0x69, 0x10, 0x07]),
        "an actor's request to a node's first life": Envelope(
            kind: .tell,
            sender: ActorAddress(
                node: NodeID(address: NodeAddress(host: "10.0.0.5", port: 10000), incarnation: 0x18c_2f3a_4b51), id: 0),
            recipient: ActorAddress(node: NodeID(address: NodeAddress(host: "10.0.0.7", port: 10001), incarnation: 0), id: 0),
            typeName: "ensemble.v2.PingRequest", correlationID: 0x0102_0304_0506_0708, payload: []),
    ]

    /// The page's vectors: a line `vector: NAME` then a fenced block of hex bytes.
    static func documentedVectors() throws -> [String: [UInt8]] {
        let page = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/protocol.md")
        let lines = try String(contentsOf: page, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        var vectors: [String: [UInt8]] = [:]
        var index = 0
        while index < lines.count {
            let line = lines[index].trimmingCharacters(in: .whitespaces)
            index += 1
            guard line.hasPrefix("vector: ") else { continue }
            let name = String(line.dropFirst("vector: ".count))
            guard index < lines.count, lines[index].hasPrefix("```") else { continue }
            index += 1
            var bytes: [UInt8] = []
            while index < lines.count, !lines[index].hasPrefix("```") {
                for token in lines[index].split(separator: " ") {
                    guard let byte = UInt8(token, radix: 16) else { throw VectorError.notHex(String(token), name) }
                    bytes.append(byte)
                }
                index += 1
            }
            vectors[name] = bytes
        }
        return vectors
    }

    enum VectorError: Error { case notHex(String, String) }

    @Test func thePageGivesEveryVector() throws {
        #expect(Set(try Self.documentedVectors().keys) == Set(Self.envelopes.keys))
    }

    @Test(arguments: Array(envelopes.keys).sorted())
    func eachVectorEncodesAndDecodesExactly(_ name: String) throws {
        let bytes = try #require(try Self.documentedVectors()[name], "docs/protocol.md has no vector \(name)")
        let envelope = try #require(Self.envelopes[name])
        #expect(envelope.encoded() == bytes)
        #expect(try Envelope.decodeBatch(bytes) == [envelope])
    }

    @Test func theVectorsBackToBackAreOneBatch() throws {
        let vectors = try Self.documentedVectors()
        let names = Array(Self.envelopes.keys).sorted()
        let frame = try names.flatMap { try #require(vectors[$0]) }
        #expect(try Envelope.decodeBatch(frame) == names.compactMap { Self.envelopes[$0] })
    }

    /// The payloads are what the page says they are.
    @Test func thePayloadsAreTheMessagesThePageNames() throws {
        #expect(try EncodeRequest(text: "hi", requestID: 7).encodedPayload() == Self.envelopes["a client's tell"]?.payload)
        let ping = try ControlCodec.encode(.ping)
        #expect(ping.typeName == Self.envelopes["a client's request"]?.typeName && ping.payload == [])
    }
}
