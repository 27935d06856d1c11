import Testing

@testable import Ensemble

/// A named actor placed on another member (its type needs a capability the claimant lacks):
/// `NodeCore.findOrCreate` claims the name, has the actor created on that member, and then
/// registers the remote actor's address at the leader. Found by `ConventionSimulation`
/// (seed 11, without any fault): the leader must take that registration from the claim's
/// holder, or the actor runs under a name nobody registered, the claim's waiters wait out
/// the claim timeout, and the name ends up held by several live actors.
@Suite struct RemoteNamedPlacementTests {
    static let leader = Fixture.node(1900, 0x100)
    static let a = Fixture.node(10001, 0x10)
    static let b = Fixture.node(10002, 0x20)

    /// A leader past its name grace, with members a and b.
    static func leading() -> ControlPlane {
        var state = LeaderState(leader: MemberInfo(node: leader, capabilities: .none))
        for (index, node) in [a, b].enumerated() {
            let join = JoinRequest(node: node, capabilities: Capabilities(["gpu"]), load: 0, protocolVersion: Envelope.protocolVersion)
            _ = state.join(join, from: .system(node), correlationID: UInt64(index + 1))
        }
        var plane = ControlPlane(leading: state)
        _ = plane.lost.viewChanged(to: plane.view, me: leader, now: .zero)
        return plane
    }

    static func request(_ plane: inout ControlPlane, _ control: ControlRequest, from node: NodeID, id: UInt64) -> [PlaneAction] {
        plane.request(control, sender: .system(node), correlationID: id, from: .node(node, .plainTextNode),
                      now: .seconds(10), lastHeard: { _ in .seconds(10) })
    }

    @Test func theClaimantRegistersTheActorItHadCreatedOnAnotherMember() {
        var plane = Self.leading()
        #expect(Self.request(&plane, .claimName("trainer"), from: Self.a, id: 7)
            == [.leader([.reply(to: .system(Self.a), correlationID: 7, .nameClaim(.granted, term: 1))])])
        // a lacks the capability: the actor is created on b, and a registers it.
        let onB = ActorAddress(node: Self.b, id: 1)
        let actions = Self.request(&plane, .registerName("trainer", onB, bornMs: 5), from: Self.a, id: 8)
        #expect(plane.view?.names["trainer"] == onB, "the registration was not taken: \(actions)")
        #expect(actions.contains { action in
            guard case .leader(let directives) = action else { return false }
            return directives.contains(.reply(to: .system(Self.a), correlationID: 8, .nameClaim(.existing(onB), term: 1)))
        })
    }

    @Test func onlyTheClaimsHolderMayRegisterAnotherMembersActor() {
        var plane = Self.leading()
        _ = Self.request(&plane, .claimName("trainer"), from: Self.a, id: 7)
        // b holds no claim of the name: it may not put a's actor under it (nor the leader's).
        let onA = ActorAddress(node: Self.a, id: 1)
        _ = Self.request(&plane, .registerName("trainer", onA, bornMs: 5), from: Self.b, id: 9)
        #expect(plane.view?.names["trainer"] == nil)
        _ = Self.request(&plane, .registerName("other", ActorAddress(node: Self.leader, id: 1), bornMs: 5), from: Self.b, id: 10)
        #expect(plane.view?.names["other"] == nil)
    }

    /// Created with the leader away and placed on b: a's word on b's actor is not taken (only a
    /// host speaks for its actors), so b, told by the `CreateRequest`, announces it in its JOIN.
    /// Found by `ConventionSimulation` (seed 706 of even splits): the name stayed unknown to the
    /// leader, and a second actor got it.
    @Test func theHostAnnouncesANamedActorItCreatedWithoutTheLeadersWord() throws {
        var plane = Self.leading()
        let onB = ActorAddress(node: Self.b, id: 1)
        let named = NamedActor(name: "alpha", address: onB, bornMs: 5)
        func join(_ node: NodeID) -> ControlRequest {
            .join(JoinRequest(node: node, capabilities: Capabilities(["gpu"]), load: 1,
                              protocolVersion: Envelope.protocolVersion, names: [named]))
        }
        _ = Self.request(&plane, join(Self.a), from: Self.a, id: 11)
        #expect(plane.view?.names["alpha"] == nil)
        _ = Self.request(&plane, join(Self.b), from: Self.b, id: 12)
        #expect(plane.view?.names["alpha"] == onB)

        // The flag crosses the wire only with a name.
        let create = CreateRequest(typeName: "Trainer", parent: nil, globalName: "alpha", nameUnsettled: true)
        #expect(try CreateRequest(proto: create.proto) == create)
        var unnamed = create.proto
        unnamed.clearGlobalName()
        #expect(try CreateRequest(proto: unnamed).nameUnsettled == false)

        // The host, a welcomed member, announces the name at once (a JOIN carrying its named actors).
        var member = MemberState(me: Self.b, leaderAddress: Self.leader.address)
        _ = member.welcome(plane.view!.snapshot)
        #expect(!member.joinDue(now: .zero))
        member.noteLocalName("beta", ActorAddress(node: Self.b, id: 2))
        #expect(member.joinDue(now: .zero))
    }
}
