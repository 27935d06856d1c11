import EncoderApp
@_spi(Fuzzing) import Ensemble
import LibFuzzerDriver

#if canImport(Glibc)
import Glibc
#endif

// Built once: registering message types is not what is being fuzzed. The encoder application's
// messages are proto3; `GatewayChanged` is `Codable`, so the compact format is fuzzed too.
private let decoder = WireFuzzing(messages: encoderAppMessages + [GatewayChanged.self])

/// One input through every decoder a node or client applies to received bytes, and what
/// decoded through the convention protocol's leader and member planes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    let outcome = decoder.decodeEverything(bytes)
    if !outcome.reencodesExactly {
        fatalError("a decoded frame re-encodes to other bytes")
    }
    if let broken = outcome.plane.violations.first {
        fatalError("the control plane broke an invariant: \(broken)")
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
