import Testing
@testable import Ensemble

@Suite struct PlacementTests {
    static let leader = Fixture.node(1900, 1)
    static let local = Fixture.node(10000, 1)
    static let morse = Capabilities(["morse"])

    static func view(_ members: [MemberInfo]) -> MembershipView {
        MembershipView(ViewSnapshot(leader: leader, sequence: 1, members: members, names: [:]))
    }

    static func decide(_ requirement: Capabilities, local localCapabilities: Capabilities = .none,
                       _ members: [MemberInfo]) -> PlacementDecision {
        Placement.decide(
            typeName: "MorseEncoder", requirement: requirement, local: local, localCapabilities: localCapabilities,
            view: view(members))
    }

    @Test func localWhenLocalCapabilitiesSatisfy() {
        let members = [Fixture.member(Self.leader, ["morse"]), Fixture.member(Self.local, ["morse"])]
        #expect(Self.decide(Self.morse, local: Capabilities(["morse", "x"]), members) == .local)
        #expect(Self.decide(.none, members) == .local)
    }

    @Test func localCapabilitiesWinOverAStaleView() {
        // The view still lists the local node without the capability; the node's own set decides.
        #expect(Self.decide(Self.morse, local: Self.morse, [Fixture.member(Self.local)]) == .local)
    }

    @Test func remoteCandidatesByLoadThenLowestAddress() {
        let members = [
            Fixture.member(Self.leader, ["morse"], load: 5),
            Fixture.member(Fixture.node(10003, 1), ["morse"], load: 1),
            Fixture.member(Fixture.node(10002, 9), ["morse", "extra"], load: 1),
            Fixture.member(Fixture.node(10001, 1), ["Caesar cipher"], load: 0),
            Fixture.member(Fixture.node(10004, 1, host: "127.0.0.0"), ["morse"], load: 1),
            Fixture.member(Fixture.node(10005, 1), ["morse"], load: 0),
        ]
        #expect(Self.decide(Self.morse, members) == .remote([
            Fixture.node(10005, 1),
            Fixture.node(10004, 1, host: "127.0.0.0"),
            Fixture.node(10002, 9),
            Fixture.node(10003, 1),
            Self.leader,
        ]))
    }

    @Test func localNodeIsNotARemoteCandidate() {
        // The view believes the local node (an older life included) has the capability; it does not.
        let members = [
            Fixture.member(Fixture.node(10000, 0), ["morse"], load: 0),
            Fixture.member(Fixture.node(10001, 1), ["morse"], load: 3),
        ]
        #expect(Self.decide(Self.morse, members) == .remote([Fixture.node(10001, 1)]))
        let onlyLocal = Self.decide(Self.morse, [Fixture.member(Self.local, ["morse"])])
        guard case .impossible(let error) = onlyLocal else {
            Issue.record("expected .impossible, got \(onlyLocal)")
            return
        }
        #expect(error.nodes == [PlacementError.NodeReason(node: Self.local.address, missing: ["morse"], refusal: nil)])
    }

    @Test func impossibleListsEveryNodeWithWhatItLacks() throws {
        let requirement = Capabilities(["morse", "64bit encoder"])
        let members = [
            Fixture.member(Fixture.node(10101, 1), ["64bit encoder"]),
            Fixture.member(Self.leader, ["Caesar cipher"]),
            Fixture.member(Fixture.node(10002, 1), ["morse"]),
        ]
        let decision = Self.decide(requirement, local: Capabilities(["morse"]), members)
        guard case .impossible(let error) = decision else {
            Issue.record("expected .impossible, got \(decision)")
            return
        }
        #expect(error.typeName == "MorseEncoder")
        #expect(error.requirement == requirement)
        #expect(error.nodes == [
            PlacementError.NodeReason(node: Self.leader.address, missing: ["64bit encoder", "morse"], refusal: nil),
            PlacementError.NodeReason(node: Self.local.address, missing: ["64bit encoder"], refusal: nil),
            PlacementError.NodeReason(node: NodeAddress(host: "127.0.0.1", port: 10002), missing: ["64bit encoder"], refusal: nil),
            PlacementError.NodeReason(node: NodeAddress(host: "127.0.0.1", port: 10101), missing: ["morse"], refusal: nil),
        ])
    }

    @Test func impossibleDescriptionNamesTypeCapabilityAndEveryNode() throws {
        let members = [Fixture.member(Self.leader), Fixture.member(Fixture.node(10101, 1), ["Caesar cipher"])]
        guard case .impossible(let error) = Self.decide(Self.morse, members) else {
            Issue.record("expected .impossible")
            return
        }
        // Sorted by address: ports compare as numbers, not as text.
        #expect(error.nodes.map(\.node.description) == ["127.0.0.1:1900", "127.0.0.1:10000", "127.0.0.1:10101"])
        let text = error.description
        #expect(text.contains("MorseEncoder"))
        #expect(text.contains("\"morse\""))
        for node in ["127.0.0.1:1900", "127.0.0.1:10000", "127.0.0.1:10101"] {
            #expect(text.contains("\(node) lacks \"morse\""), "\(node) missing from: \(text)")
        }
        #expect(text == "MorseEncoder needs \"morse\": 127.0.0.1:1900 lacks \"morse\"; "
            + "127.0.0.1:10000 lacks \"morse\"; 127.0.0.1:10101 lacks \"morse\"")
    }

    @Test func descriptionOfRefusalsAndOfNoNodes() {
        let refused = PlacementError(
            typeName: "T", requirement: Self.morse,
            nodes: [PlacementError.NodeReason(node: NodeAddress(host: "h", port: 1), missing: [], refusal: "did not answer")])
        #expect(refused.description == "T needs \"morse\": h:1 did not answer")
        #expect(PlacementError(typeName: "T", requirement: Self.morse, nodes: []).description
            == "T needs \"morse\": no node is known")
    }
}
