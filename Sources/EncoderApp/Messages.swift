import Ensemble

// The application's messages are the proto3 messages of proto/ensemble/v2/encoder_app.proto,
// generated into Proto/encoder_app.pb.swift: they travel under their full proto names
// (`ensemble.v2.EncodeRequest`), so a client in any language can drive the walkthrough.
// Below: the names the application uses for them, and initialisers taking the runtime's types.

/// A client asks the Acceptor to encode `text`.
public typealias EncodeRequest = Ensemble_V2_EncodeRequest
/// The Acceptor tells the requester which encoders will report, so it can stop waiting when they have.
public typealias EncodingDispatched = Ensemble_V2_EncodingDispatched
/// An encoder that could not be placed, and why.
public typealias UnplacedEncoder = Ensemble_V2_UnplacedEncoder
/// The Acceptor asks an encoder to encode `text` and pass the result to the analyzer.
public typealias EncodeText = Ensemble_V2_EncodeText
/// An encoder's output on its way to the analyzer.
public typealias AnalyzeEncoding = Ensemble_V2_AnalyzeEncoding
/// One encoder's result, as the requester prints it.
public typealias EncodingReport = Ensemble_V2_EncodingReport
/// An encoder's result could not reach the requester, saying why (its output is larger
/// than the convention's message size limit, say); it counts as that encoder's answer.
public typealias EncodingFailed = Ensemble_V2_EncodingFailed
/// An encoder lost with a request in flight (its node died, left or lost the capability)
/// could not be placed anywhere again: it will not report on that request.
public typealias EncodingUnplaced = Ensemble_V2_EncodingUnplaced

extension EncodeRequest: Message {}
extension EncodingDispatched: Message {}
extension EncodeText: Message {}
extension AnalyzeEncoding: Message {}
extension EncodingReport: Message {}
extension EncodingFailed: Message {}
extension EncodingUnplaced: Message {}

extension EncodeRequest {
    /// Creates the request; `requestID` is echoed by every answer (0: none).
    public init(text: String, requestID: UInt64 = 0) {
        self.init()
        self.text = text
        self.requestID = requestID
    }
}

extension UnplacedEncoder {
    /// Creates the record.
    public init(encoder: String, reason: String) {
        self.init()
        self.encoder = encoder
        self.reason = reason
    }
}

extension EncodingDispatched {
    /// Creates the notice.
    public init(encoders: [String], unplaced: [UnplacedEncoder], requestID: UInt64 = 0) {
        self.init()
        self.encoders = encoders
        self.unplaced = unplaced
        self.requestID = requestID
    }
}

extension EncodeText {
    /// Creates the message.
    public init(
        text: String, analyzer: ActorAddress, requester: ActorAddress, encoder: String, resends: Int = 0,
        requestID: UInt64 = 0
    ) {
        self.init()
        self.text = text
        self.analyzer = analyzer.proto
        self.requester = requester.proto
        self.encoder = encoder
        self.resends = UInt32(clamping: resends)
        self.requestID = requestID
    }

    /// Where the encoder sends its output; nil when the message names no usable address.
    public var analyzerAddress: ActorAddress? { try? ActorAddress(proto: analyzer) }
    /// Where the analyzer sends its report; nil when the message names no usable address.
    public var requesterAddress: ActorAddress? { try? ActorAddress(proto: requester) }
}

extension AnalyzeEncoding {
    /// Creates the message.
    public init(encoder: String, input: String, output: String, requester: ActorAddress, requestID: UInt64 = 0) {
        self.init(encoder: encoder, input: input, output: output, requester: requester.proto, requestID: requestID)
    }

    /// Creates the message with a requester as it came in an `EncodeText`.
    init(encoder: String, input: String, output: String, requester: Ensemble_V2_ActorAddress, requestID: UInt64) {
        self.init()
        self.encoder = encoder
        self.input = input
        self.output = output
        self.requester = requester
        self.requestID = requestID
    }

    /// Who gets the report; nil when the message names no usable address.
    public var requesterAddress: ActorAddress? { try? ActorAddress(proto: requester) }
}

extension EncodingReport {
    /// Creates the report; `density` is nil when the output is empty.
    public init(encoder: String, density: Double?, output: String, requestID: UInt64 = 0) {
        self.init()
        self.encoder = encoder
        if let density { self.density = density }
        self.output = output
        self.requestID = requestID
    }

    /// Input length over output length, nil when the output is empty.
    public var densityValue: Double? { hasDensity ? density : nil }

    /// `<EncoderType> [density=<D>]  <output>`.
    public var line: String { "\(encoder) [density=\(Encodings.formatDensity(densityValue))]  \(output)" }
}

extension EncodingFailed {
    /// Creates the notice.
    public init(encoder: String, reason: String, requestID: UInt64 = 0) {
        self.init()
        self.encoder = encoder
        self.reason = reason
        self.requestID = requestID
    }
}

extension EncodingUnplaced {
    /// Creates the notice.
    public init(unplaced: UnplacedEncoder, requestID: UInt64 = 0) {
        self.init()
        self.unplaced = unplaced
        self.requestID = requestID
    }
}

/// Every message type of the encoder application, for registering with a node or client.
public let encoderAppMessages: [any Message.Type] = [
    EncodeRequest.self, EncodingDispatched.self, EncodeText.self, AnalyzeEncoding.self, EncodingReport.self,
    EncodingFailed.self, EncodingUnplaced.self,
]

/// Every actor type of the encoder application, for registering with a node.
public let encoderAppActors: [any EnsembleActor.Type] = [
    Acceptor.self, Encoder.self, Base64Encoder.self, Rot13Encoder.self, MorseEncoder.self,
]
