import Testing

@testable import Ensemble

/// A view's member changes, and what follows them one change at a time (lost lives, the
/// addresses a node may link to, views shared between simulated nodes).
@Suite struct MemberChangeTests {
    static let leader = Fixture.node(1900, 1)
    static let me = Fixture.node(10001, 1)

    /// A seeded stream of updates: new lives, lives replaced at their address, departures (this
    /// node's too), load, names and voters.
    static func updates(seed: UInt64, count: Int) -> [ViewUpdate] {
        var random = SplitMix64(seed: seed)
        var lives: [UInt16: UInt64] = [10001: 1]
        var updates: [ViewUpdate] = []
        for _ in 0..<count {
            let port = UInt16(10001 + random.next() % 12)
            switch random.next() % 6 {
            case 0, 1:
                let incarnation = (lives[port] ?? 0) + random.next() % 2
                lives[port] = max(incarnation, 1)
                updates.append(.memberUp(Fixture.member(Fixture.node(port, max(incarnation, 1)))))
            case 2:
                updates.append(.memberDown(Fixture.node(port, lives[port] ?? 1), reason: "gone"))
            case 3:
                updates.append(.load(Fixture.node(port, lives[port] ?? 1), Int(random.next() % 9)))
            case 4:
                updates.append(.nameRegistered("n\(port)", Fixture.actor(Fixture.node(port, lives[port] ?? 1), 7)))
            default:
                updates.append(.voters([leader, Fixture.node(port, lives[port] ?? 1)]))
            }
        }
        return updates
    }

    @Test(arguments: [1, 2, 3, 4] as [UInt64])
    func followingOneChangeAtATimeGivesWhatComparingWholeViewsGives(seed: UInt64) {
        var view = MembershipView(ViewSnapshot(
            leader: Self.leader, sequence: 0, members: [Fixture.member(Self.leader), Fixture.member(Self.me)], names: [:]))
        var stepwise = LostLives(limit: 8)
        var whole = LostLives(limit: 8)
        _ = stepwise.viewChanged(to: view, me: Self.me, now: .zero)
        _ = whole.viewChanged(to: MembershipView(view.snapshot), me: Self.me, now: .zero)
        var changes = 0
        for (index, update) in Self.updates(seed: seed, count: 300).enumerated() {
            let count = view.memberHistory.count
            view.apply(update, sequence: UInt64(index + 1))
            changes += Int(view.memberHistory.count - count)
            let now = Duration.milliseconds(index)
            // A view made whole from its snapshot starts a chain of its own: compared member by member.
            let expected = whole.viewChanged(to: MembershipView(view.snapshot), me: Self.me, now: now)
            let got = stepwise.viewChanged(to: view, me: Self.me, now: now)
            #expect(got.lost == expected.lost && got.joined == expected.joined, "after \(update)")
            #expect(stepwise.lives == whole.lives && stepwise.absentSince == whole.absentSince)
        }
        #expect(changes > 50)
        for port in UInt16(10001)...10012 {
            for incarnation in UInt64(1)...4 {
                let life = Fixture.node(port, incarnation)
                #expect(stepwise.isKnown(life) == whole.isKnown(life) && stepwise.contains(life) == whole.contains(life))
            }
        }
    }

    @Test func aLifeReplacedAtItsAddressIsOneChangeAndTheBookkeepingIsNoPartOfEquality() {
        var view = MembershipView(ViewSnapshot(leader: Self.leader, sequence: 0, members: [Fixture.member(Self.leader)], names: [:]))
        let copy = MembershipView(view.snapshot)
        #expect(copy == view && copy.revision != view.revision && copy.memberHistory.lineage != view.memberHistory.lineage)
        view.apply(.memberUp(Fixture.member(Self.me)), sequence: 1)
        #expect(view.memberHistory.count == 1 && view.memberHistory.last == MemberChange(joined: Self.me, left: nil))
        let next = Fixture.node(10001, 2)
        view.apply(.memberUp(Fixture.member(next)), sequence: 2)
        #expect(view.memberHistory.last == MemberChange(joined: next, left: Fixture.member(Self.me)))
        let before = view.revision
        view.apply(.load(next, 3), sequence: 3)
        #expect(view.memberHistory.count == 2 && view.revision != before)
        view.apply(.memberDown(Self.me, reason: "an older life"), sequence: 4)
        #expect(view.memberHistory.count == 2)
        view.apply(.memberDown(next, reason: "gone"), sequence: 5)
        #expect(view.memberHistory.count == 3 && view.members.count == 1)
    }

