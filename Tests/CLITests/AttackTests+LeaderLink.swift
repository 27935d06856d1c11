import Foundation
import Testing
import ZMQ
@testable import Ensemble

/// A member takes one request over its link to the leader address, where the leader asks it for
/// its actors (`NodeIO+MemberConnections.swift`). Whatever holds that address may ask that and
/// nothing else there: every other request, and a request for another life's actors, is dropped.
extension AttackTests {
    @Test func overItsLinkToTheLeaderAddressAMemberTakesOnlyARequestForItsOwnActors() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let m1 = try #require(try cluster.startWalkthrough(["morse"]).first)
        let before = try cluster.picture()
        let leaderLife = try before.life(cluster.leaderPort), m1Life = try before.life(m1)
        let m1Pid = try #require(cluster.pid(m1))
        let m1Before = try cluster.counters(m1)

        // The leader dies and a raw socket takes its address: m1's link to it reconnects there.
        kill(try #require(cluster.pid(cluster.leaderPort)), SIGKILL)
        let context = try ZMQContext()
        let holder = try ZMQSocket(context: context, type: .router)
        try holder.set(.linger, 0)
        defer {
            holder.close()
            context.terminate()
        }
        #expect(eventually { (try? holder.bind("tcp://127.0.0.1:\(cluster.leaderPort)")) != nil }, "the leader's port stayed taken")
        // Once m1 has declared the leader down it JOINs the address again, over a link opened anew:
        // its latest JOIN names that link's routing id.
        cluster.expectCounter("nodesLost", on: m1, grewBy: 1, from: m1Before)
        let joinType = try ControlCodec.encode(.join(JoinRequest(node: m1Life, capabilities: Capabilities([]), load: 0,
                                                                  protocolVersion: Envelope.protocolVersion))).typeName
        var identity: [UInt8]?
        #expect(eventually {
            while let frames = try? holder.receive() {
                guard frames.count == 2, let envelopes = try? Envelope.decodeBatch(frames[1]) else { continue }
                if envelopes.contains(where: { $0.typeName == joinType }) { identity = frames[0] }
            }
            return identity != nil
        }, "m1 sent no JOIN to the leader address")
        let link = try #require(identity)
        let requests: [ControlRequest] = [
            .stop, .kill(ActorAddress(node: m1Life, id: 1)), .changeCapability(add: true, name: "forged"), .ping, .snapshotRequest,
        ]
        var forged = try requests.map { try Forge.control($0, from: .system(leaderLife), to: m1Life, id: 77) }
        let anotherLife = NodeID(address: m1Life.address, incarnation: m1Life.incarnation + 1)
        forged.append(try Forge.control(.listActors(), from: .system(leaderLife), to: anotherLife, id: 78))
        for envelope in forged { _ = try holder.send([link, Envelope.encodeBatch([envelope])]) }
        cluster.expectCounter("misroutedDrops", on: m1, grewBy: forged.count, from: m1Before)

        // None of it was answered or done: m1 runs, the same life, its capabilities unchanged.
        let unanswered = stays(for: 1) {
            while let frames = try? holder.receive() {
                guard frames.count == 2, let envelopes = try? Envelope.decodeBatch(frames[1]) else { continue }
                if envelopes.contains(where: { $0.kind == .reply && [77, 78].contains($0.correlationID) }) { return false }
            }
            return true
        }
        #expect(unanswered, "m1 answered a request over its link to the leader address")
        #expect(kill(m1Pid, 0) == 0, "m1 stopped")
        #expect(try cluster.life(m1) == m1Life)
        #expect(try cluster.counters(m1)["capabilityChanges"] ?? 0 == m1Before["capabilityChanges"] ?? 0)
    }
}
