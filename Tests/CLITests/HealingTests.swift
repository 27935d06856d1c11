import Foundation
import Testing

/// The dynamic half of the walkthrough: capability changes, failover, failure
/// detection, leader loss, supervision — all through the built binary.
@Suite(.serialized)
struct HealingTests {
    static let text = "This is a multi-system test"

    /// Actors by type, from `status --json` of `port` (default: the leader).
    static func actors(_ cluster: TestCluster, _ port: UInt16? = nil) throws -> [[String: Any]] {
        try #require(try cluster.status(port)["actors"] as? [[String: Any]])
    }

    static func address(of type: String, in actors: [[String: Any]]) -> String? {
        actors.first { $0["type"] as? String == type }?["address"] as? String
    }

    static func members(_ cluster: TestCluster, _ port: UInt16? = nil) -> [String] {
        ((try? cluster.status(port)["members"] as? [[String: Any]]) ?? []).compactMap { $0["address"] as? String }
    }

    @Test func theSeedsCapabilityChangeSequence() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let members = try cluster.startWalkthrough(["morse,Caesar cipher", "64bit encoder"])
        let b = String(members[1])
        #expect(try cluster.app(Self.text).status == 0)

        let add = try cluster.run(["chgcap", b, "+", "morse"])
        #expect(add.status == 0, "chgcap failed: \(add.stderr)")
        let four = try cluster.app(Self.text)
        #expect(four.status == 0)
        #expect(Set(four.lines) == walkthroughReports)

        #expect(try cluster.run(["chgcap", b, "-", "morse"]).status == 0)
        #expect(try cluster.run(["chgcap", b, "-", "64bit encoder"]).status == 0)
        // Every view has the change at once: ask the other member, not only the leader.
        let view = try #require(try cluster.status(members[0])["members"] as? [[String: Any]])
        let bView = try #require(view.first { $0["address"] as? String == "127.0.0.1:\(b)" })
        #expect((bView["capabilities"] as? [String]) == [])
        let three = try cluster.app(Self.text)
        #expect(three.status == 2)
        #expect(Set(three.lines) == walkthroughReports.filter { !$0.hasPrefix("Base64Encoder") })
        #expect(three.stderr.contains("Base64Encoder"))
        #expect(three.stderr.contains("\"64bit encoder\""))

