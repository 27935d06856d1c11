import Foundation
import Testing

/// A request whose encoders' node dies while it is in flight is still answered:
/// the Acceptor sends what the lost encoders had not answered to their replacements.
///
/// The node is stopped (SIGSTOP) before `app` starts, so the text sent to it waits in
/// its socket buffers, and killed once the request is under way (the Encoder, which
/// lives with the Acceptor, has reported): the text dies with it, as mail inside a
/// dying TCP connection does.
@Suite(.serialized)
struct InFlightHealingTests {
    static let text = "This is a multi-system test"

    /// The port of the node hosting `type`, from the leader's status.
    static func host(of type: String, _ cluster: TestCluster) throws -> UInt16? {
        let node = try HealingTests.actors(cluster).first { $0["type"] as? String == type }?["node"] as? String
        return node.flatMap { $0.split(separator: ":").last }.flatMap { UInt16($0) }
    }

    /// Starts `app`, waits until its request is under way, kills `port`'s node, and waits for `app`.
    static func appWhileKilling(_ port: UInt16, _ cluster: TestCluster, timeout: Double = 5) throws -> (CLIResult, Double) {
        let pid = try #require(cluster.pid(port))
        kill(pid, SIGSTOP)
        let app = try CLIRunner.start(["app", "--timeout", String(timeout)] + cluster.common, input: text)
        let underway = eventually(timeout: 20) {
            ((try? String(contentsOfFile: app.outPath, encoding: .utf8)) ?? "").contains("Encoder [density=1.000]")
        }
        kill(pid, SIGKILL)
        let killed = Date()
        let result = app.wait(timeout: timeout + 20)
        #expect(underway, "app never got its first report: \(result.stderr)")
        return (result, Date().timeIntervalSince(killed))
    }

    @Test func aRequestInFlightOnAKilledNodeIsAnsweredTwentyTimesInARow() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let everything = "64bit encoder,morse,Caesar cipher"
        _ = try cluster.startWalkthrough([everything, everything])
        #expect(try cluster.app(Self.text).status == 0)
        var seconds: [Double] = []
        for attempt in 1...20 {
            let port = try #require(try Self.host(of: "MorseEncoder", cluster), "attempt \(attempt): no MorseEncoder")
            let (result, elapsed) = try Self.appWhileKilling(port, cluster)
            seconds.append(elapsed)
            #expect(result.status == 0, "attempt \(attempt): app exited \(result.status): \(result.stderr)")
            #expect(result.lines.count == 4, "attempt \(attempt): one report per encoder, not \(result.lines)")
            #expect(Set(result.lines) == walkthroughReports, "attempt \(attempt): \(result.lines)")
            if result.status != 0 { break }
            let back = try cluster.start(port, everything)
            #expect(back.status == 0, "attempt \(attempt): restart of \(port) failed: \(back.stderr)")
            #expect(eventually { HealingTests.members(cluster).count == 3 }, "attempt \(attempt): \(port) did not rejoin")
        }
        let sorted = seconds.sorted()
        if !sorted.isEmpty {
            print(String(format: "in-flight healing: kill -9 to complete app over %d tries: p50 %.0f ms, max %.0f ms",
                         sorted.count, sorted[sorted.count / 2] * 1000, sorted.last! * 1000))
        }
    }

    @Test func anEncoderLostWithNoOtherHomeIsSaidWhenTheLossIsDetected() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let members = try cluster.startWalkthrough(["morse,Caesar cipher", "64bit encoder"])
        #expect(try cluster.app(Self.text).status == 0)
        // A timeout the test would notice: exit 3 and a "no report" line would mean it was reached.
        let (result, _) = try Self.appWhileKilling(members[0], cluster, timeout: 60)
        #expect(result.status == 2, "app exited \(result.status): \(result.stderr)")
        #expect(!result.timedOut)
        #expect(result.stderr.contains("MorseEncoder could not be placed"), "stderr: \(result.stderr)")
        #expect(result.stderr.contains("Rot13Encoder could not be placed"), "stderr: \(result.stderr)")
        #expect(result.stderr.contains("\"morse\"") && result.stderr.contains("\"Caesar cipher\""), "stderr: \(result.stderr)")
        #expect(!result.stderr.contains("no report"), "stderr: \(result.stderr)")
        #expect(Set(result.lines) == walkthroughReports.filter { $0.hasPrefix("Encoder") || $0.hasPrefix("Base64") })
    }

    /// The Acceptor's node dies after the Acceptor took the request and before every report came:
    /// `app`, entering through another node, finds the name held by a new Acceptor and sends again.
    @Test func aRequestWhoseAcceptorDiesAfterTakingItIsSentToTheNextAcceptor() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let members = try cluster.startWalkthrough(["", "64bit encoder,morse,Caesar cipher"])
        let (home, encoders) = (members[0], members[1])
        // Entered through `home`, the Acceptor and the Encoder (which needs no capability) are created there.
        #expect(try cluster.app(Self.text, extra: ["--via", String(home)]).status == 0)
        #expect(try Self.host(of: "Acceptor", cluster) == home)
        #expect(try Self.host(of: "MorseEncoder", cluster) == encoders)
        let homePid = try #require(cluster.pid(home)), encodersPid = try #require(cluster.pid(encoders))
        // Only the Encoder can answer until the Acceptor's node is gone.
        kill(encodersPid, SIGSTOP)
        let app = try CLIRunner.start(["app", "--timeout", "20"] + cluster.common, input: Self.text)
        let underway = eventually(timeout: 20) {
            ((try? String(contentsOfFile: app.outPath, encoding: .utf8)) ?? "").contains("Encoder [density=1.000]")
        }
        kill(homePid, SIGKILL)
        kill(encodersPid, SIGCONT)
        let result = app.wait(timeout: 40)
        #expect(underway, "app never got its first report: \(result.stderr)")
        #expect(result.status == 0, "app exited \(result.status): \(result.stderr)")
        #expect(result.lines.count == 4, "one report per encoder, not \(result.lines)")
        #expect(Set(result.lines) == walkthroughReports, "\(result.lines)")
        #expect(try Self.host(of: "Acceptor", cluster) == cluster.leaderPort)
    }
}
