#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

// The runtime's own messages travel as the proto3 messages of proto/ensemble/v2/system.proto,
// under their full names (`ensemble.v2.DeadLetter`, ...).

extension ActorExitRequest: ProtoConvertible {
    /// Spelled out: the protocol's default reaches it through the associated type at every use.
    public static var messageType: String { Ensemble_V2_ActorExitRequest.protoMessageName }

    public var proto: Ensemble_V2_ActorExitRequest { Ensemble_V2_ActorExitRequest() }
    public init(proto: Ensemble_V2_ActorExitRequest) {}
}

extension ExitReason: ProtoConvertible {
    public var proto: Ensemble_V2_ExitReason {
        var proto = Ensemble_V2_ExitReason()
        switch self {
        case .stopped: proto.kind = .stopped
        case .crashed: proto.kind = .crashed
        case .capabilityLost: proto.kind = .capabilityLost
        case .nodeLost(let node):
            proto.kind = .nodeLost
            proto.lostNode = node.proto
        }
        return proto
    }

    public init(proto: Ensemble_V2_ExitReason) throws(WireError) {
        switch proto.kind {
        case .stopped: self = .stopped
        case .crashed: self = .crashed
        case .capabilityLost: self = .capabilityLost
        case .nodeLost: self = .nodeLost(try NodeAddress(proto: proto.lostNode))
        case .unspecified, .UNRECOGNIZED: throw .malformed("an exit reason of no known kind")
        }
    }
}

extension ChildActorExited: ProtoConvertible {
    /// Spelled out: the protocol's default reaches it through the associated type at every use.
    public static var messageType: String { Ensemble_V2_ChildActorExited.protoMessageName }

    public var proto: Ensemble_V2_ChildActorExited {
        var proto = Ensemble_V2_ChildActorExited()
        proto.child = child.proto
        proto.reason = reason.proto
        return proto
    }

    public init(proto: Ensemble_V2_ChildActorExited) throws(WireError) {
        self.init(child: try ActorAddress(proto: proto.child), reason: try ExitReason(proto: proto.reason))
    }
}

extension ChildActorReplaced: ProtoConvertible {
    /// Spelled out: the protocol's default reaches it through the associated type at every use.
    public static var messageType: String { Ensemble_V2_ChildActorReplaced.protoMessageName }

    public var proto: Ensemble_V2_ChildActorReplaced {
        var proto = Ensemble_V2_ChildActorReplaced()
        proto.child = child.proto
        proto.replacement = replacement.proto
        proto.reason = reason.proto
        return proto
    }

    public init(proto: Ensemble_V2_ChildActorReplaced) throws(WireError) {
        self.init(
            child: try ActorAddress(proto: proto.child), replacement: try ActorAddress(proto: proto.replacement),
            reason: try ExitReason(proto: proto.reason))
    }
}

extension PoisonMessage: ProtoConvertible {
    /// Spelled out: the protocol's default reaches it through the associated type at every use.
    public static var messageType: String { Ensemble_V2_PoisonMessage.protoMessageName }

    public var proto: Ensemble_V2_PoisonMessage {
        var proto = Ensemble_V2_PoisonMessage()
        proto.originalType = originalType
        proto.originalPayload = Data(originalPayload)
        proto.details = details
        switch kind {
        case .handlerFailed: proto.kind = .handlerFailed
        case .unknownMessageType: proto.kind = .unknownMessageType
        case .undecodable: proto.kind = .undecodable
        case .notTaken: proto.kind = .notTaken
        }
        return proto
    }

    public init(proto: Ensemble_V2_PoisonMessage) {
        let kind: Kind
        switch proto.kind {
        case .unknownMessageType: kind = .unknownMessageType
        case .undecodable: kind = .undecodable
        case .notTaken: kind = .notTaken
        // A kind a later version added reads as the handler's failure, with its text.
        case .handlerFailed, .UNRECOGNIZED: kind = .handlerFailed
        }
        self.init(originalType: proto.originalType, originalPayload: Array(proto.originalPayload), details: proto.details, kind: kind)
    }
}

extension DeadLetter: ProtoConvertible {
    /// Spelled out: the protocol's default reaches it through the associated type at every use.
    public static var messageType: String { Ensemble_V2_DeadLetter.protoMessageName }

    public var proto: Ensemble_V2_DeadLetter {
        var proto = Ensemble_V2_DeadLetter()
        proto.recipient = recipient.proto
        proto.originalType = originalType
        proto.originalPayload = Data(originalPayload)
        proto.reason = reason
        if let tooLarge {
            proto.tooLarge = .with {
                $0.size = UInt64(max(tooLarge.size, 0))
                $0.limit = UInt64(max(tooLarge.limit, 0))
            }
        }
        return proto
    }

    public init(proto: Ensemble_V2_DeadLetter) throws(WireError) {
        self.init(
            recipient: try ActorAddress(proto: proto.recipient), originalType: proto.originalType,
            originalPayload: Array(proto.originalPayload), reason: proto.reason,
            tooLarge: proto.hasTooLarge
                ? MessageTooLarge(
                    size: try ProtoCheck.count(proto.tooLarge.size, "size"),
                    limit: try ProtoCheck.count(proto.tooLarge.limit, "limit"))
                : nil)
    }
}

extension WakeupMessage: ProtoConvertible {
    /// Spelled out: the protocol's default reaches it through the associated type at every use.
    public static var messageType: String { Ensemble_V2_WakeupMessage.protoMessageName }

    public var proto: Ensemble_V2_WakeupMessage {
        var proto = Ensemble_V2_WakeupMessage()
        if let payload { proto.payload = payload }
        return proto
    }

    public init(proto: Ensemble_V2_WakeupMessage) {
        self.init(payload: proto.hasPayload ? proto.payload : nil)
    }
}
