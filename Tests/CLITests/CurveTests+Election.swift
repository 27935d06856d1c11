import Foundation
import Testing
@testable import Ensemble

/// Succession under CurveZMQ: the new leader's update channel is authenticated with the key
/// the view lists for it, members rejoin it over their keys, and the old leader, restarted with
/// its keys and `nodes/` naming the others, joins it.
extension CurveTests {
    @Test func aCurveConventionElectsASuccessorThatItsMembersAndTheOldLeaderJoin() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let keys = try CurveKeyring(root: "\(cluster.stateDir)/keys")
        let members = try cluster.startCurveConvention(keys)
        let user = keys["user"]
        func status(_ port: UInt16) -> [String: Any]? {
            guard let result = try? cluster.run(["status", String(port), "--json", "--curve", user, "--timeout", "2"]),
                result.status == 0
            else { return nil }
            return (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))) as? [String: Any]
        }
        let voting = eventually {
            let list = (status(cluster.leaderPort)?["members"] as? [[String: Any]]) ?? []
            return list.count == 3 && list.allSatisfy { $0["voter"] as? Bool == true }
        }
        #expect(voting)
        // The old leader reaches the others, when restarted, through `nodes/HOST:PORT.pub`.
        // So does the user, whose leader address will not answer (docs/operations.md).
        let files = FileManager.default
        for holder in ["leader", "user"] {
            try files.createDirectory(atPath: "\(keys[holder])/nodes", withIntermediateDirectories: true)
            for (name, port) in [("m1", members[0]), ("m2", members[1])] {
                try files.copyItem(atPath: "\(keys[name])/public.key", toPath: "\(keys[holder])/nodes/127.0.0.1:\(port).pub")
            }
        }
        kill(try #require(cluster.pid(cluster.leaderPort)), SIGKILL)
        var successor: String?
        let elected = eventually(timeout: 30) {
            guard let seen = status(members[1]), seen["role"] as? String == "member" || seen["role"] as? String == "leader",
                let leader = seen["leader"] as? String, !leader.hasPrefix("127.0.0.1:\(cluster.leaderPort)@"),
                (seen["term"] as? Int ?? 0) >= 2
            else { return false }
            successor = leader
            return true
        }
        #expect(elected, "no successor under CurveZMQ")
        // Both members follow it: the one that is not the successor rejoined it over its key.
        let followed = eventually {
            members.allSatisfy { status($0)?["leader"] as? String == successor }
        }
        #expect(followed, "the members do not both follow \(successor ?? "nobody")")
        #expect(try cluster.start(cluster.leaderPort, extra: ["--curve", keys["leader"]]).status == 0)
        let joined = eventually {
            guard let seen = status(cluster.leaderPort) else { return false }
            return seen["role"] as? String == "member" && seen["leader"] as? String == successor
        }
        #expect(joined, "the restarted leader did not join \(successor ?? "nobody")")
        let run = try cluster.app(Self.text, extra: ["--curve", user, "--via", String(members[0])])
        #expect(run.status == 0, "app: \(run.stderr)")
    }
}
