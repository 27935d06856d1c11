import Ensemble
import SwiftProtobuf

// Each message's generated form: what the hand-written codec falls back to for bytes it is not
// sure of, and what tests compare it with. Reading one is where bytes from the network become
// the application's values: an address must be one the runtime takes.

extension EncodeRequest: ProtoConvertible {
    /// Spelled out: the protocol's default reaches it through the associated type at every send.
    public static var messageType: String { Ensemble_V2_EncodeRequest.protoMessageName }

    public var proto: Ensemble_V2_EncodeRequest {
        .with {
            $0.text = text
            $0.requestID = requestID
        }
    }

    public init(proto: Ensemble_V2_EncodeRequest) throws(WireError) {
        self.init(text: proto.text, requestID: proto.requestID)
        unknownFields = [UInt8](proto.unknownFields.data)
    }
}

extension UnplacedEncoder {
    /// Its generated form.
    public var proto: Ensemble_V2_UnplacedEncoder {
        .with {
            $0.encoder = encoder
            $0.reason = reason
        }
    }

    /// Reads the generated form.
    public init(proto: Ensemble_V2_UnplacedEncoder) {
        self.init(encoder: proto.encoder, reason: proto.reason)
    }
}

extension EncodingDispatched: ProtoConvertible {
    /// Spelled out: the protocol's default reaches it through the associated type at every send.
    public static var messageType: String { Ensemble_V2_EncodingDispatched.protoMessageName }

    public var proto: Ensemble_V2_EncodingDispatched {
        .with {
            $0.encoders = encoders
            $0.unplaced = unplaced.map(\.proto)
            $0.requestID = requestID
        }
    }

    public init(proto: Ensemble_V2_EncodingDispatched) throws(WireError) {
        self.init(encoders: proto.encoders, unplaced: proto.unplaced.map(UnplacedEncoder.init(proto:)), requestID: proto.requestID)
        unknownFields = [UInt8](proto.unknownFields.data)
    }
}

extension EncodeText: ProtoConvertible {
    /// Spelled out: the protocol's default reaches it through the associated type at every send.
    public static var messageType: String { Ensemble_V2_EncodeText.protoMessageName }

    public var proto: Ensemble_V2_EncodeText {
        .with {
            $0.text = text
            $0.analyzer = analyzer.proto
            $0.requester = requester.proto
            $0.encoder = encoder
            $0.resends = UInt32(clamping: resends)
            $0.requestID = requestID
        }
    }

    public init(proto: Ensemble_V2_EncodeText) throws(WireError) {
        self.init(
            text: proto.text, analyzer: try ActorAddress(proto: proto.analyzer), requester: try ActorAddress(proto: proto.requester),
            encoder: proto.encoder, resends: Int(proto.resends), requestID: proto.requestID)
        unknownFields = [UInt8](proto.unknownFields.data)
    }
}

extension AnalyzeEncoding: ProtoConvertible {
    /// Spelled out: the protocol's default reaches it through the associated type at every send.
    public static var messageType: String { Ensemble_V2_AnalyzeEncoding.protoMessageName }

    public var proto: Ensemble_V2_AnalyzeEncoding {
        .with {
            $0.encoder = encoder
            $0.input = input
            $0.output = output
            $0.requester = requester.proto
            $0.requestID = requestID
        }
    }

    public init(proto: Ensemble_V2_AnalyzeEncoding) throws(WireError) {
        self.init(
            encoder: proto.encoder, input: proto.input, output: proto.output, requester: try ActorAddress(proto: proto.requester),
            requestID: proto.requestID)
        unknownFields = [UInt8](proto.unknownFields.data)
    }
}

extension EncodingReport: ProtoConvertible {
    /// Spelled out: the protocol's default reaches it through the associated type at every send.
    public static var messageType: String { Ensemble_V2_EncodingReport.protoMessageName }

    public var proto: Ensemble_V2_EncodingReport {
        .with {
            $0.encoder = encoder
            if let density { $0.density = density }
            $0.output = output
            $0.requestID = requestID
        }
    }

    public init(proto: Ensemble_V2_EncodingReport) throws(WireError) {
        self.init(encoder: proto.encoder, density: proto.hasDensity ? proto.density : nil, output: proto.output, requestID: proto.requestID)
        unknownFields = [UInt8](proto.unknownFields.data)
    }
}

extension EncodingFailed: ProtoConvertible {
    /// Spelled out: the protocol's default reaches it through the associated type at every send.
    public static var messageType: String { Ensemble_V2_EncodingFailed.protoMessageName }

    public var proto: Ensemble_V2_EncodingFailed {
        .with {
            $0.encoder = encoder
            $0.reason = reason
            $0.requestID = requestID
        }
    }

    public init(proto: Ensemble_V2_EncodingFailed) throws(WireError) {
        self.init(encoder: proto.encoder, reason: proto.reason, requestID: proto.requestID)
    }
}

extension EncodingUnplaced: ProtoConvertible {
    /// Spelled out: the protocol's default reaches it through the associated type at every send.
    public static var messageType: String { Ensemble_V2_EncodingUnplaced.protoMessageName }

    public var proto: Ensemble_V2_EncodingUnplaced {
        .with {
            $0.unplaced = unplaced.proto
            $0.requestID = requestID
        }
    }

    public init(proto: Ensemble_V2_EncodingUnplaced) throws(WireError) {
        self.init(unplaced: UnplacedEncoder(proto: proto.unplaced), requestID: proto.requestID)
    }
}
