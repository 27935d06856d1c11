/// A message actors exchange: a Codable value with a stable registered type name.
public protocol Message: Codable, Sendable {
    /// The name this type travels under; the same on every node. Defaults to the Swift
    /// type name, derived at each send; spell it out for messages on a hot path.
    static var messageType: String { get }
    /// The payload bytes that travel for this message. The default writes its
    /// `Codable` form and a `WireMessage` writes its hand-made layout; there is
    /// no need to implement it. (A requirement, not a cast at each send.)
    func encodedPayload() throws -> [UInt8]
}

extension Message {
    public static var messageType: String { String(describing: Self.self) }

    public func encodedPayload() throws -> [UInt8] { try BinaryPayloadEncoder().encode(self) }
}

extension WireMessage {
    public func encodedPayload() throws -> [UInt8] {
        var writer = WireWriter()
        write(to: &writer)
        return writer.inner.bytes
    }
}

/// Encodes and decodes message payloads (the compact binary format of `BinaryPayloadEncoder`).
enum PayloadCodec {
    static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        if let wire = value as? any WireMessage {
            var writer = WireWriter()
            wire.write(to: &writer)
            return writer.inner.bytes
        }
        return try BinaryPayloadEncoder().encode(value)
    }

    static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        if bytes.first == WireWriter.marker {
            guard let wireType = type as? any WireMessage.Type else {
                throw WireError.malformed("a hand-written payload for \(T.self), which reads only Codable ones")
            }
            var reader = WireReader(bytes)
            let value = try wireType.init(from: &reader)
            guard reader.isAtEnd, let typed = value as? T else { throw WireError.malformed("trailing bytes in \(T.self)") }
            return typed
        }
        return try BinaryPayloadDecoder().decode(type, from: bytes)
    }

    /// Decodes a `WireMessage` without dynamic checks (either layout).
    static func decodeWire<W: WireMessage>(_ type: W.Type, from bytes: [UInt8]) throws -> W {
        guard bytes.first == WireWriter.marker else { return try BinaryPayloadDecoder().decode(type, from: bytes) }
        var reader = WireReader(bytes)
        let value = try W(from: &reader)
        guard reader.isAtEnd else { throw WireError.malformed("trailing bytes in \(W.self)") }
        return value
    }
}

/// Maps registered type names to decoders, so payloads can be turned back into values.
public struct MessageRegistry: Sendable {
    private var decoders: [String: Decoder] = [:]

    /// A registry that knows the system messages.
    public init() {
        register(ActorExitRequest.self)
        register(ChildActorExited.self)
        register(ChildActorReplaced.self)
        register(PoisonMessage.self)
        register(DeadLetter.self)
        register(WakeupMessage.self)
    }

    /// Registers a message type under its `messageType`.
    public mutating func register<M: Message>(_ type: M.Type) {
        precondition(!M.messageType.isEmpty && M.messageType.utf8.count <= 1024, "message type names are 1-1024 UTF-8 bytes")
        // Decided once here, not at every message: hand-written layouts skip the dynamic checks.
        if let wire = type as? any WireMessage.Type { return registerWire(wire) }
        decoders[M.messageType] = { bytes in try PayloadCodec.decode(M.self, from: bytes) }
    }

    private mutating func registerWire<W: WireMessage>(_ type: W.Type) {
        decoders[W.messageType] = { bytes in try PayloadCodec.decodeWire(W.self, from: bytes) }
    }

    /// Whether `typeName` is registered.
    public func knows(_ typeName: String) -> Bool { decoders[typeName] != nil }

    /// Every registered type name, in no particular order.
    var typeNames: [String] { Array(decoders.keys) }

    /// Decodes a payload of the registered type `typeName`.
    public func decode(_ typeName: String, _ payload: [UInt8]) throws -> any Message {
        guard let decoder = decoders[typeName] else { throw EnsembleError.unknownMessageType(typeName) }
        return try Self.run(decoder, typeName, payload)
    }

    fileprivate func decoder(for typeName: String) -> Decoder? { decoders[typeName] }

    fileprivate typealias Decoder = @Sendable ([UInt8]) throws -> any Message

    fileprivate static func run(_ decoder: Decoder, _ typeName: String, _ payload: [UInt8]) throws -> any Message {
        do {
            return try decoder(payload)
        } catch {
            throw EnsembleError.undecodable(typeName, "\(error)")
        }
    }
}

/// The decoder one reader used last: a stream of one message type then skips
/// hashing the type name into the registry's table at every message.
struct RecentDecoder {
    private var typeName = ""
    private var decoder: MessageRegistry.Decoder?

