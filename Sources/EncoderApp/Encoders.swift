import Ensemble

/// What every encoder does with a request: transform, then hand to the analyzer.
protocol TextEncoder: EnsembleActor {
    static func transform(_ text: String) -> String
}

extension TextEncoder {
    public func receive(_ message: any Message, from sender: ActorAddress, context: ActorContext) async throws {
        if let request = message as? EncodeText {
            let output = Self.transform(request.text)
            context.send(
                AnalyzeEncoding(
                    encoder: Self.typeName, input: request.text, output: output, requester: request.requester,
                    requestID: request.requestID),
                to: request.analyzer)
        } else if let undelivered = message as? DeadLetter, let tooLarge = undelivered.tooLarge,
            let result = undelivered.original(as: AnalyzeEncoding.self)
        {
            // The output is too large to travel: the requester hears that instead of waiting.
            context.send(
                EncodingFailed(encoder: result.encoder, reason: "its result is too large to send: \(tooLarge)",
                               requestID: result.requestID),
                to: result.requester)
        }
    }
}

/// The identity encoder; runs anywhere.
public final class Encoder: TextEncoder {
    public static let typeName = "Encoder"
    public init() {}
    static func transform(_ text: String) -> String { text }
}

/// Base64 of the UTF-8 bytes; needs `64bit encoder`.
public final class Base64Encoder: TextEncoder {
    public static let typeName = "Base64Encoder"
    public static var requirements: Capabilities { Capabilities(["64bit encoder"]) }
    public init() {}
    static func transform(_ text: String) -> String { Encodings.base64(text) }
}

/// ROT13 of ASCII letters; needs `Caesar cipher`.
public final class Rot13Encoder: TextEncoder {
    public static let typeName = "Rot13Encoder"
    public static var requirements: Capabilities { Capabilities(["Caesar cipher"]) }
    public init() {}
    static func transform(_ text: String) -> String { Encodings.rot13(text) }
}

/// International Morse code; needs `morse`.
public final class MorseEncoder: TextEncoder {
    public static let typeName = "MorseEncoder"
    public static var requirements: Capabilities { Capabilities(["morse"]) }
    public init() {}
    static func transform(_ text: String) -> String { Encodings.morse(text) }
}

/// Computes each encoding's density and reports it to the requester.
public final class Analyzer: EnsembleActor {
    public static let typeName = "Analyzer"
    public init() {}

    public func receive(_ message: any Message, from sender: ActorAddress, context: ActorContext) async throws {
        if let result = message as? AnalyzeEncoding {
            let density = Encodings.density(input: result.input, output: result.output)
            context.send(
                EncodingReport(encoder: result.encoder, density: density, output: result.output, requestID: result.requestID),
                to: result.requester)
        } else if let undelivered = message as? DeadLetter, let tooLarge = undelivered.tooLarge,
            let report = undelivered.original(as: EncodingReport.self)
        {
            context.send(
                EncodingFailed(encoder: report.encoder, reason: "its report is too large to send: \(tooLarge)",
                               requestID: report.requestID),
                to: undelivered.recipient)
        }
    }
}

/// Receives encode requests; keeps one of each encoder and one analyzer, created
/// on first use wherever they fit, and recreated after a child exits.
public final class Acceptor: EnsembleActor {
    public static let typeName = "Acceptor"
    /// The encoder types, in the order they are dispatched.
    public static let encoderTypes: [any EnsembleActor.Type] = [Encoder.self, Base64Encoder.self, Rot13Encoder.self, MorseEncoder.self]
    private static let encoderNames = encoderTypes.map { $0.typeName }

    /// The encoder of each type (by its index in `encoderTypes`), once created.
    private var encoders: [ActorAddress?] = Array(repeating: nil, count: encoderTypes.count)
    private var analyzer: ActorAddress?

    public init() {}

    public func receive(_ message: any Message, from sender: ActorAddress, context: ActorContext) async throws {
        switch message {
        case let request as EncodeRequest:
            try await accept(request, from: sender, context: context)
        case let exited as ChildActorExited:
            if analyzer == exited.child { analyzer = nil }
            forget(exited.child)
        case let undelivered as DeadLetter where undelivered.tooLarge != nil:
            // Too large to travel: no encoder can take it, so the requester hears why.
            guard let request = undelivered.original(as: EncodeText.self), let tooLarge = undelivered.tooLarge else { return }
            context.send(
                EncodingFailed(encoder: request.encoder, reason: "the text is too large to send to it: \(tooLarge)",
                               requestID: request.requestID),
                to: request.requester)
        case let undelivered as DeadLetter:
            // The encoder's node went away with our request in flight: place it again and resend once.
            forget(undelivered.recipient)
            guard var request = undelivered.original(as: EncodeText.self), request.resends < 1,
                let index = Self.encoderNames.firstIndex(of: request.encoder)
            else { return }
            request.resends += 1
            if let address = try? await encoder(index, context: context) { context.send(request, to: address) }
        default:
            break
        }
    }

    private func forget(_ actor: ActorAddress) {
        for index in encoders.indices where encoders[index] == actor { encoders[index] = nil }
    }

    private func accept(_ request: EncodeRequest, from requester: ActorAddress, context: ActorContext) async throws {
        let analyzer: ActorAddress
        if let existing = self.analyzer {
            analyzer = existing
        } else {
            analyzer = try await context.createActor(Analyzer.self)
            self.analyzer = analyzer
        }
        var unplaced: [UnplacedEncoder] = []
        for index in encoders.indices where encoders[index] == nil {
            do {
                _ = try await encoder(index, context: context)
            } catch {
                unplaced.append(UnplacedEncoder(encoder: Self.encoderNames[index], reason: "\(error)"))
            }
        }
        // Per request, the common case (all placed) builds no array: the names are shared.
        let dispatched = unplaced.isEmpty ? Self.encoderNames : encoders.indices.compactMap { encoders[$0] == nil ? nil : Self.encoderNames[$0] }
        context.reply(EncodingDispatched(encoders: dispatched, unplaced: unplaced, requestID: request.requestID), to: requester)
        for index in encoders.indices {
            guard let target = encoders[index] else { continue }
            context.send(
                EncodeText(text: request.text, analyzer: analyzer, requester: requester, encoder: Self.encoderNames[index],
                           requestID: request.requestID),
                to: target)
        }
    }

    /// The encoder at `index` of `encoderTypes`, created where it fits if the slot is empty.
    private func encoder(_ index: Int, context: ActorContext) async throws -> ActorAddress {
        if let existing = encoders[index] { return existing }
        let address = try await context.createActor(Self.encoderTypes[index])
        encoders[index] = address
        return address
    }
}
