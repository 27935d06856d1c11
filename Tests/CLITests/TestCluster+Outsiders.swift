import Foundation
import Testing

extension TestCluster {
    /// Starts the leader (with `leaderExtra`), waits until its lease is 3 s past, then starts
    /// `count` members with capability `spare` (with `memberExtra`), and returns their ports. Members that join
    /// within a new leader's lease hear its announcement over a link it opens for that; these
    /// join after it, so the leader links only to the voters (the first four) and to whom it
    /// speaks: the others are members it holds no link to.
    func startPastTheLeadersLease(members count: Int, leaderExtra: [String] = [], memberExtra: [String] = []) throws -> [UInt16] {
        let started = try start(leaderPort, extra: leaderExtra)
        try #require(started.status == 0, "leader start failed: \(started.stderr)")
        let accession = try run(["events", "--json"])
        let leaderEvent = try #require(accession.lines.first.flatMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        })
        let ledSince = Double(try #require(leaderEvent["timeMs"] as? Int)) / 1000
        try #require(eventually(timeout: 10) { Date().timeIntervalSince1970 > ledSince + 3 })
        var members: [UInt16] = []
        for _ in 0..<count {
            let port = try FreePorts.one()
            let result = try start(port, "spare", extra: memberExtra)
            try #require(result.status == 0, "member start failed: \(result.stderr)")
            members.append(port)
        }
        return members
    }

    /// Waits until the founder's voting set is full (itself and four members), so that a majority
    /// of it outlives the founder. Asked of the founder: a status asks every member for its
    /// actors over the asker's links, and the founder's die with it.
    func expectFullVotingSet(sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(eventually(timeout: 30) {
            let list = LeaderFailoverTests.status(self, leaderPort)?["members"] as? [[String: Any]] ?? []
            return list.count(where: { $0["voter"] as? Bool == true }) == 5
        }, "the founder's voting set did not fill", sourceLocation: sourceLocation)
    }
}
