import Foundation
import Testing
import TestSupport

/// What nodes' log files say about one event: one line each, stamped in UTC to the millisecond.
@Suite(.serialized)
struct NodeLogTests {
    static func lines(_ cluster: TestCluster, _ port: UInt16) -> [Substring] {
        let text = (try? String(contentsOfFile: "\(cluster.stateDir)/\(port).log", encoding: .utf8)) ?? ""
        return text.split(separator: "\n")
    }

    /// A member frozen past the failure detector's window is declared down once: the leader says
    /// so in one line, the member (resumed, told by the update and by every heartbeat and JOIN
    /// answer in flight) in one line, and the other member says the old life is gone in one line.
    @Test func aDeclaredDownMemberIsOneLineInEachLog() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let members = try cluster.startWalkthrough(["morse,Caesar cipher", "64bit encoder"])
        // With actors to stop, the old life takes a moment to end, and the answers still in flight
        // (each said it was declared down) once logged a line each.
        let app = try cluster.app(HealingTests.text)
        #expect(app.status == 0, "app failed: \(app.stderr)")
        let frozen = "127.0.0.1:\(members[0])"
        let before = try #require(try cluster.status()["members"] as? [[String: Any]])
        let oldLife = try #require(before.first { $0["address"] as? String == frozen }?["incarnation"] as? String)
        let pid = try #require(cluster.pid(members[0]))
        kill(pid, SIGSTOP)
        let detected = eventually { !HealingTests.members(cluster).contains(frozen) }
        kill(pid, SIGCONT)
        #expect(detected, "a SIGSTOPped member was not declared down")
        let back = eventually {
            let list = (try? cluster.status()["members"] as? [[String: Any]]) ?? []
            guard let entry = list.first(where: { $0["address"] as? String == frozen }) else { return false }
            return entry["incarnation"] as? String != oldLife
        }
        #expect(back, "the frozen member did not rejoin as a new life")

        // The old life had stopped before its new life joined: every line about it is written.
        let life = "\(frozen)@\(oldLife)"
        let leader = Self.lines(cluster, cluster.leaderPort)
        let declaring = leader.filter { $0.contains(": declaring \(life) down") }
        #expect(declaring.count == 1, "the leader's lines: \(declaring)")
        #expect(leader.filter { $0.hasSuffix(": \(life) is gone") }.count == 1, "\(leader)")
        let member = Self.lines(cluster, members[0])
        let told = member.filter { $0.contains("the convention declared \(life) down") }
        #expect(told.count == 1, "the member's lines: \(told)")
        let other = Self.lines(cluster, members[1])
        #expect(other.filter { $0.hasSuffix(": \(life) is gone") }.count == 1, "\(other)")

        for port in [cluster.leaderPort] + members {
            let lines = Self.lines(cluster, port)
            #expect(!lines.isEmpty)
            let unstamped = lines.filter { !LogLine.hasMillisecondTimestamp($0) }
            #expect(unstamped.isEmpty, "\(port).log has lines without a millisecond UTC time: \(unstamped)")
        }
    }
}
