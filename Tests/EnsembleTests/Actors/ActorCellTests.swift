import Testing

@testable import Ensemble

extension ActorCell {
    /// A run queued as the node queues it (`enqueue(moving:)`), from a copy: how many were taken.
    func enqueue(contentsOf mails: [Mail]) -> Int {
        var mails = mails
        return enqueue(moving: &mails)
    }
}

/// `ActorCell`'s mailbox: single mail and runs of mail queued under one lock.
struct ActorCellTests {
    static let node = Fixture.node(9300)

    static func cell(capacity: Int, turnLimit: Int = .max) -> ActorCell {
        ActorCell(
            address: Fixture.actor(node, 1), typeName: "Sink", parent: nil, globalName: nil, capacity: capacity,
            turnLimit: turnLimit)
    }

    /// Wire mail told apart by correlation id.
    static func mail(_ ids: some Sequence<UInt64>) -> [Mail] {
        ids.map { id in
            .wire(Envelope(
                kind: .tell, sender: Fixture.actor(node, 2), recipient: Fixture.actor(node, 1), typeName: "T",
                correlationID: id, payload: []))
        }
    }

    /// The correlation ids of wire mail; other mail shows as 0.
    static func ids(_ mails: [Mail]?) -> [UInt64]? {
        mails?.map { mail in
            if case .wire(let envelope) = mail { return envelope.correlationID }
            return 0
        }
    }

    /// The ids of the next batch; nil (outer) when none came in time.
    static func nextBatch(_ cell: ActorCell) async -> [UInt64]?? {
        await Pending.run { ids(await cell.nextBatch()) }
    }

    @Test func aRunThatFitsIsTakenWholeAndInOrder() async {
        let cell = Self.cell(capacity: 10)
        #expect(cell.enqueue(.wire(Envelope(kind: .tell, sender: nil, recipient: Fixture.actor(Self.node, 1), typeName: "T", correlationID: 1, payload: []))))
        #expect(cell.enqueue(contentsOf: Self.mail(2...5)) == 4)
        #expect(await Self.nextBatch(cell) == [1, 2, 3, 4, 5])
    }

    @Test func aRunLargerThanTheRoomLeftTakesOnlyWhatFits() async {
        let cell = Self.cell(capacity: 5)
        #expect(cell.enqueue(contentsOf: Self.mail(1...2)) == 2)
        #expect(cell.enqueue(contentsOf: Self.mail(3...8)) == 3)
        // Full now: nothing more, singly or in a run.
        #expect(cell.enqueue(contentsOf: Self.mail(9...9)) == 0)
        #expect(!cell.enqueue(Self.mail(10...10)[0]))
        #expect(await Self.nextBatch(cell) == [1, 2, 3, 4, 5])
        // Read: room again.
        #expect(cell.enqueue(contentsOf: Self.mail(11...12)) == 2)
        #expect(await Self.nextBatch(cell) == [11, 12])
    }

    /// What did not fit stays in the run after what was taken, whole: the node answers each
    /// sender of it with a dead letter naming it.
    @Test func aMovedRunKeepsWhatDidNotFitAfterWhatWasTaken() async {
        let cell = Self.cell(capacity: 3)
        var run = Self.mail(1...5)
        let taken = cell.enqueue(moving: &run)
        #expect(taken == 3)
        #expect(Self.ids(Array(run.dropFirst(taken))) == [4, 5])
        #expect(await Self.nextBatch(cell) == [1, 2, 3])
    }

    @Test func aClosedMailboxTakesNone() async {
        let cell = Self.cell(capacity: 5)
        cell.closeMailbox()
        #expect(cell.enqueue(contentsOf: Self.mail(1...3)) == 0)
        #expect(await Self.nextBatch(cell) == .some(nil))
    }

    @Test func aMailboxClosedWithMailQueuedRefusesRunsButDrainsWhatItHad() {
        let cell = Self.cell(capacity: 5)
        #expect(cell.enqueue(contentsOf: Self.mail(1...2)) == 2)
        #expect(Self.ids(cell.closeAndDrain()) == [1, 2])
        #expect(cell.enqueue(contentsOf: Self.mail(3...4)) == 0)
        #expect(Self.ids(cell.closeAndDrain()) == [])
    }

    @Test func anEmptyRunTakesNothing() async {
        let cell = Self.cell(capacity: 5)
        #expect(cell.enqueue(contentsOf: []) == 0)
        #expect(Self.ids(cell.closeAndDrain()) == [])
    }

    /// A reader waiting on a mailbox with room for `capacity` is handed the first `expected`
    /// of `run` directly: all of it when it fits, what fits when it is longer.
    @Test(arguments: [
        (capacity: 10, run: Array(UInt64(1)...4), expected: Array(UInt64(1)...4)),
        (capacity: 3, run: Array(UInt64(1)...5), expected: Array(UInt64(1)...3)),
    ])
    func aWaitingReaderGetsWhatFitsOfTheRun(_ capacity: Int, _ run: [UInt64], _ expected: [UInt64]) async throws {
        let cell = Self.cell(capacity: capacity)
        let reader = Pending { Self.ids(await cell.nextBatch()) }
        try #require(await eventually { cell.hasWaitingReader })
        #expect(cell.enqueue(contentsOf: Self.mail(run)) == expected.count)
        #expect(await reader.result() == expected)
        // Handed over, not also queued.
        #expect(Self.ids(cell.closeAndDrain()) == [])
    }