    @Test func linkableAddressesAreThoseOfTheViewAsOfTheLastRebuild() {
        var linkable = LinkableAddresses()
        #expect(linkable.isEmpty)
        var view = MembershipView(ViewSnapshot(
            leader: Self.leader, sequence: 0, members: [Fixture.member(Self.leader), Fixture.member(Self.me)], names: [:]))
        let awaited = Fixture.node(10005, 1)
        let voter = Fixture.node(10006, 1)
        let configured = NodeAddress(host: "127.0.0.1", port: 1800)
        let joinsAt = NodeAddress(host: "127.0.0.1", port: 1700)
        linkable.rebuild(view: view, awaited: [awaited: .zero], voters: [voter], configuredLeader: configured, leaderAddress: joinsAt)
        view.apply(.memberUp(Fixture.member(Fixture.node(10009, 1))), sequence: 1)
        view.apply(.memberDown(Self.me, reason: "gone"), sequence: 2)
        #expect(!linkable.isEmpty)
        for address in [Self.leader.address, Self.me.address, awaited.address, voter.address, configured, joinsAt] {
            #expect(linkable.contains(address))
        }
        #expect(!linkable.contains(Fixture.node(10009, 1).address))
        linkable.rebuild(view: view, awaited: [:], voters: [], configuredLeader: configured, leaderAddress: joinsAt)
        #expect(linkable.contains(Fixture.node(10009, 1).address) && !linkable.contains(Self.me.address))
        #expect(!linkable.contains(awaited.address) && !linkable.contains(voter.address))
    }

    @Test func membersWithTheSameViewShareOneCopyAndADifferentViewKeepsItsOwn() {
        let sharing = SimViewSharing(capacity: 16)
        let everyone = [Self.leader, Self.me] + (UInt16(10002)...10004).map { Fixture.node($0, 1) }
        let snapshot = ViewSnapshot(leader: Self.leader, sequence: 4, members: everyone.map { Fixture.member($0) }, names: [:])
        // Three members welcomed into the same view, two of them sharing views.
        var states = (UInt16(10002)...10004).map { port in
            var state = MemberState(me: Fixture.node(port, 1), leaderAddress: Self.leader.address)
            if port != 10004 { state.viewSharing = sharing }
            _ = state.welcome(snapshot)
            return state
        }
        #expect(states[0].view!.revision == states[1].view!.revision && sharing.counts.points == 1)
        let update = SequencedUpdate(leader: Self.leader, sequence: 5, update: .memberDown(Self.me, reason: "gone"))
        for index in states.indices { #expect(states[index].update(update) == [.viewChanged]) }
        let views = states.map { $0.view! }
        #expect(views[0] == views[2] && views[1] == views[2] && views[0].members.count == 4)
        #expect(views[0].revision == views[1].revision && views[0].revision != views[2].revision)
        #expect(sharing.counts.steps == 1)
        // A member whose view says something else (a load figure of its own) keeps its own view.
        var apart = states[1]
        apart.noteLoad(Self.leader, 9)
        let next = SequencedUpdate(leader: Self.leader, sequence: 6, update: .load(Self.me, 1))
        _ = states[0].update(next)
        _ = apart.update(next)
        #expect(apart.view!.members[Self.leader.address]?.load == 9 && states[0].view!.members[Self.leader.address]?.load == 0)
        #expect(sharing.counts.different == 1)
    }
}
