import Foundation
import Testing

extension LabConvention {
    /// `status NODE --json` of every node in `nodes` at once, each run on the client host:
    /// one sample of the convention as each node sees it. A node that did not answer is absent.
    func views(of nodes: [String], timeout: Int = 3) -> [String: ElectionView] { sample(of: nodes, timeout: timeout).views }

    /// `views(of:)`, with what each node that did not answer said instead (for failure messages).
    func sample(of nodes: [String], timeout: Int = 3) -> (views: [String: ElectionView], unanswered: [String: String]) {
        ElectionView.sample(nodes, launcher: lab.launcher(on: client), timeout: timeout) { node in
            ["status", node, "--json", "--timeout", String(timeout), "--leader", leaderAddress]
        }
    }
}

/// Elections across real interfaces: five voters on five hosts, cut in two with the leader on
/// the minority side. The client host reaches both sides throughout: only the nodes' traffic
/// across the cut is dropped (nftables, both ways), and no socket closes.
extension NetworkNamespaceTests {
    /// After the cut, how long the minority is watched for a leader of a higher term at least:
    /// several leases (2 s each) and election rounds.
    static let minorityWatch: Duration = .seconds(10)

    @Test func aPartitionLeavingTheLeaderInTheMinorityElectsOnTheMajoritySideAndHealsIntoOneConvention() throws {
        let lab = try NetworkLab.forTest()
        defer { lab.tearDown() }
        let leaderHost = try lab.addHost("lead", number: 1)
        let memberHosts = try ["a", "b", "c", "d"].enumerated().map { try lab.addHost($1, number: $0 + 2) }
        let convention = try LabConvention(lab: lab, leader: leaderHost, client: try lab.addHost("cli", number: 6))
        defer { convention.stopNodes() }

        let started = try convention.start(on: leaderHost, "", binding: ["--host", "0.0.0.0", "--advertise", leaderHost.name])
        try #require(started.status == 0, "start on \(leaderHost.name) failed: \(started.stderr)")
        for host in memberHosts {
            let started = try convention.start(on: host, LeaderFailoverTests.everything, binding: ["--host", host.address])
            try #require(started.status == 0, "start on \(host.address) failed: \(started.stderr)")
        }
        let address = { (host: NetworkLab.Host) in host == leaderHost ? convention.leaderAddress : "\(host.address):\(convention.port)" }
        let hosts = [leaderHost] + memberHosts
        let all = hosts.map(address)
        // The leader and A on one side, B, C and D on the other.
        let minorityHosts = [leaderHost, memberHosts[0]], majorityHosts = Array(memberHosts[1...])
        let minority = minorityHosts.map(address), majority = majorityHosts.map(address)

        var last: [String: ElectionView] = [:]
        let voting = eventually(timeout: 60) {
            last = convention.views(of: [convention.leaderAddress])
            guard let view = last[convention.leaderAddress] else { return false }
            return view.members.count == 5 && view.members.allSatisfy { $0.alive && $0.voter }
        }
        try #require(voting, "the five nodes did not all come to vote: \(last.values.map(\.summary))")
        let before = try #require(last[convention.leaderAddress])
        try #require(before.role == "leader" && before.leader == before.life, "\(before.summary)")
        let lives = convention.views(of: all).mapValues(\.life)
        try #require(lives.count == 5, "not every node answered: \(lives)")

        for near in minorityHosts {
            for far in majorityHosts { try lab.dropTraffic(on: near, with: far) }
        }
        let cut = ContinuousClock.now
        var steppedDown: Duration?, elected: Duration?
        var successor: ElectionView?
        var minorityLeaders: [String] = []
        var samples = 0
        // Until the majority agrees on a new leader, the old one stepped down, and the minority
        // was watched long enough; 60 s at most.
        while ContinuousClock.now - cut < .seconds(60) {
            let views = convention.views(of: all)
            let now = ContinuousClock.now - cut
            samples += 1
            for node in minority {
                guard let view = views[node] else { continue }
                if view.role == "leader" && view.term > before.term { minorityLeaders.append(view.summary) }
            }
            if steppedDown == nil, let old = views[convention.leaderAddress], old.role != "leader" { steppedDown = now }
            let sides = majority.compactMap { views[$0] }
            if elected == nil, sides.count == majority.count, let first = sides.first, let life = first.leader,
                life != before.life, majority.contains(ElectionView.address(of: life)), first.term > before.term,
                sides.allSatisfy({ $0.leader == life && $0.term == first.term }),
                let chosen = views[ElectionView.address(of: life)], chosen.role == "leader"
            {
                elected = now
                successor = chosen
            }
            if steppedDown != nil, elected != nil, now >= Self.minorityWatch { break }
        }
        let watched = ContinuousClock.now - cut
        let final = convention.views(of: all)
        try #require(elected != nil, "the majority elected no new leader within 60 s: \(final.values.map(\.summary))")
        #expect(steppedDown != nil, "the old leader did not step down: \(final[convention.leaderAddress]?.summary ?? "no answer")")
        #expect(minorityLeaders.isEmpty, "the minority elected: \(minorityLeaders)")
        let new = try #require(successor)
        print("netns partition: cut (leader + 1 | 3) -> old leader \(before.life) stepped down: \(steppedDown.map { "\($0.milliseconds) ms" } ?? "never"); majority elected \(new.life) (term \(before.term) -> \(new.term)): \(elected!.milliseconds) ms; no leader above term \(before.term) on the minority side over \(watched.milliseconds) ms (\(samples) samples)")
        // The lease is 2 s; a few seconds of polling on top.
        #expect(steppedDown.map { $0 < .seconds(8) } == true, "the old leader stepped down only after \(steppedDown.map { "\($0.milliseconds) ms" } ?? "never")")

        // The majority declared the minority's nodes down before the heal (they come back as new lives).
        let declared = eventually(timeout: 30) {
            guard let view = convention.views(of: [new.address])[new.address] else { return false }
            return Set(view.members.map(\.address)) == Set(majority)
        }
        #expect(declared, "the new leader still lists the minority: \(convention.views(of: [new.address]).values.map(\.summary))")

        for near in minorityHosts { try lab.removeFilter(on: near) }
        let healed = ContinuousClock.now
        var whole: ElectionView?
        var unanswered: [String: String] = [:]
        _ = eventually(timeout: 90) {
            (last, unanswered) = convention.sample(of: all)
            guard last.count == 5, let any = last.values.first, let life = any.leader,
                last.values.allSatisfy({ $0.leader == life && $0.term == any.term }),
                let leader = last[ElectionView.address(of: life)], leader.life == life, leader.role == "leader",
                leader.members.count == 5, leader.members.allSatisfy(\.alive), Set(leader.members.map(\.address)) == Set(all)
            else { return false }
            whole = leader
            return true
        }
        let reunited = ContinuousClock.now - healed
        let leader = try #require(whole, "not one convention 90 s after the heal: \(last.values.map(\.summary)); unanswered: \(unanswered)")
        #expect(leader.term >= new.term, "the term went back: \(new.term) then \(leader.summary)")
        for node in minority {
            #expect(last[node]?.life != lives[node], "\(node) is still its old life \(lives[node] ?? "?") after the heal")
        }
        let voters = eventually(timeout: 60) {
            guard let view = convention.views(of: [leader.address])[leader.address] else { return false }
            return view.members.count == 5 && view.members.allSatisfy { $0.alive && $0.voter }
        }
        let voting5 = ContinuousClock.now - healed
        #expect(voters, "the healed convention's five nodes did not all come to vote: \(convention.views(of: [leader.address]).values.map(\.summary))")
        print("netns partition: heal -> one convention (leader \(leader.life), term \(leader.term), 5 members alive): \(reunited.milliseconds) ms; five voters again: \(voting5.milliseconds) ms")
    }
}