    @Test func anEmptyRunDoesNotWakeAWaitingReader() async throws {
        let cell = Self.cell(capacity: 3)
        let reader = Pending { Self.ids(await cell.nextBatch()) }
        try #require(await eventually { cell.hasWaitingReader })
        #expect(cell.enqueue(contentsOf: []) == 0)
        // Still waiting: the empty run handed it nothing.
        #expect(cell.hasWaitingReader)
        #expect(await reader.result(within: .zero) == nil)
        #expect(cell.enqueue(contentsOf: Self.mail(7...7)) == 1)
        #expect(await reader.result() == [7])
    }

    @Test func closingWakesAWaitingReaderWithNil() async throws {
        let cell = Self.cell(capacity: 3)
        let reader = Pending { Self.ids(await cell.nextBatch()) }
        try #require(await eventually { cell.hasWaitingReader })
        cell.closeMailbox()
        #expect(await reader.result() == .some(nil))
    }

    // MARK: Turns

    @Test func aBatchHoldsATurnAndTheRestFollowsInOrder() async {
        let cell = Self.cell(capacity: 100, turnLimit: 3)
        #expect(cell.enqueue(contentsOf: Self.mail(1...7)) == 7)
        #expect(await Self.nextBatch(cell) == [1, 2, 3])
        #expect(cell.enqueue(Self.mail(8...8)[0]))
        #expect(await Self.nextBatch(cell) == [4, 5, 6])
        #expect(await Self.nextBatch(cell) == [7, 8])
        #expect(Self.ids(cell.closeAndDrain()) == [])
    }

    @Test func mailTakenForATurnMakesRoom() async {
        let cell = Self.cell(capacity: 4, turnLimit: 3)
        #expect(cell.enqueue(contentsOf: Self.mail(1...6)) == 4)
        #expect(await Self.nextBatch(cell) == [1, 2, 3])
        // One left of four: room for three more, and no more than that.
        #expect(cell.enqueue(contentsOf: Self.mail(5...9)) == 3)
        #expect(!cell.enqueue(Self.mail(10...10)[0]))
        #expect(Self.ids(cell.closeAndDrain()) == [4, 5, 6, 7])
    }

    @Test func aWaitingReaderIsHandedOneTurnOfARun() async throws {
        let cell = Self.cell(capacity: 10, turnLimit: 2)
        let reader = Pending { Self.ids(await cell.nextBatch()) }
        try #require(await eventually { cell.hasWaitingReader })
        #expect(cell.enqueue(contentsOf: Self.mail(1...5)) == 5)
        #expect(await reader.result() == [1, 2])
        #expect(Self.ids(cell.closeAndDrain()) == [3, 4, 5])
    }

    @Test func aLongBacklogTakenTurnByTurnKeepsEveryMessageInOrder() async {
        // Past 1024 taken, the taken front is dropped from the queue; nothing else may move.
        let cell = Self.cell(capacity: 5000, turnLimit: 100)
        #expect(cell.enqueue(contentsOf: Self.mail(1...3000)) == 3000)
        var seen: [UInt64] = []
        var next: UInt64 = 3001
        while seen.count < 4000 {
            guard let batch = await Self.nextBatch(cell), let batch else { break }
            seen += batch
            if next <= 4000 {
                #expect(cell.enqueue(contentsOf: Self.mail(next...next + 49)) == 50)
                next += 50
            }
        }
        #expect(seen == Array(1...4000))
    }

    /// Children here are kept by id, children elsewhere by address; both read back as addresses.
    @Test func childrenHereAndElsewhereAreKeptAndForgottenOnce() {
        let cell = Self.cell(capacity: 4)
        let here = (2...4).map { Fixture.actor(Self.node, $0) }
        let otherLife = Fixture.node(9300, 2), elsewhere = Fixture.node(9301)
        let away = [Fixture.actor(otherLife, 2), Fixture.actor(elsewhere, 7), Fixture.actor(elsewhere, 8)]
        for child in here + away { cell.addChild(child) }
        cell.addChild(here[0])
        #expect(cell.children == Set(here + away))
        #expect(Set(cell.children(on: elsewhere)) == Set(away.suffix(2)))
        #expect(cell.children(on: otherLife) == [away[0]], "another life at the same address is elsewhere")
        #expect(Set(cell.children(on: Self.node)) == Set(here))
        #expect(cell.removeChild(here[1]) && cell.removeChild(away[1]))
        #expect(!cell.removeChild(here[1]) && !cell.removeChild(away[1]), "a child is forgotten once")
        #expect(cell.children == [here[0], here[2], away[0], away[2]])
    }
}
