import Foundation
import Testing

/// `app` whose gateway is killed mid-run moves to another node, asks again, and prints
/// each encoder's report once.
@Suite(.serialized)
struct GatewayFailoverTests {
    static let text = "This is a multi-system test"

    /// The gateway is a member without capabilities; the Acceptor lives elsewhere (on the leader)
    /// or on the gateway itself (then it dies with it and the name registry re-creates it).
    @Test(arguments: [false, true])
    func appWhoseGatewayIsKilledMidRunPrintsEveryReportOnce(acceptorOnGateway: Bool) throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let members = try cluster.startWalkthrough(["", "64bit encoder,Caesar cipher", "morse"])
        let gateway = members[0], morse = members[2]
        let gatewayPID = try #require(cluster.pid(gateway)), morsePID = try #require(cluster.pid(morse))

        // Creates the Acceptor where the first request enters (a node places it on itself).
        let warmUp = try cluster.app(Self.text, extra: acceptorOnGateway ? ["--via", String(gateway)] : [])
        #expect(warmUp.status == 0, "warm-up app failed: \(warmUp.stderr)")
        let status = try cluster.status()
        let actors = try #require(status["actors"] as? [[String: Any]])
        let acceptorNode = actors.first { $0["type"] as? String == "Acceptor" }?["node"] as? String
        #expect(acceptorNode == (acceptorOnGateway ? "127.0.0.1:\(gateway)" : cluster.leader))
        #expect(actors.contains { $0["type"] as? String == "MorseEncoder" && $0["node"] as? String == "127.0.0.1:\(morse)" })

        // Morse's node held for a moment, so Morse's report is still to come when the gateway dies.
        kill(morsePID, SIGSTOP)
        var morseFrozen = true
        defer { if morseFrozen { kill(morsePID, SIGCONT) } }
        // As a list: the leader, then another member (the leader is tried first after the gateway).
        let arguments = ["app", "--via", String(gateway), "--timeout", "10", "--leader", "\(cluster.leader),127.0.0.1:\(members[1])",
                         "--state-dir", cluster.stateDir]
        let app = try CLIRunner.start(arguments, input: Self.text)
        var result: CLIResult?
        defer { if result == nil { _ = app.wait(timeout: 0) } }
        let threeReports = eventually(timeout: 10) {
            let printed = (try? String(contentsOfFile: app.outPath, encoding: .utf8)) ?? ""
            return printed.split(separator: "\n").count >= 3
        }
        try #require(threeReports, "app did not print the three reports that do not need Morse's node")
        kill(gatewayPID, SIGKILL)
        kill(morsePID, SIGCONT)
        morseFrozen = false

        let finished = app.wait(timeout: 30)
        result = finished
        #expect(finished.status == 0, "app: \(finished.stderr)")
        #expect(!finished.timedOut)
        #expect(finished.lines.count == 4, "each report once: \(finished.lines)")
        #expect(Set(finished.lines) == walkthroughReports)
        #expect(finished.stderr.contains("127.0.0.1:\(gateway)"), "the move is said: \(finished.stderr)")
        #expect(finished.stderr.contains("going on through \(cluster.leader)"), "\(finished.stderr)")
    }

    /// With no node answering at any address of the list, app says so naming them all.
    @Test func appWithNoNodeAnsweringNamesEveryAddressTried() throws {
        let first = try FreePorts.pair()
        let second = first + 1
        let result = try CLIRunner.run(
            ["app", "--leader", "\(first),\(second)", "--state-dir", FileManager.default.temporaryDirectory.path],
            input: Self.text, timeout: 30)
        #expect(result.status == 1)
        #expect(result.stderr.contains("no node answers at 127.0.0.1:\(first), 127.0.0.1:\(second)"), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    /// `status` without NODE asks the --leader entries in order until one answers.
    @Test func statusTriesTheLeaderListInOrder() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        _ = try cluster.startWalkthrough([])
        let silent = try FreePorts.one()
        let result = try CLIRunner.run(
            ["status", "--json", "--leader", "127.0.0.1:\(silent),\(cluster.leader)", "--state-dir", cluster.stateDir], timeout: 30)
        #expect(result.status == 0, "\(result.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect((object?["node"] as? String)?.hasPrefix(cluster.leader + "@") == true)
    }

    /// A malformed entry anywhere in the list is a usage error naming it.
    @Test func aBadEntryInTheLeaderListIsAUsageError() throws {
        let result = try CLIRunner.run(["status", "--leader", "1900,nowhere:"], timeout: 30)
        #expect(result.status == 64)
        #expect(result.stderr.contains("--leader must be HOST:PORT or PORT, or a comma-separated list of them; 'nowhere:' is not"))
        let fromEnvironment = try CLIRunner.run(["status"], environment: ["ENSEMBLE_LEADER": "1900,,1901"], timeout: 30)
        #expect(fromEnvironment.status == 64)
        #expect(fromEnvironment.stderr.contains("ENSEMBLE_LEADER must be HOST:PORT or PORT, or a comma-separated list of them; an empty entry is not"))
    }
}
