/// Decodes bytes as a node or client decodes what it receives; for fuzzers and corpus replay.
///
/// One input goes through every decoder that reads bytes off the network: the
/// version refusal parser, a node connection's identity parser, the envelope
/// batch decoder and, for each envelope, every payload decoder a receiver may
/// apply to it (the message registry, `Control`, `LeaderHeartbeat`,
/// `SequencedUpdate`). The whole input is also tried as a bare payload of each
/// of those types, because a fuzzer's insertions and deletions inside an
/// envelope break its length field and would rarely reach the payload decoders
/// otherwise. No input may trap.
public struct WireFuzzing: Sendable {
    /// What one input decoded as.
    public struct Outcome: Sendable {
        /// The text, if the input is a version refusal frame.
        public var versionRefusal: String?
        /// The node life, if the input is a node's connection identity (`N` + `HOST:PORT@INC`).
        public var identity: NodeID?
        /// The frame's envelopes, or why the frame was rejected.
        public var frame: Result<[Envelope], WireError>
        /// For each envelope, whether its payload decoded the way a receiver reads its kind:
        /// `tell` by the registry, `control` as `Control`, `reply` as `Control` or by the
        /// registry, `update` as `LeaderHeartbeat` (type name `heartbeat`) or `SequencedUpdate`.
        public var payloadsDecoded: [Bool]
        /// The names the whole input decodes as on its own, as they travel: `control`,
        /// `heartbeat`, `update` and registered message type names.
        public var bareTypes: [String]
        /// False when the input decoded as a frame that re-encodes to other bytes. The
        /// envelope layout has one encoding per value, so that means the decoder
        /// accepted something it misread.
        public var reencodesExactly: Bool
    }

    private let registry: MessageRegistry
    private let messageTypes: [String]

    /// A decoder knowing the system messages and `messages`, as a node that registers them.
    public init(messages: [any Message.Type] = []) {
        var registry = MessageRegistry()
        for type in messages { registry.register(type) }
        self.registry = registry
        // Sorted so that a run's coverage does not depend on the process's hash seed.
        messageTypes = registry.typeNames.sorted()
    }

    /// Decodes `bytes` in every way a receiver might.
    public func decodeEverything(_ bytes: [UInt8]) -> Outcome {
        let frame: Result<[Envelope], WireError>
        do throws(WireError) {
            frame = .success(try Envelope.decodeBatch(bytes))
        } catch {
            frame = .failure(error)
        }
        var decoded: [Bool] = []
        var reencodesExactly = true
        if case .success(let envelopes) = frame {
            reencodesExactly = Envelope.encodeBatch(envelopes) == bytes
            for envelope in envelopes {
                decoded.append(decodesAsItsKind(envelope))
                _ = bareTypes(envelope.payload)
            }
        }
        return Outcome(
            versionRefusal: Envelope.parseVersionRefusal(bytes), identity: NodeIO.nodeIdentity(bytes), frame: frame,
            payloadsDecoded: decoded, bareTypes: bareTypes(bytes), reencodesExactly: reencodesExactly)
    }

    private func decodesAsItsKind(_ envelope: Envelope) -> Bool {
        let payload = envelope.payload
        switch envelope.kind {
        case .tell:
            return (try? registry.decode(envelope.typeName, payload)) != nil
        case .control:
            return (try? PayloadCodec.decode(Control.self, from: payload)) != nil
        case .reply:
            return (try? PayloadCodec.decode(Control.self, from: payload)) != nil
                || (try? registry.decode(envelope.typeName, payload)) != nil
        case .update:
            if envelope.typeName == LeaderHeartbeat.typeName {
                return (try? PayloadCodec.decode(LeaderHeartbeat.self, from: payload)) != nil
            }
            return (try? PayloadCodec.decode(SequencedUpdate.self, from: payload)) != nil
        }
    }

    private func bareTypes(_ payload: [UInt8]) -> [String] {
        var types: [String] = []
        if (try? PayloadCodec.decode(Control.self, from: payload)) != nil { types.append(Control.typeName) }
        if (try? PayloadCodec.decode(LeaderHeartbeat.self, from: payload)) != nil { types.append(LeaderHeartbeat.typeName) }
        if (try? PayloadCodec.decode(SequencedUpdate.self, from: payload)) != nil { types.append(SequencedUpdate.typeName) }
        for name in messageTypes where (try? registry.decode(name, payload)) != nil { types.append(name) }
        return types
    }
}
