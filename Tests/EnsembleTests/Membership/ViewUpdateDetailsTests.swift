import Testing

@testable import Ensemble

/// Which updates a node may apply without looking at every member again.
struct ViewUpdateDetailsTests {
    static let node = NodeID(address: NodeAddress(host: "10.0.0.2", port: 1900), incarnation: 7)
    static let actor = ActorAddress(node: node, id: 3)

    @Test func loadAndCapabilitiesChangeDetailsOnly() {
        #expect(ViewUpdate.load(Self.node, 12).changesMemberDetailsOnly)
        #expect(ViewUpdate.capabilities(Self.node, Capabilities(["gpu"])).changesMemberDetailsOnly)
    }

    @Test func livesVotersAndNamesChangeMore() {
        let updates: [ViewUpdate] = [
            .memberUp(MemberInfo(node: Self.node, capabilities: Capabilities([]))),
            .memberDown(Self.node, reason: "left"),
            .nameRegistered("alpha", Self.actor),
            .nameReleased("alpha"),
            .voters([Self.node]),
        ]
        for update in updates { #expect(!update.changesMemberDetailsOnly, "\(update)") }
    }

    /// A details-only update leaves the set of member lives as it was: what `viewDetailsChanged`
    /// skips (lost lives, watches, links) has nothing to do.
    @Test func aDetailsOnlyUpdateKeepsTheMemberLives() {
        let leader = MemberInfo(node: NodeID(address: NodeAddress(host: "10.0.0.1", port: 1900), incarnation: 1), capabilities: Capabilities([]))
        var view = MembershipView(leader: leader)
        view.apply(.memberUp(MemberInfo(node: Self.node, capabilities: Capabilities([]))), sequence: 1)
        let lives = Set(view.members.values.map(\.node))
        let voters = view.voters
        for update in [ViewUpdate.load(Self.node, 40), .capabilities(Self.node, Capabilities(["gpu", "ssd"]))] {
            view.apply(update, sequence: view.sequence + 1)
            #expect(Set(view.members.values.map(\.node)) == lives)
            #expect(view.voters == voters)
        }
        #expect(view.members[Self.node.address]?.load == 40)
        #expect(view.members[Self.node.address]?.capabilities == Capabilities(["gpu", "ssd"]))
    }
}
