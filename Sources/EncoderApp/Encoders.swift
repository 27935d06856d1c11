import Ensemble

/// What every encoder does with a request: transform, then hand to the analyzer.
protocol TextEncoder: SynchronousActor {
    static func transform(_ text: String) -> String
}

extension TextEncoder {
    /// It only transforms and sends: called without an asynchronous call.
    public func receiveNow(_ message: any Message, from sender: ActorAddress, context: ActorContext) throws {
        // Only the Acceptor that made it gives it text: nobody else may put words in its reports.
        if let request = message.cast(to: EncodeText.self), sender == context.parent {
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
    /// It computes nothing (its output is its input), so it runs on the I/O thread: no hand-off.
    /// The other encoders go over the text, as long as a message may be, on the actor threads.
    public static var dispatch: ActorDispatch { .ioThread }
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
