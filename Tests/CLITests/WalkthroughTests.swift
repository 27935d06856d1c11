import Foundation
import Testing

/// The walkthrough (README, "The walkthrough"), driven through the built binary.
@Suite(.serialized)
struct WalkthroughTests {
    static let requirements = ["Base64Encoder": "64bit encoder", "Rot13Encoder": "Caesar cipher", "MorseEncoder": "morse"]

    @Test func walkthroughPrintsTheFourReportsAndPlacesByCapability() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let members = try cluster.startWalkthrough(["morse,Caesar cipher", "64bit encoder"])

        let first = try cluster.app("This is a multi-system test\n")
        #expect(first.status == 0, "app failed: \(first.stderr)")
        #expect(Set(first.lines) == walkthroughReports)
        #expect(first.lines.count == 4)

        let status = try cluster.status()
        #expect(status["schemaVersion"] as? Int == 1)
        let memberList = try #require(status["members"] as? [[String: Any]])
        #expect(memberList.count == 3)
        let capabilities = Dictionary(uniqueKeysWithValues: memberList.map {
            ($0["address"] as! String, Set($0["capabilities"] as! [String]))
        })
        #expect(capabilities["127.0.0.1:\(members[0])"] == ["morse", "Caesar cipher"])
        let actors = try #require(status["actors"] as? [[String: Any]])
        for (type, capability) in Self.requirements {
            let hosts = actors.filter { $0["type"] as? String == type }.map { $0["node"] as! String }
            #expect(hosts.count == 1, "\(type) should run once, runs on \(hosts)")
            for host in hosts { #expect(capabilities[host]?.contains(capability) == true, "\(type) on \(host)") }
        }
        let names = try #require(status["globalNames"] as? [String: String])
        let acceptor = try #require(actors.first { $0["type"] as? String == "Acceptor" })
        #expect(names["Acceptor"] == acceptor["address"] as? String)
        #expect(acceptor["globalName"] as? String == "Acceptor")

        let second = try cluster.app("This is a multi-system test")
        #expect(second.status == 0)
        #expect(Set(second.lines) == walkthroughReports)
        let again = try #require(try cluster.status()["actors"] as? [[String: Any]])
        #expect(Set(again.map { $0["address"] as! String }) == Set(actors.map { $0["address"] as! String }),
                "a second app run should reuse the same actors")
    }

    @Test func overlappingCapabilitiesSpreadByLoad() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let members = try cluster.startWalkthrough(["morse,Caesar cipher", "64bit encoder,morse,Caesar cipher"])
        let result = try cluster.app("This is a multi-system test")
        #expect(result.status == 0, "app failed: \(result.stderr)")
        #expect(Set(result.lines) == walkthroughReports)
        let actors = try #require(try cluster.status()["actors"] as? [[String: Any]])
        let placed = actors.filter { Self.requirements.keys.contains($0["type"] as! String) }
        let perNode = Dictionary(grouping: placed, by: { $0["node"] as! String }).mapValues(\.count)
        #expect(perNode["127.0.0.1:\(members[0])", default: 0] >= 1, "the first member got nothing: \(perNode)")
        #expect(perNode["127.0.0.1:\(members[1])", default: 0] >= 1, "the second member got nothing: \(perNode)")
    }

    @Test func globalNameFromTwoNodesAtOnceGivesOneActor() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let members = try cluster.startWalkthrough(["morse,Caesar cipher", "64bit encoder"])
        let runs = try members.map { port in
            try CLIRunner.start(["app", "--via", String(port)] + cluster.common, input: "This is a multi-system test")
        }
        let results = runs.map { $0.wait(timeout: 30) }
        for result in results {
            #expect(result.status == 0, "app failed: \(result.stderr)")
            #expect(Set(result.lines) == walkthroughReports)
        }
        let status = try cluster.status()
        let actors = try #require(status["actors"] as? [[String: Any]])
        let acceptors = actors.filter { $0["type"] as? String == "Acceptor" }
        #expect(acceptors.count == 1, "two Acceptors: \(acceptors)")
        let names = try #require(status["globalNames"] as? [String: String])
        #expect(names["Acceptor"] == acceptors.first?["address"] as? String)
        for port in members {
            let view = try #require(try cluster.status(port)["globalNames"] as? [String: String])
            #expect(view["Acceptor"] == names["Acceptor"], "member \(port) sees another Acceptor")
        }
    }

    @Test func missingCapabilityPrintsTheOthersAndSaysWhy() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        _ = try cluster.startWalkthrough(["Caesar cipher", "64bit encoder"])
        let result = try cluster.app("This is a multi-system test")
        #expect(result.status == 2)
        #expect(Set(result.lines) == walkthroughReports.filter { !$0.hasPrefix("MorseEncoder") })
        #expect(result.stderr.contains("MorseEncoder"))
        #expect(result.stderr.contains("\"morse\""))
    }

    @Test func nonASCIIInputIsEncodedAsUTF8() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        _ = try cluster.startWalkthrough(["morse,Caesar cipher", "64bit encoder"])
        let result = try cluster.app("héllo ☃\n")
        #expect(result.status == 0, "app failed: \(result.stderr)")
        #expect(Set(result.lines) == [
            "Encoder [density=1.000]  héllo ☃",
            "Base64Encoder [density=0.438]  aMOpbGxvIOKYgw==",
            "Rot13Encoder [density=1.000]  uéyyb ☃",
            "MorseEncoder [density=0.304]  .... .-.. .-.. ---     ",
        ])
        let symbols = try cluster.app("☃")
        #expect(symbols.status == 0)
        #expect(symbols.stdout.contains("MorseEncoder [density=n/a]  \n"))
    }
}
