import Ensemble

// The application's messages are the proto3 messages of proto/ensemble/v2/encoder_app.proto:
// they travel under their full proto names (`ensemble.v2.EncodeRequest`) in the schema's
// encoding, so a client in any language can drive the walkthrough. In Swift they are value
// types holding the runtime's own types (an `ActorAddress`, an optional density), each
// convertible to its generated form (Proto/encoder_app.pb.swift); the five on every request's
// path have a hand-written codec of the schema's bytes (Messages+Codec.swift).
// Fields from a newer schema are kept (`unknownFields`) and written back.

/// A client asks the Acceptor to encode `text`.
public struct EncodeRequest: Message, Equatable {
    /// The text to encode.
    public var text: String
    /// Chosen by the requester; every answer to this request carries it (0: none).
    public var requestID: UInt64
    /// Fields from a newer schema, as they came.
    public var unknownFields: [UInt8] = []

    /// Creates the request.
    public init(text: String, requestID: UInt64 = 0) {
        self.text = text
        self.requestID = requestID
    }
}

/// An encoder that could not be placed, and why.
public struct UnplacedEncoder: Sendable, Equatable {
    /// The encoder type name.
    public var encoder: String
    /// Why no node could run it.
    public var reason: String

    /// Creates the record.
    public init(encoder: String, reason: String) {
        self.encoder = encoder
        self.reason = reason
    }
}

/// The Acceptor tells the requester which encoders will report, so it can stop waiting when they have.
public struct EncodingDispatched: Message, Equatable {
    /// Encoders the text was sent to.
    public var encoders: [String]
    /// Encoders that had no node to run on.
    public var unplaced: [UnplacedEncoder]
    /// The request this answers.
    public var requestID: UInt64
    /// Fields from a newer schema, as they came.
    public var unknownFields: [UInt8] = []

    /// Creates the notice.
    public init(encoders: [String], unplaced: [UnplacedEncoder], requestID: UInt64 = 0) {
        self.encoders = encoders
        self.unplaced = unplaced
        self.requestID = requestID
    }
}

/// The Acceptor asks an encoder to encode `text` and pass the result to the analyzer.
public struct EncodeText: Message, Equatable {
    /// The text.
    public var text: String
    /// Where the encoder sends its output.
    public var analyzer: ActorAddress
    /// Where the analyzer sends its report: the Acceptor, which forwards it to the requester.
    public var requester: ActorAddress
    /// The encoder type it is for (so an undelivered one can be sent to a new instance).
    public var encoder: String
    /// How often it was sent again after its encoder was lost.
    public var resends: Int
    /// The Acceptor's id of the dispatch this serves (not the requester's own id).
    public var requestID: UInt64
    /// Fields from a newer schema, as they came.
    public var unknownFields: [UInt8] = []

    /// Creates the message.
    public init(
        text: String, analyzer: ActorAddress, requester: ActorAddress, encoder: String, resends: Int = 0,
        requestID: UInt64 = 0
    ) {
        self.text = text
        self.analyzer = analyzer
        self.requester = requester
        self.encoder = encoder
        self.resends = resends
        self.requestID = requestID
    }
}

/// An encoder's output on its way to the analyzer.
public struct AnalyzeEncoding: Message, Equatable {
    /// The encoder type name.
    public var encoder: String
    /// The text it encoded.
    public var input: String
    /// What it produced.
    public var output: String
    /// Who gets the report.
    public var requester: ActorAddress
    /// The request this serves.
    public var requestID: UInt64
    /// Fields from a newer schema, as they came.
    public var unknownFields: [UInt8] = []

    /// Creates the message.
    public init(encoder: String, input: String, output: String, requester: ActorAddress, requestID: UInt64 = 0) {
        self.encoder = encoder
        self.input = input
        self.output = output
        self.requester = requester
        self.requestID = requestID
    }
}

/// One encoder's result, as the requester prints it.
public struct EncodingReport: Message, Equatable {
    /// The encoder type name.
    public var encoder: String
    /// Input length over output length, nil when the output is empty.
    public var density: Double?
    /// The encoded text.
    public var output: String
    /// The request this answers.
    public var requestID: UInt64
    /// Fields from a newer schema, as they came.
    public var unknownFields: [UInt8] = []

    /// Creates the report.
    public init(encoder: String, density: Double?, output: String, requestID: UInt64 = 0) {
        self.encoder = encoder
        self.density = density
        self.output = output
        self.requestID = requestID
    }

    /// `<EncoderType> [density=<D>]  <output>`.
    public var line: String { "\(encoder) [density=\(Encodings.formatDensity(density))]  \(output)" }
}

/// An encoder's result could not reach the requester, saying why (its output is larger
/// than the convention's message size limit, say); it counts as that encoder's answer.
public struct EncodingFailed: Message, Equatable {
    /// The encoder type name.
    public var encoder: String
    /// Why there is no report, in one line.
    public var reason: String
    /// The request this answers.
    public var requestID: UInt64

    /// Creates the notice.
    public init(encoder: String, reason: String, requestID: UInt64 = 0) {
        self.encoder = encoder
        self.reason = reason
        self.requestID = requestID
    }
}

/// An encoder lost with a request in flight (its node died, left or lost the capability)
/// could not be placed anywhere again: it will not report on that request.
public struct EncodingUnplaced: Message, Equatable {
    /// The encoder and why it could not be placed.
    public var unplaced: UnplacedEncoder
    /// The request this answers.
    public var requestID: UInt64

    /// Creates the notice.
    public init(unplaced: UnplacedEncoder, requestID: UInt64 = 0) {
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
