import Testing
@testable import Ensemble

/// `Placement.decide` with a placement hint: honoured when the requirement allows it,
/// `.impossible` naming the hint when not, never a fallback elsewhere.
@Suite struct PlacementHintTests {
    static let leader = PlacementTests.leader
    static let local = PlacementTests.local
    static let morse = PlacementTests.morse
    static let other = Fixture.node(10001, 4)
    static let spare = Fixture.node(10002, 2)

    static func decide(_ requirement: Capabilities, local localCapabilities: Capabilities = .none,
                       _ members: [MemberInfo], hint: PlacementHint?) -> PlacementDecision {
        Placement.decide(
            typeName: "MorseEncoder", requirement: requirement, local: local, localCapabilities: localCapabilities,
            view: PlacementTests.view(members), hint: hint)
    }

    static func error(_ decision: PlacementDecision) -> PlacementError? {
        if case .impossible(let error) = decision { return error }
        Issue.record("expected .impossible, got \(decision)")
        return nil
    }

    static let members = [
        Fixture.member(leader, ["morse"], load: 9),
        Fixture.member(local, ["morse"]),
        Fixture.member(other, ["morse", "gpu"], load: 5),
        Fixture.member(spare, ["morse"], load: 0),
    ]

    // MARK: A preferred node

    @Test func aPreferredMemberThatMeetsTheRequirementIsTheOnlyCandidate() {
        // Not the least loaded, and the local node could host it: the hint decides.
        #expect(Self.decide(Self.morse, local: Self.morse, Self.members, hint: .node(Self.other.address))
            == .remote([Self.other]))
        #expect(Self.decide(.none, Self.members, hint: .node(Self.leader.address)) == .remote([Self.leader]))
    }

    @Test func thePreferredNodeMayBeThisOne() {
        #expect(Self.decide(Self.morse, local: Self.morse, Self.members, hint: .node(Self.local.address)) == .local)
        // This node's own capabilities decide, not the (stale) view's record of it.
        #expect(Self.decide(Self.morse, local: Self.morse, [Fixture.member(Self.local)], hint: .node(Self.local.address)) == .local)
        let lacking = Self.decide(Self.morse, local: .none, Self.members, hint: .node(Self.local.address))
        #expect(Self.error(lacking) == PlacementError(
            typeName: "MorseEncoder", requirement: Self.morse,
            nodes: [.init(node: Self.local.address, missing: ["morse"], refusal: nil)], hint: .node(Self.local.address)))
    }

    @Test func aPreferredMemberThatLacksTheRequirementIsRefusedNotReplaced() throws {
        let members = [Fixture.member(Self.other, ["gpu"]), Fixture.member(Self.spare, ["morse"])]
        let error = try #require(Self.error(Self.decide(Self.morse, members, hint: .node(Self.other.address))))
        #expect(error.hint == .node(Self.other.address))
        #expect(error.nodes == [.init(node: Self.other.address, missing: ["morse"], refusal: nil)])
        #expect(error.description
            == "MorseEncoder needs \"morse\" and was asked for on 127.0.0.1:10001: 127.0.0.1:10001 lacks \"morse\"")
    }

    @Test func aPreferredNodeThatIsNoMemberIsRefused() throws {
        let stranger = NodeAddress(host: "10.0.0.9", port: 10001)
        let error = try #require(Self.error(Self.decide(.none, local: Self.morse, Self.members, hint: .node(stranger))))
        #expect(error.nodes == [.init(node: stranger, missing: [], refusal: "is not a member of the convention")])
        #expect(error.description
            == "MorseEncoder needs (none) and was asked for on 10.0.0.9:10001: 10.0.0.9:10001 is not a member of the convention")
        // Same port, another host: a different node.
        #expect(Self.error(Self.decide(.none, Self.members, hint: .node(NodeAddress(host: "localhost", port: 10001)))) != nil)
    }

    // MARK: A preferred capability

    @Test func aPreferredCapabilityIsRequiredAsWell() {
        #expect(Self.decide(Self.morse, local: Self.morse, Self.members, hint: .capability("gpu")) == .remote([Self.other]))
        // Without the type's requirement, a node with only the capability will not do.
        let members = [Fixture.member(Self.other, ["gpu"], load: 0), Fixture.member(Self.spare, ["gpu", "morse"], load: 7)]
        #expect(Self.decide(Self.morse, members, hint: .capability("gpu")) == .remote([Self.spare]))
    }

    @Test func aPreferredCapabilityKeepsLocalFirstThenLoadOrder() {
        #expect(Self.decide(Self.morse, local: Capabilities(["morse", "gpu"]), Self.members, hint: .capability("gpu")) == .local)
        let members = [
            Fixture.member(Self.leader, ["morse", "gpu"], load: 3),
            Fixture.member(Self.other, ["morse", "gpu"], load: 1),
            Fixture.member(Self.spare, ["morse", "gpu"], load: 1),
        ]
        #expect(Self.decide(Self.morse, members, hint: .capability("gpu")) == .remote([Self.other, Self.spare, Self.leader]))
    }

    @Test func aPreferredCapabilityIsTrimmedAsCapabilitiesAre() {
        #expect(Self.decide(.none, Self.members, hint: .capability("  gpu ")) == .remote([Self.other]))
    }

    @Test func aPreferredCapabilityNobodyHasListsWhatEachNodeLacks() throws {
        let members = [Fixture.member(Self.leader, ["gpu"]), Fixture.member(Self.other, ["morse"])]
        let error = try #require(Self.error(Self.decide(Self.morse, local: Self.morse, members, hint: .capability("gpu"))))
        #expect(error.requirement == Self.morse)
        #expect(error.hint == .capability("gpu"))
        #expect(error.nodes == [
            .init(node: Self.leader.address, missing: ["morse"], refusal: nil),
            .init(node: Self.local.address, missing: ["gpu"], refusal: nil),
            .init(node: Self.other.address, missing: ["gpu"], refusal: nil),
        ])
        #expect(error.description == "MorseEncoder needs \"morse\" and was asked for on a node with \"gpu\": "
            + "127.0.0.1:1900 lacks \"morse\"; 127.0.0.1:10000 lacks \"gpu\"; 127.0.0.1:10001 lacks \"gpu\"")
    }

    // MARK: No hint, and what a hint may be

    @Test func noHintDecidesAsBefore() {
        #expect(Self.decide(Self.morse, local: Self.morse, Self.members, hint: nil) == .local)
        #expect(Self.decide(Self.morse, Self.members, hint: nil) == .remote([Self.spare, Self.other, Self.leader]))
        guard case .impossible(let error) = Self.decide(Capabilities(["x"]), Self.members, hint: nil) else {
            Issue.record("expected .impossible")
            return
        }
        #expect(error.hint == nil)
        #expect(!error.description.contains("asked for"))
    }

    @Test func aHintsProblemIsSaid() {
        #expect(PlacementHint.node(NodeAddress(host: "h", port: 1)).problem == nil)
        #expect(PlacementHint.node(NodeAddress(host: "h", port: 0)).problem == "the preferred node's port is 0")
        #expect(PlacementHint.capability(" gpu ").problem == nil)
        #expect(PlacementHint.capability(" \t").problem == "the preferred capability is empty")
        #expect(PlacementHint.capability(String(repeating: "é", count: 512)).problem == nil)
        #expect(PlacementHint.capability(String(repeating: "é", count: 513)).problem
            == "the preferred capability is over 1024 UTF-8 bytes")
        #expect(PlacementHint.capability(" gpu ").normalized == .capability("gpu"))
        #expect("\(PlacementHint.node(NodeAddress(host: "::1", port: 5)))" == "on [::1]:5")
    }
}