    /// Decodes like `MessageRegistry.decode`.
    mutating func decode(_ typeName: String, _ payload: [UInt8], with registry: MessageRegistry) throws -> any Message {
        if let decoder, typeName == self.typeName { return try MessageRegistry.run(decoder, typeName, payload) }
        guard let found = registry.decoder(for: typeName) else { throw EnsembleError.unknownMessageType(typeName) }
        self.typeName = typeName
        decoder = found
        return try MessageRegistry.run(found, typeName, payload)
    }
}

/// The runtime's own messages, which only the runtime (and, for `ActorExitRequest`, an
/// actor's parent or an admin key) may send: checked by type name on arrival.
enum SystemMessages {
    /// Whether `typeName` names one of the runtime's lifecycle messages. Asked per envelope
    /// from the network, so the length is compared before any bytes.
    static func isLifecycle(_ typeName: String) -> Bool {
        switch typeName.utf8.count {
        case 16: return typeName == ActorExitRequest.messageType || typeName == ChildActorExited.messageType
        case 13: return typeName == PoisonMessage.messageType || typeName == WakeupMessage.messageType
        case 10: return typeName == DeadLetter.messageType
        case 18: return typeName == ChildActorReplaced.messageType
        default: return false
        }
    }
}

/// Asks an actor to stop; sent to its children too.
public struct ActorExitRequest: Message {
    public static var messageType: String { "ActorExitRequest" }
    /// Creates the request.
    public init() {}
}

/// Why an actor ended.
public enum ExitReason: Codable, Sendable, Equatable, CustomStringConvertible {
    /// It stopped on request or by calling `exit()`.
    case stopped
    /// Its handler failed more often than its supervisor allows.
    case crashed
    /// Its node no longer has a capability it requires.
    case capabilityLost
    /// Its node left the convention or died.
    case nodeLost(NodeAddress)

    public var description: String {
        switch self {
        case .stopped: return "stopped"
        case .crashed: return "crashed"
        case .capabilityLost: return "capabilityLost"
        case .nodeLost(let node): return "nodeLost(\(node))"
        }
    }
}

/// Tells a parent that one of its children ended.
public struct ChildActorExited: Message {
    public static var messageType: String { "ChildActorExited" }
    /// The child that ended.
    public var child: ActorAddress
    /// Why it ended.
    public var reason: ExitReason
    /// Creates the notice.
    public init(child: ActorAddress, reason: ExitReason) {
        self.child = child
        self.reason = reason
    }
}

/// Returned to the sender of a message whose handler failed.
public struct PoisonMessage: Message {
    public static var messageType: String { "PoisonMessage" }
    /// The type name of the message that failed.
    public var originalType: String
    /// The encoded message that failed.
    public var originalPayload: [UInt8]
    /// What went wrong.
    public var details: String
    /// Creates the notice.
    public init(originalType: String, originalPayload: [UInt8], details: String) {
        self.originalType = originalType
        self.originalPayload = originalPayload
        self.details = details
    }
}

/// Returned to the sender of a message that could not be delivered.
public struct DeadLetter: Message {
    public static var messageType: String { "DeadLetter" }
    /// Where the message was going.
    public var recipient: ActorAddress
    /// Its type name.
    public var originalType: String
    /// The encoded message (empty when it was never encoded, or too large to come back).
    public var originalPayload: [UInt8]
    /// Why it was not delivered.
    public var reason: String
    /// Set when the message was never sent because it is larger than the convention's
    /// message size limit: resending it cannot help.
    public var tooLarge: MessageTooLarge?
    /// Creates the notice.
    public init(
        recipient: ActorAddress, originalType: String, originalPayload: [UInt8] = [], reason: String,
        tooLarge: MessageTooLarge? = nil
    ) {
        self.recipient = recipient
        self.originalType = originalType
        self.originalPayload = originalPayload
        self.reason = reason
        self.tooLarge = tooLarge
    }

    /// The undelivered message as `type`, if it was one (so the sender can retry it elsewhere).
    public func original<M: Message>(as type: M.Type) -> M? {
        guard originalType == M.messageType else { return nil }
        return try? PayloadCodec.decode(M.self, from: originalPayload)
    }
}

/// How much larger than the convention's limit a message was.
public struct MessageTooLarge: Codable, Sendable, Equatable, CustomStringConvertible {
    /// The message's size on the wire, in bytes.
    public var size: Int
    /// The convention's limit (`--max-message-size`), in bytes.
    public var limit: Int

    /// Creates the record.
    public init(size: Int, limit: Int) {
        self.size = size
        self.limit = limit
    }

    public var description: String {
        "a message of \(MessageSize.describe(size)) is larger than the convention's limit of \(MessageSize.describe(limit))"
    }
}

/// Delivered to an actor after `wakeup(after:)`.
public struct WakeupMessage: Message {
    public static var messageType: String { "WakeupMessage" }
    /// What the actor asked to be reminded of.
    public var payload: String?
    /// Creates the wakeup.
    public init(payload: String? = nil) { self.payload = payload }
}
