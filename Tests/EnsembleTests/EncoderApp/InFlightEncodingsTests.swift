import Testing
@testable import EncoderApp
import Ensemble

@Suite struct InFlightEncodingsTests {
    static func actor(_ port: UInt16, _ id: UInt64) -> ActorAddress {
        ActorAddress(node: NodeID(address: NodeAddress(host: "127.0.0.1", port: port), incarnation: 7), id: id)
    }

    static let client = actor(1900, 100)
    static let base64 = actor(2001, 1)
    static let morse = actor(2002, 1)
    static let start = ContinuousClock.now

    /// A table with one request dispatched to two encoders (slots 0 and 1; slot 2 unplaced).
    static func oneRequest() -> (InFlightEncodings, UInt64) {
        var table = InFlightEncodings(slots: 3)
        let id = table.dispatch(requester: client, requestID: 42, text: "hi", targets: [base64, morse, nil], now: start)
        return (table, id)
    }

    @Test func eachAnswerReachesItsRequesterOnce() {
        var (table, id) = Self.oneRequest()
        #expect(table.answered(id, slot: 0) == .init(address: Self.client, requestID: 42))
        #expect(table.answered(id, slot: 0) == nil, "a second answer from the same slot is a duplicate")
        #expect(table.answered(id, slot: 2) == nil, "nothing was dispatched to slot 2")
        #expect(table.count == 1)
        #expect(table.answered(id, slot: 1) == .init(address: Self.client, requestID: 42))
        #expect(table.count == 0, "a fully answered dispatch is forgotten")
        #expect(table.answered(id, slot: 1) == nil)
        #expect(table.answered(id + 1, slot: 0) == nil, "an unknown dispatch")
        #expect(table.answered(id, slot: 3) == nil && table.answered(id, slot: -1) == nil, "a slot out of range")
    }

    @Test func aLostEncodersUnansweredCopiesAreResentOnceEach() {
        var (table, id) = Self.oneRequest()
        let second = table.dispatch(requester: Self.client, requestID: 43, text: "yo", targets: [Self.base64, Self.morse, nil],
                                    now: Self.start)
        _ = table.answered(second, slot: 1)
        let orphans = table.lost(Self.morse)
        #expect(orphans == [.init(dispatchID: id, slot: 1, text: "hi", sends: 1)], "only what morse had not answered")
        #expect(table.lost(Self.base64).count == 2, "base64 answered nothing yet")

        let replacement = Self.actor(2003, 5)
        table.resent(orphans[0], to: replacement)
        #expect(table.lost(Self.morse).isEmpty, "the copy no longer waits on the lost encoder")
        #expect(table.lost(replacement) == [.init(dispatchID: id, slot: 1, text: "hi", sends: 2)])
        #expect(table.answered(id, slot: 1) != nil)
        #expect(table.answered(id, slot: 1) == nil, "the late answer of the lost encoder is a duplicate")
    }

    @Test func anAbandonedCopyIsToldOnceAndItsLateAnswerIsDropped() {
        var (table, id) = Self.oneRequest()
        #expect(table.abandon(id, slot: 1) == .init(address: Self.client, requestID: 42))
        #expect(table.abandon(id, slot: 1) == nil)
        #expect(table.answered(id, slot: 1) == nil)
        #expect(table.answered(id, slot: 0) != nil)
        #expect(table.count == 0)
    }

    @Test func theTableIsBoundedByCountAndAge() {
        var table = InFlightEncodings(slots: 1, capacity: 2)
        let first = table.dispatch(requester: Self.client, requestID: 1, text: "a", targets: [Self.base64], now: Self.start)
        let second = table.dispatch(requester: Self.client, requestID: 2, text: "b", targets: [Self.base64], now: Self.start)
        let third = table.dispatch(requester: Self.client, requestID: 3, text: "c", targets: [Self.base64], now: Self.start)
        #expect(table.count == 2)
        #expect(table.answered(first, slot: 0) == nil, "the oldest was dropped past the capacity")
        #expect(table.answered(second, slot: 0)?.requestID == 2)

        let later = Self.start + InFlightEncodings.maxAge + .seconds(1)
        _ = table.dispatch(requester: Self.client, requestID: 4, text: "d", targets: [Self.base64], now: later)
        #expect(table.answered(third, slot: 0) == nil, "a dispatch older than the age limit was dropped")
        #expect(table.count == 1)
    }
}
