import Foundation
import Testing
import ZMQ
@testable import Ensemble

/// The leader sends each member its updates and heartbeats back over the member's own
/// connection (`UpdateRoutes`): the newest connection its JOIN, heartbeat or snapshot request
/// came over. These attacks name a member's life over a connection of their own.
extension AttackTests {
    /// Plain text: a connection that names a member's life is taken for the member
    /// (`docs/operations.md`, "What plain text trusts"), and so takes its updates, but only until
    /// the member's next heartbeat; a change made afterwards reaches the member and not it.
    @Test func aConnectionNamingAMembersLifeHoldsItsUpdatesOnlyUntilTheMembersNextHeartbeat() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let (m1, m2) = try cluster.startWalkthrough(["alpha", "beta"]).pair
        #expect(eventually { (try? cluster.picture())?.lives.count == 3 }, "the members did not join")
        let leaderLife = try cluster.life(cluster.leaderPort), m1Life = try cluster.life(m1), m2Life = try cluster.life(m2)

        let impostor = try RawPeer.node(m1Life, to: cluster.leaderPort)
        defer { impostor.close() }
        let heartbeat = try Forge.control(.heartbeat(m1Life, load: 0, capabilities: Capabilities(["alpha"])),
                                          from: .system(m1Life), to: leaderLife)
        #expect(Self.heartbeatsUntilRouted(impostor, heartbeat), "the leader sent the impostor nothing of m1's")
        // The leader heartbeats every 250 ms: a second without any is m1's route back on m1's connection.
        let quiet = eventually {
            let seen = impostor.inbox.count
            return !impostor.receive(timeout: 1) { $0.count > seen }
        }
        #expect(quiet, "the impostor kept getting m1's updates: \(impostor.inbox.count) so far")
        let heldBefore = impostor.inbox.count

        let changed = try cluster.run(["chgcap", String(m2), "+", "gamma"])
        #expect(changed.status == 0, "chgcap failed: \(changed.stderr)")
        let wanted = Capabilities(["beta", "gamma"])
        #expect(eventually { (try? Self.view(of: m1))?.members.first { $0.node == m2Life }?.capabilities == wanted },
                "m1 never learnt m2's new capabilities")
        _ = impostor.receive(timeout: 0.5) { _ in false }
        #expect(impostor.inbox.count == heldBefore, "the impostor got \(impostor.inbox.count - heldBefore) more of m1's updates")
    }

    /// CurveZMQ: another member's key naming a member's life is refused (`curveKeyMismatches`) and
    /// takes none of its updates; the member's own key over another connection takes them.
    @Test func anotherMembersKeyNamingAMembersLifeTakesNoneOfItsUpdates() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let keys = try CurveKeyring(root: "\(cluster.stateDir)/keys")
        let (m1, _) = try cluster.startCurveConvention(keys).pair
        let user = keys["user"]
        let leaderLife = try cluster.life(cluster.leaderPort, curve: user), m1Life = try cluster.life(m1, curve: user)
        let m1Credentials = try CurveCredentials.load(directory: keys["m1"], role: .member)
        let m2Keys = try CurveCredentials.load(directory: keys["m2"], role: .member).keyPair
        let leaderKey = try #require(m1Credentials.leaderKey)
        let heartbeat = try Forge.control(.heartbeat(m1Life, load: 0, capabilities: Capabilities(["morse", "Caesar cipher"])),
                                          from: .system(m1Life), to: leaderLife)
        let before = try cluster.counters(curve: user)

        let withM2sKey = try RawPeer.node(m1Life, to: cluster.leaderPort, curve: (leaderKey, m2Keys))
        defer { withM2sKey.close() }
        // As often as m1's own key takes the route below, for as long.
        for _ in 0..<20 {
            withM2sKey.send([heartbeat])
            usleep(50_000)
        }
        cluster.expectCounter("curveKeyMismatches", grewBy: 20, from: before, curve: user)
        #expect(!withM2sKey.receive(timeout: 1) { !$0.isEmpty }, "m2's key got \(withM2sKey.inbox.count) of m1's messages")

        let withM1sKey = try RawPeer.node(m1Life, to: cluster.leaderPort, curve: (leaderKey, m1Credentials.keyPair))
        defer { withM1sKey.close() }
        #expect(Self.heartbeatsUntilRouted(withM1sKey, heartbeat), "m1's own key took no updates")
        #expect(withM2sKey.inbox.isEmpty, "m2's key got \(withM2sKey.inbox.count) of m1's messages")
    }

    /// Sends `heartbeat` over `peer` every 50 ms until the leader's updates or heartbeats come back
    /// over it (between two of the member's own heartbeats, 250 ms apart), for at most 10 s.
    static func heartbeatsUntilRouted(_ peer: RawPeer, _ heartbeat: Envelope) -> Bool {
        for _ in 0..<200 {
            peer.send([heartbeat])
            if peer.receive(timeout: 0.05, until: { $0.contains { $0.kind == .update } }) { return true }
        }
        return false
    }

    /// The view a node holds now, as `describeView` answers a client.
    static func view(of port: UInt16) throws -> ViewSnapshot? {
        let client = try RawPeer.client(port)
        defer { client.close() }
        client.send([try Forge.control(.describeView, from: nil, to: anyLife(port), id: 91)])
        guard client.receive(timeout: 5, until: { $0.contains { $0.correlationID == 91 } }) else { return nil }
        guard case .viewDescription(let view)? = client.replies.first(where: { $0.id == 91 })?.control else { return nil }
        return view
    }
}
