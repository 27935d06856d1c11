import Testing

@testable import Ensemble

/// The leader's event log: what it records from its updates, its bounds, and its batches.
struct EventLogTests {
    static let leader = NodeID(address: NodeAddress(host: "127.0.0.1", port: 2000), incarnation: 1)
    static let member = NodeID(address: NodeAddress(host: "127.0.0.1", port: 2001), incarnation: 2)

    @Test func itBeginsWithTheLeadersAccessionAndRecordsWhatClientsCareAbout() {
        var log = EventLog(leader: Self.leader, term: 3, timeMs: 100)
        var recorded = [log.record(.memberUp(MemberInfo(node: Self.member, capabilities: Capabilities(["b", "a"]))), timeMs: 101)]
        recorded.append(log.record(.load(Self.member, 4), timeMs: 102))
        recorded.append(log.record(.nameRegistered("n", ActorAddress(node: Self.member, id: 5)), timeMs: 102))
        recorded.append(log.record(.nameReleased("n"), timeMs: 102))
        recorded.append(log.record(.voters([Self.leader]), timeMs: 102))
        recorded.append(log.record(.capabilities(Self.member, Capabilities(["c"])), timeMs: 103))
        log.recordRestart(of: ActorAddress(node: Self.member, id: 7), type: "Echo", restarts: 2, timeMs: 104)
        recorded.append(log.record(.memberDown(Self.member, reason: "no heartbeat"), timeMs: 105))
        recorded.append(log.record(.memberDown(Self.member, reason: "left"), timeMs: 106))
        #expect(recorded == [true, false, false, false, false, true, true, true])

        let batch = log.batch(after: 0)
        #expect(batch.leader == Self.leader && batch.term == 3 && batch.oldest == 1 && batch.latest == 6)
        #expect(batch.events.map(\.kind) == [.leader, .joined, .capabilities, .restarted, .failed, .left])
        #expect(batch.events.map(\.sequence) == [1, 2, 3, 4, 5, 6])
        #expect(batch.events.map(\.timeMs) == [100, 101, 103, 104, 105, 106])
        #expect(batch.events.allSatisfy { $0.term == 3 })
        #expect(batch.events[0].node == Self.leader)
        #expect(batch.events[1].capabilities == ["a", "b"] && batch.events[2].capabilities == ["c"])
        #expect(batch.events[3].actor == ActorAddress(node: Self.member, id: 7) && batch.events[3].actorType == "Echo")
        #expect(batch.events[3].restarts == 2)
        #expect(batch.events[4].reason == "no heartbeat" && batch.events[5].reason == "")
        #expect(log.batch(after: 4).events.map(\.sequence) == [5, 6])
        #expect(log.batch(after: 6).events.isEmpty)
        // Asked after a sequence it never had (another leader's): nothing, and `latest` says where it is.
        #expect(log.batch(after: 99).events.isEmpty && log.batch(after: 99).latest == 6)
    }

    @Test func itKeepsTheLatestEventsAndAnswersInBoundedBatches() {
        var log = EventLog(leader: Self.leader, term: 1, timeMs: 0)
        let total = EventLog.capacity + 500
        for index in 2...total {
            log.record(.capabilities(Self.member, Capabilities(["c\(index)"])), timeMs: UInt64(index))
        }
        #expect(log.latest == UInt64(total))
        #expect(log.oldest == UInt64(total - EventLog.capacity + 1))
        let first = log.batch(after: 0)
        #expect(first.events.count == EventLog.batchLimit)
        #expect(first.events.first?.sequence == log.oldest)
        #expect(zip(first.events, first.events.dropFirst()).allSatisfy { pair in pair.0.sequence + 1 == pair.1.sequence })
        #expect(first.events.first?.capabilities == ["c\(log.oldest)"])
        var after: UInt64 = 0
        var read = 0
        while after < log.latest {
            let batch = log.batch(after: after)
            read += batch.events.count
            after = batch.events.last!.sequence
        }
        #expect(read == EventLog.capacity)
        #expect(log.batch(after: UInt64(total - 1)).events.map(\.sequence) == [UInt64(total)])
    }
}
