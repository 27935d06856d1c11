import SwiftProtobuf
import Testing

@testable import Ensemble

/// A client's placement hint on the wire (`CreateActorRequest.preferred_node`,
/// `preferred_capability`): what it reads as, and what the gateway refuses on arrival.
@Suite struct ControlCodecHintTests {
    static let typeName = "ensemble.v2.CreateActorRequest"

    static func decode(_ request: Ensemble_V2_CreateActorRequest) throws(WireError) -> ControlRequest {
        try ControlCodec.decodeRequest(typeName, try! request.serializedBytes())
    }

    static func refusal(_ request: Ensemble_V2_CreateActorRequest) -> String? {
        do {
            _ = try decode(request)
            return nil
        } catch {
            return error.detail
        }
    }

    @Test func hintsRoundTrip() throws {
        for hint in [PlacementHint.node(NodeAddress(host: "fe80::1", port: .max)), .node(NodeAddress(host: "東京.example", port: 1)),
                     .capability("gpu"), .capability("Caesar cipher")] {
            for name in [nil, "g"] {
                let request = ControlRequest.createActor(typeName: "Echo", globalName: name, hint: hint)
                #expect(try ControlCodec.roundTrip(request) == request)
                #expect(try ControlCodec.encode(request).typeName == Self.typeName)
            }
        }
        // No hint is no field: the bytes are what a build without hints writes.
        let plain = try ControlCodec.encode(.createActor(typeName: "Echo", globalName: "g"))
        #expect(plain.payload == (try Ensemble_V2_CreateActorRequest.with { $0.typeName = "Echo"; $0.globalName = "g" }.serializedBytes()))
        #expect(try ControlCodec.roundTrip(.createActor(typeName: "Echo", globalName: nil)) == .createActor(typeName: "Echo", globalName: nil, hint: nil))
    }

    @Test func aPreferredCapabilityIsReadTrimmed() throws {
        let request = Ensemble_V2_CreateActorRequest.with { $0.typeName = "Echo"; $0.preferredCapability = "  gpu\t" }
        #expect(try Self.decode(request) == .createActor(typeName: "Echo", globalName: nil, hint: .capability("gpu")))
    }

    @Test func aMalformedPreferredNodeIsRefusedOnArrival() {
        func node(_ host: String, _ port: UInt32) -> Ensemble_V2_CreateActorRequest {
            .with { $0.typeName = "Echo"; $0.preferredNode = .with { $0.host = host; $0.port = port } }
        }
        #expect(Self.refusal(node("", 10_000)) == "bad placement hint: the preferred node's address is malformed (bad host)")
        #expect(Self.refusal(node(String(repeating: "h", count: 256), 10_000))?.hasPrefix("bad placement hint:") == true)
        #expect(Self.refusal(node("127.0.0.1", 65_536))
            == "bad placement hint: the preferred node's address is malformed (port 65536 is out of range)")
        #expect(Self.refusal(node("127.0.0.1", 0)) == "bad placement hint: the preferred node's port is 0")
        // A preferred node set to the default message is an address with no host: refused, not "no hint".
        #expect(Self.refusal(.with { $0.typeName = "Echo"; $0.preferredNode = Ensemble_V2_NodeAddress() }) != nil)
        // The limits themselves are fine.
        #expect(Self.refusal(node(String(repeating: "h", count: 255), 65_535)) == nil)
        #expect(Self.refusal(node("h", 1)) == nil)
    }

    @Test func aMalformedPreferredCapabilityIsRefusedOnArrival() {
        func capability(_ name: String) -> Ensemble_V2_CreateActorRequest {
            .with { $0.typeName = "Echo"; $0.preferredCapability = name }
        }
        #expect(Self.refusal(capability("")) == "bad placement hint: the preferred capability is empty")
        #expect(Self.refusal(capability(" \n ")) == "bad placement hint: the preferred capability is empty")
        #expect(Self.refusal(capability(String(repeating: "x", count: 1025)))
            == "bad placement hint: the preferred capability is over 1024 UTF-8 bytes")
        // Trimmed first: what counts is the name, not the spaces around it.
        #expect(Self.refusal(capability(" " + String(repeating: "x", count: 1024) + " ")) == nil)
    }

    @Test func theLastHintOnTheWireWins() throws {
        // Protobuf's rule for a oneof: a field that comes later replaces an earlier one.
        var bytes = try Ensemble_V2_CreateActorRequest.with {
            $0.typeName = "Echo"
            $0.preferredNode = .with { $0.host = "h"; $0.port = 1 }
        }.serializedBytes() as [UInt8]
        bytes += try Ensemble_V2_CreateActorRequest.with { $0.preferredCapability = "gpu" }.serializedBytes() as [UInt8]
        #expect(try ControlCodec.decodeRequest(Self.typeName, bytes)
            == .createActor(typeName: "Echo", globalName: nil, hint: .capability("gpu")))
    }
}
