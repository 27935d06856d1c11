import EncoderApp
import Testing

@testable import Ensemble

/// `RecentDecoder`: the registered type for the type name seen last, reused.
struct RecentDecoderTests {
    static let registry: MessageRegistry = {
        var registry = MessageRegistry()
        registry.register(Command.self)
        registry.register(EncodeRequest.self)
        return registry
    }()

    /// Messages of three types (Codable, hand-written layout, system), in runs and alternating.
    static let stream: [any Message] = [
        Command(verb: "inc"), Command(verb: "dec"), EncodeRequest(text: "héllo", requestID: 5),
        Command(verb: "boom"), WakeupMessage(payload: "tick"), WakeupMessage(payload: nil),
        EncodeRequest(text: "", requestID: 6), Command(verb: "inc"), WakeupMessage(payload: "tock"),
    ]

    static func typeName(of message: any Message) -> String { type(of: message).messageType }

    /// What a test compares: the type and the field values.
    static func describe(_ message: any Message) -> String { "\(type(of: message)) \(message)" }

    @Test func decodesLikeTheRegistryAcrossAlternatingTypes() throws {
        var recent = RecentDecoder()
        for (index, original) in Self.stream.enumerated() {
            let name = Self.typeName(of: original)
            let payload = try original.encodedPayload()
            let decoded = try recent.decode(name, payload, with: Self.registry)
            #expect(Self.describe(decoded) == Self.describe(original), "message \(index)")
            #expect(Self.describe(decoded) == Self.describe(try Self.registry.decode(name, payload)), "message \(index)")
        }
    }

    @Test func anUnknownTypeAfterAKnownOneIsRefused() throws {
        var recent = RecentDecoder()
        let payload = try Command(verb: "inc").encodedPayload()
        _ = try recent.decode("Command", payload, with: Self.registry)
        // Another name, though the payload is one the last decoder reads.
        #expect(throws: EnsembleError.unknownMessageType("Commands")) {
            try recent.decode("Commands", payload, with: Self.registry)
        }
        #expect(throws: EnsembleError.unknownMessageType("")) {
            try recent.decode("", payload, with: Self.registry)
        }
        // The known type still decodes afterwards.
        let again = try recent.decode("Command", payload, with: Self.registry)
        #expect((again as? Command)?.verb == "inc")
    }

    @Test func anUnknownTypeFirstIsRefused() throws {
        var recent = RecentDecoder()
        #expect(throws: EnsembleError.unknownMessageType("Nope")) {
            try recent.decode("Nope", [], with: Self.registry)
        }
    }

    @Test func aTypeUnknownToThisRegistryIsRefusedEvenAfterAnotherRegistryDecodedIt() throws {
        var recent = RecentDecoder()
        let payload = try Command(verb: "inc").encodedPayload()
        _ = try recent.decode("Command", payload, with: Self.registry)
        #expect(throws: EnsembleError.unknownMessageType("EncodeRequest")) {
            try recent.decode("EncodeRequest", try EncodeRequest(text: "x").encodedPayload(), with: MessageRegistry())
        }
    }

    @Test func anUndecodablePayloadFailsAsWithTheRegistry() throws {
        var recent = RecentDecoder()
        _ = try recent.decode("Command", try Command(verb: "inc").encodedPayload(), with: Self.registry)
        let garbage: [UInt8] = [0xFF, 0xFF, 0xFF]
        var registryError: EnsembleError?
        do { _ = try Self.registry.decode("Command", garbage) } catch { registryError = error as? EnsembleError }
        var recentError: EnsembleError?
        do { _ = try recent.decode("Command", garbage, with: Self.registry) } catch { recentError = error as? EnsembleError }
        guard case .undecodable(let name, _) = recentError else {
            Issue.record("expected undecodable, got \(String(describing: recentError))")
            return
        }
        #expect(name == "Command")
        #expect(recentError == registryError)
    }
}
