import SwiftProtobuf
import TestSupport
import Testing
@testable import Ensemble

/// `protoSize` must be what SwiftProtobuf writes, byte for byte: a status's pages are cut by
/// it, and a page that came out larger than counted would pass the message limit.
@Suite struct ProtoSizeTests {
    static func encoded(_ record: ActorRecord) throws -> Int {
        let bytes: [UInt8] = try record.proto.serializedBytes()
        return bytes.count
    }

    /// Each varint length boundary, and values on either side of it.
    @Test func varintSizesMatchEveryLengthBoundary() throws {
        #expect(ProtoSize.varint(0) == 1)
        for bytes in 1...9 {
            let largest = (UInt64(1) << (7 * UInt64(bytes))) - 1
            #expect(ProtoSize.varint(largest) == bytes, "\(largest)")
            #expect(ProtoSize.varint(largest + 1) == bytes + 1, "\(largest + 1)")
        }
        #expect(ProtoSize.varint(.max) == 10)
    }

    @Test func recordsAtTheEdgesOfTheirFields() throws {
        let node = NodeID(address: NodeAddress(host: "127.0.0.1", port: 1), incarnation: 0)
        let wide = NodeID(address: NodeAddress(host: String(repeating: "h", count: 200), port: 65535), incarnation: .max)
        let records = [
            ActorRecord(address: ActorAddress(node: node, id: 0), type: "", parent: nil, globalName: nil, restarts: 0),
            ActorRecord(address: ActorAddress(node: wide, id: .max), type: String(repeating: "T", count: 20_000),
                        parent: ActorAddress(node: wide, id: 1), globalName: "", restarts: .max),
            ActorRecord(address: ActorAddress(node: node, id: 127), type: "Encoder", parent: ActorAddress(node: node, id: 0),
                        globalName: "Ærøskøbing – 東京 🎌", restarts: 128),
            ActorRecord(address: ActorAddress(node: node, id: 128), type: "x", parent: nil, globalName: nil, restarts: -1),
        ]
        for record in records {
            #expect(record.protoSize == (try Self.encoded(record)), "\(record)")
        }
    }

    @Test func randomRecordsMatchSwiftProtobuf() throws {
        var random = SplitMix64(seed: 20_261_207)
        func text() -> String {
            let pieces = ["", "a", "Encoder", "é", "東京", "🎌", String(repeating: "z", count: 130)]
            return (0..<Int.random(in: 0...4, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined()
        }
        func value() -> UInt64 { UInt64.random(in: 0...UInt64.max, using: &random) >> UInt64.random(in: 0...64, using: &random) }
        func address() -> ActorAddress {
            let host = ["127.0.0.1", "h", "東京.example", String(repeating: "n", count: 255)].randomElement(using: &random)!
            let node = NodeID(address: NodeAddress(host: host, port: UInt16(truncatingIfNeeded: value())), incarnation: value())
            return ActorAddress(node: node, id: value())
        }
        for _ in 0..<2_000 {
            let record = ActorRecord(
                address: address(), type: text(), parent: Bool.random(using: &random) ? address() : nil,
                globalName: Bool.random(using: &random) ? text() : nil, restarts: Int(truncatingIfNeeded: value()))
            #expect(record.protoSize == (try Self.encoded(record)), "\(record)")
        }
    }
}
