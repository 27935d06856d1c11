import Testing
@testable import Ensemble

/// The authorization decision: a key, how its connection presents itself, and what a message asks.
@Suite struct AuthorizationTests {
    static let node = try! CurveKeyPair.generate().publicKey
    static let other = try! CurveKeyPair.generate().publicKey
    static let user = try! CurveKeyPair.generate().publicKey
    static let admin = try! CurveKeyPair.generate().publicKey
    static let stranger = try! CurveKeyPair.generate().publicKey
    static let rules = Authorization(authorizedKeys: [node, other, user], adminKeys: [admin])

    @Test func handshakesAdmitAuthorizedAndAdminKeysOnly() {
        #expect(Self.rules.admits(Self.user))
        #expect(Self.rules.admits(Self.admin))
        #expect(!Self.rules.admits(Self.stranger))
    }

    @Test func anAuthorizedClientMaySendMailAndReadStatusButNotAdminister() {
        for access in [Access.mail, .readStatus] {
            #expect(Self.rules.decide(access, from: Self.user, over: .client) == .allow)
        }
        #expect(Self.rules.decide(.administer, from: Self.user, over: .client) == .refuse(.notAdmin))
    }

    @Test func anAdminKeyMayDoEverythingAClientMay() {
        for access in [Access.mail, .readStatus, .administer] {
            #expect(Self.rules.decide(access, from: Self.admin, over: .client) == .allow)
        }
    }

    @Test func anUnknownKeyIsRefusedWhateverItAsks() {
        for access in [Access.mail, .readStatus, .administer, .convention, .join(claimedKey: Self.stranger)] {
            #expect(Self.rules.decide(access, from: Self.stranger, over: .client) == .refuse(.unknownKey))
            #expect(Self.rules.decide(access, from: Self.stranger, over: .node(knownKey: Self.stranger)) == .refuse(.unknownKey))
        }
    }

    @Test func aClientConnectionCannotSendNodeTraffic() {
        #expect(Self.rules.decide(.convention, from: Self.node, over: .client) == .refuse(.notANode))
        #expect(Self.rules.decide(.join(claimedKey: Self.node), from: Self.node, over: .client) == .refuse(.notANode))
    }

    @Test func aNodeSpeaksOnlyWithItsOwnKey() {
        let asNode = ConnectionClaim.node(knownKey: Self.node)
        for access in [Access.mail, .readStatus, .convention] {
            #expect(Self.rules.decide(access, from: Self.node, over: asNode) == .allow)
            #expect(Self.rules.decide(access, from: Self.other, over: asNode) == .refuse(.keyMismatch))
            #expect(Self.rules.decide(access, from: Self.user, over: asNode) == .refuse(.keyMismatch))
        }
        #expect(Self.rules.decide(.convention, from: Self.node, over: .node(knownKey: nil)) == .refuse(.unknownNode))
    }

    @Test func aNodeKeyIsNotAnAdminKey() {
        #expect(Self.rules.decide(.administer, from: Self.node, over: .node(knownKey: Self.node)) == .refuse(.notAdmin))
    }

    @Test func aJoinNamesTheConnectionsKeyAndCannotTakeALiveMembersAddress() {
        #expect(Self.rules.decide(.join(claimedKey: Self.node), from: Self.node, over: .node(knownKey: nil)) == .allow)
        #expect(Self.rules.decide(.join(claimedKey: Self.node), from: Self.node, over: .node(knownKey: Self.node)) == .allow)
        // Naming another key than the connection's, or none.
        #expect(Self.rules.decide(.join(claimedKey: Self.other), from: Self.node, over: .node(knownKey: nil)) == .refuse(.keyMismatch))
        #expect(Self.rules.decide(.join(claimedKey: nil), from: Self.node, over: .node(knownKey: nil)) == .refuse(.keyMismatch))
        // A live member at that address joined with another key.
        #expect(Self.rules.decide(.join(claimedKey: Self.user), from: Self.user, over: .node(knownKey: Self.node)) == .refuse(.keyMismatch))
    }

    @Test func controlMessagesAreClassifiedByWhatTheyAsk() {
        let life = Fixture.node(10000)
        #expect(Access(kind: .tell, control: nil) == .mail)
        #expect(Access(kind: .control, control: .createActor(typeName: "Acceptor", globalName: nil)) == .mail)
        #expect(Access(kind: .control, control: .status) == .readStatus)
        #expect(Access(kind: .control, control: .describeView) == .readStatus)
        #expect(Access(kind: .control, control: .ping) == .readStatus)
        #expect(Access(kind: .control, control: .stop) == .administer)
        #expect(Access(kind: .control, control: .changeCapability(add: true, name: "morse")) == .administer)
        #expect(Access(kind: .control, control: .kill(Fixture.actor(life, 3))) == .administer)
        #expect(Access(kind: .control, control: .leave(life)) == .convention)
        #expect(Access(kind: .control, control: .heartbeat(life, load: 0, capabilities: .none)) == .convention)
        #expect(Access(kind: .control, control: .listActors) == .convention)
        #expect(Access(kind: .reply, control: nil) == .convention)
        let join = JoinRequest(node: life, capabilities: .none, load: 0, protocolVersion: 1, publicKey: Self.node)
        #expect(Access(kind: .control, control: .join(join)) == .join(claimedKey: Self.node))
    }

    @Test func everyRefusalHasItsOwnCounterAndOneLine() {
        let refusals: [AccessRefusal] = [.unknownKey, .notAdmin, .keyMismatch, .unknownNode, .notANode]
        #expect(Set(refusals.map(\.counter)).count == refusals.count)
        for refusal in refusals {
            #expect(refusal.description.hasPrefix("refused: "))
            #expect(!refusal.description.contains("\n"))
        }
        #expect(AccessRefusal.notAdmin.description == "refused: key is not an admin key")
    }
}
