import EncoderApp
import Foundation
import Testing
@_spi(Fuzzing) @testable import Ensemble

/// Replays the wire fuzzer's committed corpus (`Tests/Corpus/wire`) through the same
/// decoder and control planes the fuzzer drives, so every input it kept, crashes found
/// included, runs in every test run; and generates the corpus's seeds (`deploy/fuzz.sh --write-seeds`).
@Suite struct CorpusReplayTests {
    /// Found from this file, so that the test does not depend on the working directory.
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Corpus/wire")
    /// As the fuzzer (`Fuzz/Sources/WireFuzzer`) registers them: the encoder application's
    /// proto messages, and one `Codable` message for the compact format.
    static let decoder = WireFuzzing(messages: encoderAppMessages + [GatewayChanged.self])

    /// The committed inputs, by name; throws when the directory is missing.
    static func committed() throws -> [(name: String, bytes: [UInt8])] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { !$0.hasPrefix(".") }.sorted()
        return try names.map { ($0, Array(try Data(contentsOf: directory.appendingPathComponent($0)))) }
    }

    /// How the input named `name` fails to do what its name says (see `CorpusSeeds`); empty when it does.
    static func problems(_ name: String, _ bytes: [UInt8]) -> [String] {
        let outcome = decoder.decodeEverything(bytes)
        var problems: [String] = []
        // The envelope layout has one encoding per value; a payload's need not (protobuf's
        // fields may come in any order, repeated, or unknown), so payloads are not re-encoded.
        if !outcome.reencodesExactly {
            problems.append("decodes as a frame that re-encodes to other bytes")
        }
        problems += outcome.plane.violations.map { "the control plane broke an invariant: \($0)" }
        if name.hasPrefix("valid-frame-") {
            switch outcome.frame {
            case .success:
                let undecoded = outcome.payloadsDecoded.indices.filter { !outcome.payloadsDecoded[$0] }
                if !undecoded.isEmpty { problems.append("payloads of envelopes \(undecoded) do not decode as their kind") }
            case .failure(let error):
                problems.append("the frame is rejected: \(error)")
            }
        } else if name.hasPrefix("valid-payload-") {
            let type = String(name.dropFirst("valid-payload-".count).prefix { $0 != "-" })
            if !outcome.bareTypes.contains(type) { problems.append("does not decode as \(type) but as \(outcome.bareTypes)") }
        } else if name.hasPrefix("valid-refusal-") {
            if outcome.versionRefusal == nil { problems.append("is not a version refusal") }
        } else if name.hasPrefix("valid-identity-") {
            if outcome.identity == nil { problems.append("is not a node's connection identity") }
        } else if name.hasPrefix("rejected-frame-") {
            if case .success = outcome.frame { problems.append("the frame decodes") }
        }
        return problems
    }

    @Test func everyCommittedInputDoesWhatItsNameSays() throws {
        let files = try Self.committed()
        // A missing or emptied corpus fails here rather than passing with nothing replayed.
        try #require(files.count >= CorpusSeeds.all.count, "\(Self.directory.path) holds \(files.count) files")
        for (name, bytes) in files {
            let problems = Self.problems(name, bytes)
            #expect(problems.isEmpty, "\(name): \(problems.joined(separator: "; "))")
        }
    }

    @Test func corpusHoldsEverySeed() throws {
        let names = Set(try Self.committed().map(\.name))
        let missing = CorpusSeeds.all.map(\.name).filter { !names.contains($0) }
        #expect(
            missing.isEmpty,
            "\(missing.count) seeds missing, e.g. \(missing.prefix(3)); regenerate them with deploy/fuzz.sh --write-seeds")
    }

    /// The generator: with ENSEMBLE_WRITE_CORPUS=1 it also writes the seeds into the corpus.
    @Test func everySeedDoesWhatItsNameSays() throws {
        let write = ProcessInfo.processInfo.environment["ENSEMBLE_WRITE_CORPUS"] == "1"
        if write { try FileManager.default.createDirectory(at: Self.directory, withIntermediateDirectories: true) }
        let seeds = CorpusSeeds.all
        #expect(Set(seeds.map(\.name)).count == seeds.count, "seed names are unique")
        for (name, bytes) in seeds {
            let problems = Self.problems(name, bytes)
            #expect(problems.isEmpty, "\(name): \(problems.joined(separator: "; "))")
            if write { try Data(bytes).write(to: Self.directory.appendingPathComponent(name)) }
        }
    }
}
