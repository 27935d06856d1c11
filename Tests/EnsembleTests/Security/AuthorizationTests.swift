import Testing
@testable import Ensemble

/// The role table: what each key may do, and whether a node connection speaks with its node's key.
@Suite struct AuthorizationTests {
    static let node = try! CurveKeyPair.generate().publicKey
    static let other = try! CurveKeyPair.generate().publicKey
    static let user = try! CurveKeyPair.generate().publicKey
    static let admin = try! CurveKeyPair.generate().publicKey
    static let stranger = try! CurveKeyPair.generate().publicKey
    static let rules = Authorization(nodeKeys: [node, other], clientKeys: [user], adminKeys: [admin])

    @Test func eachRoleGrantsItsOwnPermissions() {
        #expect(Self.rules.permissions(of: Self.node) == [.join, .use])
        #expect(Self.rules.permissions(of: Self.user) == [.use])
        #expect(Self.rules.permissions(of: Self.admin) == [.use, .administer, .stopActors])
        #expect(Self.rules.permissions(of: Self.stranger) == [])
        // A client key can never join; a node key is not an admin key.
        #expect(!Self.rules.permissions(of: Self.user).contains(.join))
        #expect(!Self.rules.permissions(of: Self.admin).contains(.join))
        #expect(!Self.rules.permissions(of: Self.node).contains(.administer))
    }

    @Test func aKeyInSeveralDirectoriesHoldsEveryRole() {
        let both = Authorization(nodeKeys: [Self.node], adminKeys: [Self.node])
        #expect(both.permissions(of: Self.node) == [.join, .use, .administer, .stopActors])
    }

    @Test func handshakesAdmitKeysWithARoleOnly() {
        for key in [Self.node, Self.user, Self.admin] { #expect(Self.rules.admits(key)) }
        #expect(!Self.rules.admits(Self.stranger))
    }

    @Test func plainTextConnectionsGetWhatTheirKindMayDo() {
        #expect(Permissions.plainTextClient == [.use, .administer])
        #expect(!Permissions.plainTextClient.contains(.stopActors))
        #expect(!Permissions.plainTextClient.contains(.join))
        #expect(Permissions.plainTextNode == [.join, .use])
    }

    @Test func aNodeConnectionSpeaksOnlyWithItsNodesKey() {
        #expect(Self.rules.nodeConnection(key: Self.node, knownKey: Self.node, joining: nil) == .allow)
        #expect(Self.rules.nodeConnection(key: Self.other, knownKey: Self.node, joining: nil) == .refuse(.keyMismatch))
        #expect(Self.rules.nodeConnection(key: Self.user, knownKey: Self.node, joining: nil) == .refuse(.keyMismatch))
        #expect(Self.rules.nodeConnection(key: Self.node, knownKey: nil, joining: nil) == .refuse(.unknownNode))
        #expect(Self.rules.nodeConnection(key: Self.stranger, knownKey: Self.stranger, joining: nil) == .refuse(.unknownKey))
    }

    @Test func aJoinNamesTheConnectionsKeyAndCannotTakeALiveMembersAddress() {
        #expect(Self.rules.nodeConnection(key: Self.node, knownKey: nil, joining: .some(Self.node)) == .allow)
        #expect(Self.rules.nodeConnection(key: Self.node, knownKey: Self.node, joining: .some(Self.node)) == .allow)
        // Naming another key than the connection's, or none.
        #expect(Self.rules.nodeConnection(key: Self.node, knownKey: nil, joining: .some(Self.other)) == .refuse(.keyMismatch))
        #expect(Self.rules.nodeConnection(key: Self.node, knownKey: nil, joining: .some(nil)) == .refuse(.keyMismatch))
        // A live member at that address joined with another key.
        #expect(Self.rules.nodeConnection(key: Self.other, knownKey: Self.node, joining: .some(Self.other)) == .refuse(.keyMismatch))
        // A client key gets this far (so that its JOIN can be answered with why it may not join).
        #expect(Self.rules.nodeConnection(key: Self.user, knownKey: nil, joining: .some(Self.user)) == .allow)
    }

    @Test func everyKeyRefusalHasItsOwnCounterAndOneLine() {
        let refusals: [AccessRefusal] = [.unknownKey, .keyMismatch, .unknownNode]
        #expect(Set(refusals.map(\.counter)).count == refusals.count)
        for refusal in refusals {
            #expect(refusal.description.hasPrefix("refused: "))
            #expect(!refusal.description.contains("\n"))
        }
    }
}
