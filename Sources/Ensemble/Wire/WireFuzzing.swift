/// Decodes bytes as a node or client decodes what it receives; for fuzzers and corpus replay.
///
/// One input goes through every decoder that reads bytes off the network: the
/// version refusal parser, a node connection's identity parser, the envelope
/// batch decoder and, for each envelope, every payload decoder a receiver may
/// apply to it (the message registry, `Control`, `LeaderHeartbeat`,
/// `SequencedUpdate`). The whole input is also tried as a bare payload of each
/// of those types, because a fuzzer's insertions and deletions inside an
/// envelope break its length field and would rarely reach the payload decoders
/// otherwise. Every `Control`, `SequencedUpdate` and `LeaderHeartbeat` decoded, from an
/// envelope or as the whole input, then drives the convention protocol through
/// `ControlFuzzing`. No input may trap, nor break the protocol's invariants.
@_spi(Fuzzing) public struct WireFuzzing: Sendable {
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
        /// What the decoded control messages, updates and heartbeats did to the convention
        /// protocol (`ControlFuzzing`): the actions by kind, and any invariant broken.
        public var plane: ControlFuzzing.Outcome
    }

    /// An input's bytes decoded as each payload type a node reads off the network.
    private struct Bare {
        var control: Control?
        var heartbeat: LeaderHeartbeat?
        var update: SequencedUpdate?
        var types: [String]

        /// The messages for the control plane, with the envelope that carried them.
        func messages(_ envelope: Envelope?) -> [ControlFuzzing.Message] {
            var messages: [ControlFuzzing.Message] = []
            if let control { messages.append(.control(control, envelope)) }
            if let update { messages.append(.update(update)) }
            if let heartbeat { messages.append(.heartbeat(heartbeat)) }
            return messages
        }
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

    /// Decodes `bytes` in every way a receiver might, and drives the control plane with what decoded.
    public func decodeEverything(_ bytes: [UInt8]) -> Outcome {
        let frame: Result<[Envelope], WireError>
        do throws(WireError) {
            frame = .success(try Envelope.decodeBatch(bytes))
        } catch {
            frame = .failure(error)
        }
        var decoded: [Bool] = []
        var reencodesExactly = true
        var messages: [ControlFuzzing.Message] = []
        if case .success(let envelopes) = frame {
            reencodesExactly = Envelope.encodeBatch(envelopes) == bytes
            for envelope in envelopes {
                let bare = decodeBare(envelope.payload)
                decoded.append(decodesAsItsKind(envelope, bare))
                messages += bare.messages(envelope)
            }
        }
        let whole = decodeBare(bytes)
        messages += whole.messages(nil)
        return Outcome(
            versionRefusal: Envelope.parseVersionRefusal(bytes), identity: NodeIO.nodeIdentity(bytes), frame: frame,
            payloadsDecoded: decoded, bareTypes: whole.types, reencodesExactly: reencodesExactly,
            plane: ControlFuzzing.drive(messages, choosingBy: bytes))
    }

    private func decodesAsItsKind(_ envelope: Envelope, _ bare: Bare) -> Bool {
        switch envelope.kind {
        case .tell:
            return (try? registry.decode(envelope.typeName, envelope.payload)) != nil
        case .control:
            return bare.control != nil
        case .reply:
            return bare.control != nil || (try? registry.decode(envelope.typeName, envelope.payload)) != nil
        case .update:
            return envelope.typeName == LeaderHeartbeat.typeName ? bare.heartbeat != nil : bare.update != nil
        }
    }

    private func decodeBare(_ payload: [UInt8]) -> Bare {
        var bare = Bare(
            control: try? PayloadCodec.decode(Control.self, from: payload),
            heartbeat: try? PayloadCodec.decode(LeaderHeartbeat.self, from: payload),
            update: try? PayloadCodec.decode(SequencedUpdate.self, from: payload), types: [])
        if bare.control != nil { bare.types.append(Control.typeName) }
        if bare.heartbeat != nil { bare.types.append(LeaderHeartbeat.typeName) }
        if bare.update != nil { bare.types.append(SequencedUpdate.typeName) }
        for name in messageTypes where (try? registry.decode(name, payload)) != nil { bare.types.append(name) }
        return bare
    }
}
