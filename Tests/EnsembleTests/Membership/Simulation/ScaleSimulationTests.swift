import Foundation
import Testing

@testable import Ensemble

/// The scale benchmark's scenario (`ConventionSimulation.runScale`): a small convention in the
/// normal run, whose phases must each agree with the exact members, voters and lives expected;
/// `ENSEMBLE_SIM_NODES=N` runs it on N nodes and prints the figures (deploy/simulate-scale.sh).
@Suite struct ScaleSimulationTests {
    static let benchmarkNodes = ProcessInfo.processInfo.environment["ENSEMBLE_SIM_NODES"].flatMap { Int($0) }

    @Test func everyPhaseAgreesOnTheExpectedMembers() {
        let nodes = 40
        let run = ConventionSimulation.runScale(nodes: nodes, seed: 3, countsBytes: false)
        #expect(run.failure == nil, "\(run.failure ?? "")")
        #expect(run.phases.map(\.name) == ["join storm", "capability change", "member failure", "leader failure", "partition", "heal"])
        guard run.phases.count == 6 else { return }
        #expect(run.phases.allSatisfy { $0.convergence != nil })
        let cut = (nodes - 2) / 10
        #expect(run.phases.map(\.members) == [nodes, nodes, nodes - 1, nodes - 2, nodes - 2 - cut, nodes - 2])
        #expect(run.phases.map(\.voters) == [5, 5, 5, 5, 5, 5])
        #expect(run.newLives == cut)
        let (storm, capability, failure, election) = (run.phases[0], run.phases[1], run.phases[2], run.phases[3])
        #expect(storm.term == 1 && capability.term == 1 && failure.term == 1)
        #expect(election.term > 1)
        // One update for the change, one for the member declared down.
        #expect(capability.sequence == storm.sequence + 1)
        #expect(failure.sequence == capability.sequence + 1)
        // The join storm: the founder hears every JOIN, and sends every WELCOME and update.
        #expect(storm.traffic.received[0] >= nodes - 1)
        #expect(storm.traffic.sent[0] >= 2 * (nodes - 1))
        #expect(storm.traffic.received.dropFirst().allSatisfy { $0 >= 1 })
    }

    @Test(.enabled(if: benchmarkNodes != nil)) func benchmark() {
        let nodes = Self.benchmarkNodes ?? 0
        let seed = ProcessInfo.processInfo.environment["ENSEMBLE_SIM_SEED"].flatMap { UInt64($0) } ?? 1
        let countsBytes = ProcessInfo.processInfo.environment["ENSEMBLE_SIM_BYTES"] != "0"
        print("simulated scale: \(nodes) nodes, seed \(seed)")
        print(ScaleReport.header())
        let run = ConventionSimulation.runScale(nodes: nodes, seed: seed, bound: .seconds(120), countsBytes: countsBytes) { phase in
            print(ScaleReport.row(phase))
        }
        print("peak RSS \(run.peakResidentBytes / 1_048_576) MB; a WELCOME of the whole view \(run.welcomeBytes) bytes; lives back after the heal: \(run.newLives)")
        let shared = run.sharing
        print("views: \(shared.steps) updates taken as another node applied them, \(shared.points) views replaced by the same shared one, \(shared.first) shared first, \(shared.different) different from the shared one")
        print("SIMSCALE " + ScaleReport.json(run))
        #expect(run.failure == nil, "\(run.failure ?? "")")
    }
}
