import EncoderApp
import Ensemble
import LibFuzzerDriver

#if canImport(Glibc)
import Glibc
#endif

// Built once: registering message types is not what is being fuzzed.
private let decoder = WireFuzzing(messages: encoderAppMessages)

/// One input through every decoder a node or client applies to received bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    let outcome = decoder.decodeEverything(bytes)
    // The envelope layout has one encoding per value, so a frame that decodes must re-encode
    // to exactly its bytes; anything else means the decoder accepted something it misread.
    if case .success(let envelopes) = outcome.frame, Envelope.encodeBatch(envelopes) != bytes {
        fatalError("a decoded frame re-encodes to other bytes")
    }
    return 0
}

/// Hands the command line to libFuzzer, which takes its usual flags and corpus directories.
@main
enum WireFuzzer {
    static func main() {
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzOneInput))
    }
}