        #expect(try cluster.run(["chgcap", String(cluster.leaderPort), "+", "64bit encoder"]).status == 0)
        let again = try cluster.app(Self.text)
        #expect(again.status == 0, "app failed: \(again.stderr)")
        #expect(Set(again.lines) == walkthroughReports)
        let base64Node = try Self.actors(cluster).first { $0["type"] as? String == "Base64Encoder" }?["node"] as? String
        #expect(base64Node == cluster.leader)
    }

    @Test func chgcapErrorsAreOneClearLine() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        _ = try cluster.startWalkthrough([])
        let leader = String(cluster.leaderPort)
        let missing = try cluster.run(["chgcap", leader, "-", "morse"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("does not have capability \"morse\""))
        let sign = try cluster.run(["chgcap", leader, "*", "morse"])
        #expect(sign.status != 0)
        #expect(sign.stderr.contains("+ or -"))
        let nobody = try cluster.run(["chgcap", String(try FreePorts.one()), "+", "morse"])
        #expect(nobody.status == 1)
        #expect(nobody.stderr.contains("no node answers"))
        // Adding a present capability is a no-op that succeeds.
        #expect(try cluster.run(["chgcap", leader, "+", "x"]).status == 0)
        #expect(try cluster.run(["chgcap", leader, "+", "x"]).status == 0)
    }

    @Test(arguments: ["stop", "kill -9"])
    func failoverToTheOverlappingNode(how: String) throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let members = try cluster.startWalkthrough(["morse,Caesar cipher", "64bit encoder,morse,Caesar cipher"])
        #expect(try cluster.app(Self.text).status == 0)
        let first = "127.0.0.1:\(members[0])"
        #expect(try Self.actors(cluster).contains { $0["node"] as? String == first }, "nothing was placed on \(first)")
        if how == "stop" {
            #expect(try cluster.run(["stop", String(members[0])]).status == 0)
        } else {
            kill(try #require(cluster.pid(members[0])), SIGKILL)
        }
        #expect(eventually { !Self.members(cluster).contains(first) }, "the leader still lists \(first)")
        let result = try cluster.app(Self.text)
        #expect(result.status == 0, "app after \(how): \(result.stderr)")
        #expect(Set(result.lines) == walkthroughReports)
        let nodes = Set(try Self.actors(cluster).compactMap { $0["node"] as? String })
        #expect(!nodes.contains(first))
    }

    @Test func aFrozenMemberIsDeclaredDownAndComesBackAsANewLife() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let members = try cluster.startWalkthrough(["morse,Caesar cipher", "64bit encoder,morse,Caesar cipher"])
        #expect(try cluster.app(Self.text).status == 0)
        let frozen = "127.0.0.1:\(members[0])"
        let before = try #require(try cluster.status()["members"] as? [[String: Any]])
        let oldLife = before.first { $0["address"] as? String == frozen }?["incarnation"] as? String
        let pid = try #require(cluster.pid(members[0]))
        kill(pid, SIGSTOP)
        let detected = eventually { !Self.members(cluster).contains(frozen) }
        #expect(detected, "a SIGSTOPped member was not declared down")
        let meanwhile = try cluster.app(Self.text)
        #expect(meanwhile.status == 0, "app while frozen: \(meanwhile.stderr)")
        kill(pid, SIGCONT)
        let back = eventually {
            let list = (try? cluster.status()["members"] as? [[String: Any]]) ?? []
            guard let entry = list.first(where: { $0["address"] as? String == frozen }) else { return false }
            return entry["incarnation"] as? String != oldLife
        }
        #expect(back, "the frozen member did not rejoin as a new life")
        #expect(isRunning(pid))
        let after = try cluster.app(Self.text)
        #expect(after.status == 0)
        #expect(Set(after.lines) == walkthroughReports)
    }

    @Test func theApplicationSurvivesALeaderKillAndRestart() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let members = try cluster.startWalkthrough(["morse,Caesar cipher", "64bit encoder,morse,Caesar cipher"])
        #expect(try cluster.app(Self.text).status == 0)
        kill(try #require(cluster.pid(cluster.leaderPort)), SIGKILL)
        let via = try cluster.app(Self.text, extra: ["--via", String(members[0])])
        #expect(via.status == 0, "app via a member without the leader: \(via.stderr)")
        #expect(Set(via.lines) == walkthroughReports)
        #expect(try cluster.start(cluster.leaderPort).status == 0)
        let after = try cluster.app(Self.text)
        #expect(after.status == 0, "app after the leader's restart: \(after.stderr)")
        #expect(Set(after.lines) == walkthroughReports)
        #expect(eventually { Self.members(cluster).count == 3 }, "members did not rejoin the restarted leader")
        let acceptors = try Self.actors(cluster).filter { $0["type"] as? String == "Acceptor" }
        #expect(acceptors.count == 1, "Acceptors: \(acceptors)")
        for port in members {
            #expect(try cluster.app(Self.text, extra: ["--via", String(port)]).status == 0)
        }
    }

    @Test func aKilledActorIsRestartedInPlace() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        _ = try cluster.startWalkthrough(["morse,Caesar cipher", "64bit encoder"])
        #expect(try cluster.app(Self.text).status == 0)
        let morse = try #require(Self.address(of: "MorseEncoder", in: try Self.actors(cluster)))
        let killed = try cluster.run(["kill", morse])
        #expect(killed.status == 0, "kill failed: \(killed.stderr)")
        let restarted = eventually {
            let actors = (try? Self.actors(cluster)) ?? []
            return actors.contains { $0["address"] as? String == morse && $0["restarts"] as? Int == 1 }
        }
        #expect(restarted, "MorseEncoder \(morse) was not restarted in place")
        let result = try cluster.app(Self.text)
        #expect(result.status == 0)
        #expect(Set(result.lines) == walkthroughReports)
        let bad = try cluster.run(["kill", "not-an-address"])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("not an actor address"))
    }

    @Test func pastTheRestartLimitTheActorStopsAndIsRecreated() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        _ = try cluster.startWalkthrough(["morse,Caesar cipher", "64bit encoder"])
        #expect(try cluster.app(Self.text).status == 0)
        let morse = try #require(Self.address(of: "MorseEncoder", in: try Self.actors(cluster)))
        for _ in 0..<6 {
            _ = try cluster.run(["kill", morse])
        }
        let gone = eventually { !((try? Self.actors(cluster)) ?? []).contains { $0["address"] as? String == morse } }
        #expect(gone, "MorseEncoder survived six kills in a row")
        let result = try cluster.app(Self.text)
        #expect(result.status == 0, "app after the crash limit: \(result.stderr)")
        #expect(Set(result.lines) == walkthroughReports)
        let fresh = Self.address(of: "MorseEncoder", in: try Self.actors(cluster))
        #expect(fresh != nil && fresh != morse)
    }

    @Test func statusShowsLivenessAndRestarts() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let members = try cluster.startWalkthrough(["morse,Caesar cipher", "64bit encoder"])
        #expect(try cluster.app(Self.text).status == 0)
        for port in [cluster.leaderPort] + members {
            let list = try #require(try cluster.status(port)["members"] as? [[String: Any]])
            #expect(list.count == 3)
            for member in list {
                #expect(member["alive"] as? Bool == true)
                #expect(member["lastHeardMs"] is Int, "lastHeardMs of \(member) seen from \(port)")
            }
        }
        let actors = try Self.actors(cluster)
        #expect(actors.allSatisfy { $0["restarts"] as? Int == 0 })
    }
}
