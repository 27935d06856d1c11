import Testing

@testable import Ensemble

/// `ConnectionAsks`: the leader's requests over members' connections, until answered or given to links.
struct ConnectionAsksTests {
    private let leader = NodeID(address: NodeAddress(host: "127.0.0.1", port: 20_001), incarnation: 1)
    private let a = NodeID(address: NodeAddress(host: "127.0.0.1", port: 20_002), incarnation: 1)
    private let b = NodeID(address: NodeAddress(host: "127.0.0.1", port: 20_003), incarnation: 1)

    private func request(to member: NodeID, id: UInt64) -> Envelope {
        Envelope(kind: .control, sender: .system(leader), recipient: .system(member),
                 typeName: NodeIO.listActorsTypeName, correlationID: id, payload: [])
    }

    @Test func anAnsweredAskIsNeverSentAgain() {
        var asks = ConnectionAsks()
        asks.sent(request(to: a, id: 7), to: a, now: .zero)
        asks.answered(7, by: a)
        #expect(asks.expired(now: .seconds(10)).isEmpty)
        #expect(asks.mayAsk(a, now: .seconds(10)))
    }

    @Test func anAskUnansweredPastItsPatienceGoesToALinkAndSoDoLaterOnesForAWhile() {
        var asks = ConnectionAsks()
        asks.sent(request(to: a, id: 7), to: a, now: .zero)
        asks.sent(request(to: b, id: 8), to: b, now: .milliseconds(100))
        #expect(asks.expired(now: ConnectionAsks.patience - .milliseconds(1)).isEmpty)
        let late = ConnectionAsks.patience
        #expect(asks.expired(now: late).map(\.correlationID) == [7])
        #expect(!asks.mayAsk(a, now: late))
        #expect(asks.mayAsk(b, now: late))
        // Returned once: its answer over the link is no business of this type's.
        #expect(asks.expired(now: .seconds(10)).map(\.correlationID) == [8])
        #expect(asks.expired(now: .seconds(20)).isEmpty)
        #expect(!asks.mayAsk(a, now: .seconds(20)) && !asks.mayAsk(b, now: .seconds(20)))
        // A while later each is asked over its connection again (a slow member of this build answers there).
        #expect(asks.mayAsk(a, now: late + ConnectionAsks.overLinksFor))
        #expect(!asks.mayAsk(b, now: late + ConnectionAsks.overLinksFor))
        #expect(asks.mayAsk(b, now: .seconds(10) + ConnectionAsks.overLinksFor))
    }

    @Test func aLifeThatLeftTheViewIsForgotten() {
        var asks = ConnectionAsks()
        asks.sent(request(to: a, id: 7), to: a, now: .zero)
        _ = asks.expired(now: .seconds(1))
        asks.sent(request(to: b, id: 8), to: b, now: .seconds(1))
        asks.keep { $0 == b }
        #expect(asks.mayAsk(a, now: .seconds(2)))
        #expect(asks.expired(now: .seconds(10)).map(\.correlationID) == [8])
        asks.removeAll()
        #expect(asks.mayAsk(b, now: .seconds(11)))
    }

    @Test func pastItsCapacityRequestsTakeLinks() {
        var asks = ConnectionAsks()
        for id in 1...UInt64(ConnectionAsks.capacity) { asks.sent(request(to: a, id: id), to: a, now: .zero) }
        #expect(!asks.mayAsk(b, now: .zero))
        asks.answered(1, by: a)
        #expect(asks.mayAsk(b, now: .zero))
    }

    @Test func anAnswerFromAnotherLifeSettlesNothing() {
        var asks = ConnectionAsks()
        asks.sent(request(to: a, id: 7), to: a, now: .zero)
        asks.answered(7, by: b)
        asks.answered(7, by: nil)
        #expect(asks.expired(now: ConnectionAsks.patience).map(\.correlationID) == [7])
    }
}
