import Foundation
import Testing

@testable import Ensemble

/// Whole conventions simulated, seed after seed (`ConventionSimulation`): the invariants hold
/// at every step and the convention agrees again within 15 s of its last fault.
///
/// `ENSEMBLE_SIMULATION_SEEDS` (default 1,000) and `ENSEMBLE_SIMULATION_SECONDS` (seconds of
/// faults per seed, default 4) make a longer run; `ENSEMBLE_SIMULATION_SEED=N` replays seed N alone.
@Suite struct ConventionSimulationTests {
    static var environment: [String: String] { ProcessInfo.processInfo.environment }

    @Test func invariantsHoldForEverySeed() async {
        let seeds: [UInt64]
        if let only = Self.environment["ENSEMBLE_SIMULATION_SEED"].flatMap({ UInt64($0) }) {
            seeds = [only]
        } else {
            seeds = Array(1...(Self.environment["ENSEMBLE_SIMULATION_SEEDS"].flatMap { UInt64($0) } ?? 1_000))
        }
        let seconds = Self.environment["ENSEMBLE_SIMULATION_SECONDS"].flatMap { Double($0) } ?? 4
        let faultTime = Duration.milliseconds(Int(seconds * 1000))
        let started = ContinuousClock.now
        let outcomes = await Self.runAll(seeds, faultTime: faultTime)
        let failures = outcomes.compactMap(\.failure)
        let simulated = outcomes.reduce(Duration.zero) { $0 + $1.simulated }
        let slowest = outcomes.compactMap(\.convergedAfter).max() ?? .zero
        print("""
            ConventionSimulation: \(seeds.count) seeds, \(seconds) s of faults each, \(simulated) simulated in all, \
            \(outcomes.reduce(0) { $0 + $1.faults }) faults \
            (\(outcomes.reduce(0) { $0 + $1.overlappingFaults }) begun while another was under way), \(outcomes.reduce(0) { $0 + $1.grants }) name grants used, \
            slowest agreement \(slowest) after the last fault, \(ContinuousClock.now - started) of wall time
            """)
        for failure in failures.prefix(5) { print(failure) }
        #expect(failures.isEmpty, "\(failures.count) seeds failed; the first: \(failures.first ?? "")")
    }

    /// Runs the seeds on every core, each seed on its own.
    static func runAll(_ seeds: [UInt64], faultTime: Duration) async -> [ConventionSimulation.Outcome] {
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, seeds.count))
        return await withTaskGroup(of: [ConventionSimulation.Outcome].self) { group in
            for worker in 0..<workers {
                let mine = stride(from: worker, to: seeds.count, by: workers).map { seeds[$0] }
                group.addTask { mine.map { ConventionSimulation.run(seed: $0, faultTime: faultTime) } }
            }
            var all: [ConventionSimulation.Outcome] = []
            for await outcomes in group { all += outcomes }
            return all
        }
    }

    @Test func aSeedReplaysExactly() {
        for seed: UInt64 in [7, 42] {
            let first = ConventionSimulation.run(seed: seed, faultTime: .seconds(4))
            let second = ConventionSimulation.run(seed: seed, faultTime: .seconds(4))
            #expect(first == second)
        }
    }
}
