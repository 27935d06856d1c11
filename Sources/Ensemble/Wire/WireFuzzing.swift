/// Decodes bytes as a node or client decodes what it receives; for fuzzers and corpus replay.
///
/// One input goes through every decoder that reads bytes off the network: the
/// version refusal parser, a node connection's identity parser, the envelope
/// batch decoder and, for each envelope, every payload decoder a receiver may
/// apply to it (the message registry, the control requests and replies,
/// `LeaderHeartbeat`, `SequencedUpdate`). The whole input is also tried as a bare
/// payload of each of those types, because a fuzzer's insertions and deletions inside an
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
        /// For each envelope, whether its payload decoded as its type name says, the way a
        /// receiver reads its kind: `tell` by the registry, `control` and `reply` as a control
        /// message, `update` as `LeaderHeartbeat` or `SequencedUpdate`.
        public var payloadsDecoded: [Bool]
        /// The names the whole input decodes as on its own, as they travel: the full proto
        /// names of control messages, updates and heartbeats, and registered message type names.
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
        var requests: [ControlRequest] = []
        var replies: [ControlReply] = []
        var heartbeat: LeaderHeartbeat?
        var update: SequencedUpdate?
        var types: [String]

        /// The messages for the control plane, with the envelope that carried them.
        func messages(_ envelope: Envelope?) -> [ControlFuzzing.Message] {
            var messages: [ControlFuzzing.Message] = []
            for request in requests { messages.append(.request(request, envelope)) }
            for reply in replies { messages.append(.reply(reply, envelope)) }
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
                let bare = decodeBare(envelope.payload, as: envelope.typeName)
                decoded.append(decodesAsItsKind(envelope, bare))
                messages += bare.messages(envelope)
            }
        }
        let whole = decodeBare(bytes, as: nil)
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
            return !bare.requests.isEmpty || !bare.replies.isEmpty
        case .reply:
            return !bare.replies.isEmpty || (try? registry.decode(envelope.typeName, envelope.payload)) != nil
        case .update:
            return bare.heartbeat != nil || bare.update != nil
        }
    }

    /// Decodes `payload` as `typeName` says, or (nil) as every type a node reads off the network.
    private func decodeBare(_ payload: [UInt8], as typeName: String?) -> Bare {
        var bare = Bare(types: [])
        let heartbeatName = LeaderHeartbeat.Proto.protoMessageName, updateName = SequencedUpdate.Proto.protoMessageName
        for name in typeName.map({ [$0] }) ?? ControlCodec.typeNames + [heartbeatName, updateName] + messageTypes {
            if name == heartbeatName, let beat = try? LeaderHeartbeat(protoBytes: payload) {
                bare.heartbeat = beat
            } else if name == updateName, let update = try? SequencedUpdate(protoBytes: payload) {
                bare.update = update
            } else if ControlCodec.isRequest(name), let request = try? ControlCodec.decodeRequest(name, payload) {
                bare.requests.append(request)
            } else if ControlCodec.isReply(name), let reply = try? ControlCodec.decodeReply(name, payload) {
                bare.replies.append(reply)
            } else if (try? registry.decode(name, payload)) == nil {
                continue
            }
            bare.types.append(name)
        }
        return bare
    }
}
