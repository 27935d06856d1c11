import Foundation
import Testing

/// Chaos soak: nodes killed and restarted at seeded random times, the leader
/// restarted too, while a client keeps requests going through any node. Every
/// request must end with all its reports, or say for each missing one that no
/// node had the capability; no request may fail or be lost.
/// About 60 s by default; `ENSEMBLE_SOAK_SECONDS` makes it longer.
@Suite(.serialized)
struct SoakTests {
    struct Tally {
        var requests = 0, complete = 0, degraded = 0, errors = 0, lost = 0
        /// Why each degraded run was degraded (its `could not be placed` lines), and what each failed run said.
        var degradedBecause: [String] = [], failures: [String] = []
    }

    /// A run is degraded only when it said, for every report it lacks, that no node could take
    /// that encoder because none had the capability.
    static func isDegradedForLackOfCapability(_ run: CLIResult) -> Bool {
        guard run.status == 2 else { return false }
        let lines = run.stderr.split(separator: "\n")
        return !lines.isEmpty && lines.allSatisfy { $0.contains("could not be placed") && $0.contains(" lacks \"") }
    }

    /// A time of day to the millisecond, as node logs give it, to find a failed run's events there.
    static func clock(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "HH:mm:ss.SSS"
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

    @Test func requestsSurviveKilledAndRestartedNodes() throws {
        let seconds = Double(ProcessInfo.processInfo.environment["ENSEMBLE_SOAK_SECONDS"] ?? "") ?? 60
        let seed = UInt64(ProcessInfo.processInfo.environment["ENSEMBLE_SOAK_SEED"] ?? "") ?? 20261129
        var random = SplitMix64(seed: seed)
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let capabilities = ["morse,Caesar cipher", "64bit encoder,morse", "64bit encoder,Caesar cipher", "64bit encoder,morse,Caesar cipher"]
        let members = try cluster.startWalkthrough(capabilities)
        let text = "This is a multi-system test"
        #expect(try cluster.app(text).status == 0)

        let tally = Locked(Tally())
        let stop = Locked(false)
        // Every node is a gateway `app` may move to, as a user running it against this convention lists them.
        let gateways = ([cluster.leaderPort] + members).map { "127.0.0.1:\($0)" }.joined(separator: ",")
        let common = ["--leader", gateways, "--state-dir", cluster.stateDir]
        let client = Thread {
            var index = 0
            while !stop.value {
                // Alternate entry points, so a dead leader is not the only way in.
                let via = index % 3 == 0 ? [] : ["--via", String(members[index % members.count])]
                index += 1
                let started = Date()
                let run = try? CLIRunner.run(["app", "--timeout", "10"] + via + common, input: text, timeout: 30)
                let when = "started \(Self.clock(started)) via \(via.last ?? "leader")"

                tally.update { tally in
                    tally.requests += 1
                    guard let run, !run.timedOut else { return tally.lost += 1 }
                    switch run.status {
                    case 0 where run.lines.count == 4 && Set(run.lines) == walkthroughReports: tally.complete += 1
                    case 0: tally.lost += 1  // claimed success without every report
                    case 2 where Self.isDegradedForLackOfCapability(run):
                        tally.degraded += 1
                        tally.degradedBecause.append(run.stderr)
                    case 1 where !run.stderr.isEmpty, 2 where !run.stderr.isEmpty, 3 where !run.stderr.isEmpty:
                        tally.errors += 1
                        tally.failures.append("\(when), exit \(run.status): \(run.stderr)")
                    default:
                        tally.lost += 1
                        tally.failures.append("\(when), exit \(run.status), nothing said: \(run.stdout)")
                    }
                }
            }
        }
        client.start()
        // Also when a restart below throws: the client thread then launches no further `app` run.
        defer { stop.update { $0 = true } }

        let deadline = Date().addingTimeInterval(seconds)
        var faults: [String] = []
        while Date() < deadline {
            Thread.sleep(forTimeInterval: 2 + random.unit() * 3)
            if random.unit() < 0.2 {
                if let pid = cluster.pid(cluster.leaderPort) { kill(pid, SIGKILL) }
                Thread.sleep(forTimeInterval: random.unit())
                _ = try cluster.start(cluster.leaderPort)
                faults.append("leader at \(Self.clock(Date()))")
            } else {
                let index = Int(random.unit() * Double(members.count)) % members.count
                if let pid = cluster.pid(members[index]) { kill(pid, SIGKILL) }
                Thread.sleep(forTimeInterval: random.unit())
                _ = try cluster.start(members[index], capabilities[index])
                faults.append("member \(index) (\(members[index])) at \(Self.clock(Date()))")
            }
        }
        let lastFault = Date()
        let whole = eventually(timeout: 60) { (try? cluster.app(text))?.status == 0 }
        let healed = Date().timeIntervalSince(lastFault)
        stop.update { $0 = true }
        while client.isExecuting { Thread.sleep(forTimeInterval: 0.05) }
        let result = tally.value
        print("soak: seed \(seed), \(Int(seconds)) s, faults \(faults.count) (\(faults.joined(separator: ", ")))")
        print("soak: requests \(result.requests), complete \(result.complete), degraded \(result.degraded), errors \(result.errors), lost \(result.lost)")
        print("soak: whole again \(String(format: "%.2f", healed)) s after the last fault")
        for why in result.degradedBecause { print("soak: degraded: \(why)") }
        #expect(whole, "service did not become whole within 60 s of the last fault")
        #expect(result.errors == 0, "failed runs: \(result.failures)")
        #expect(result.lost == 0, "failed runs: \(result.failures)")
        #expect(result.complete > 0)
        for port in [cluster.leaderPort] + members {
            #expect(cluster.pid(port).map(isRunning) == true, "node \(port) is not running at the end")
        }
    }
}

/// A value shared between the test and its client thread.
final class Locked<Value>: @unchecked Sendable {
    // Guarded by `lock`; only used inside this test.
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value { lock.withLock { stored } }
    func update(_ body: (inout Value) -> Void) { lock.withLock { body(&stored) } }
}
