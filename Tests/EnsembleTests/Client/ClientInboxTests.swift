import Testing

@testable import Ensemble

/// `ClientInbox` and `ClientMessages`: the queue a client's unsolicited messages wait in.
struct ClientInboxTests {
    static let sender = Fixture.actor(Fixture.node(9100), 5)

    static func message(_ label: String) -> ReceivedMessage {
        ReceivedMessage(message: WakeupMessage(payload: label), sender: sender)
    }

    /// The payload a test message carries, so messages can be told apart.
    static func label(_ received: ReceivedMessage?) -> String? {
        guard let received else { return nil }
        return (received.message as? WakeupMessage)?.payload ?? "<not a test message>"
    }

    /// A read on a task of its own: its outcome is the label of what `next()` returned.
    static func startReading(_ inbox: ClientInbox) -> Pending<String?> {
        Pending { label(await inbox.next()) }
    }

    /// What the next read returns (nil for nil); nil when it did not return in time.
    static func next(_ inbox: ClientInbox) async -> String?? {
        await startReading(inbox).result()
    }

    /// Reads until `next()` returns nil; nil when that did not happen in time.
    static func readAll(_ inbox: ClientInbox) async -> [String]? {
        await Pending.run {
            var labels: [String] = []
            while let received = await inbox.next() { labels.append(label(received) ?? "?") }
            return labels
        }
    }

    @Test func messagesAreReadInArrivalOrder() async {
        let inbox = ClientInbox()
        for label in ["a", "b", "c", "d"] { inbox.yield(Self.message(label)) }
        inbox.finish()
        #expect(await Self.readAll(inbox) == ["a", "b", "c", "d"])
    }

    @Test func theQueueStaysInOrderWhenReadsAndYieldsInterleave() async {
        let inbox = ClientInbox()
        inbox.yield(Self.message("1"))
        inbox.yield(Self.message("2"))
        #expect(await Self.next(inbox) == "1")
        inbox.yield(Self.message("3"))
        #expect(await Self.next(inbox) == "2")
        #expect(await Self.next(inbox) == "3")
        inbox.yield(Self.message("4"))
        #expect(await Self.next(inbox) == "4")
    }

    @Test func aWaitingReaderGetsAMessageYieldedLater() async throws {
        let inbox = ClientInbox()
        let read = Self.startReading(inbox)
        // Nothing to read yet: the reader is waiting.
        try #require(await eventually { inbox.hasWaitingReader })
        inbox.yield(Self.message("late"))
        #expect(await read.result() == "late")
        // Handed over, not also queued.
        inbox.finish()
        #expect(await Self.next(inbox) == .some(nil))
    }

    @Test func finishEndsAWaitingReader() async throws {
        let inbox = ClientInbox()
        let read = Self.startReading(inbox)
        try #require(await eventually { inbox.hasWaitingReader })
        inbox.finish()
        #expect(await read.result() == .some(nil))
    }

    @Test func afterFinishQueuedMessagesAreReadFirstThenNilForEveryRead() async {
        let inbox = ClientInbox()
        inbox.yield(Self.message("x"))
        inbox.yield(Self.message("y"))
        inbox.finish()
        inbox.yield(Self.message("after finish"))
        #expect(await Self.next(inbox) == "x")
        #expect(await Self.next(inbox) == "y")
        #expect(await Self.next(inbox) == .some(nil))
        #expect(await Self.next(inbox) == .some(nil))
    }

    @Test func cancellingTheReadingTaskEndsThatReaderOnly() async throws {
        let inbox = ClientInbox()
        let first = Self.startReading(inbox)
        try #require(await eventually { inbox.hasWaitingReader })
        first.task.cancel()
        #expect(await first.result() == .some(nil))
        #expect(!inbox.hasWaitingReader)

        inbox.yield(Self.message("for the next reader"))
        #expect(await Self.next(inbox) == "for the next reader")
        let third = Self.startReading(inbox)
        try #require(await eventually { inbox.hasWaitingReader })
        inbox.yield(Self.message("later still"))
        #expect(await third.result() == "later still")
    }

    @Test func anAlreadyCancelledReaderGetsWhatIsQueuedThenNil() async throws {
        let inbox = ClientInbox()
        inbox.yield(Self.message("queued"))
        let cancelledRead: @Sendable () async -> String? = {
            withUnsafeCurrentTask { $0?.cancel() }
            return Self.label(await inbox.next())
        }
        #expect(await Pending.run(cancelledRead) == "queued")
        #expect(await Pending.run(cancelledRead) == .some(nil))
        // The inbox itself is not finished: a reader that is not cancelled still waits for more.
        let read = Self.startReading(inbox)
        try #require(await eventually { inbox.hasWaitingReader })
        inbox.yield(Self.message("more"))
        #expect(await read.result() == "more")
    }

    @Test func beyondTheLimitNewMessagesAreDroppedAndTheOldestKept() async {
        let inbox = ClientInbox(limit: 3)
        for label in ["1", "2", "3", "4", "5"] { inbox.yield(Self.message(label)) }
        #expect(await Self.next(inbox) == "1")
        // Reading one made room for one.
        inbox.yield(Self.message("6"))
        inbox.yield(Self.message("7"))
        inbox.finish()
        #expect(await Self.readAll(inbox) == ["2", "3", "6"])
    }

    @Test func forAwaitOverClientMessagesReadsEverythingThenEnds() async {
        let inbox = ClientInbox()
        let messages = ClientMessages(inbox: inbox)
        for label in ["p", "q"] { inbox.yield(Self.message(label)) }
        let reader = Pending {
            var labels: [String] = []
            for await received in messages { labels.append(Self.label(received) ?? "?") }
            return labels
        }
        inbox.yield(Self.message("r"))
        inbox.finish()
        #expect(await reader.result() == ["p", "q", "r"])
    }

    @Test func theSenderTravelsWithTheMessage() async {
        let inbox = ClientInbox()
        let other = Fixture.actor(Fixture.node(9200, 3), 77)
        inbox.yield(ReceivedMessage(message: WakeupMessage(payload: "s"), sender: other))
        let sender = await Pending.run { await inbox.next()?.sender }
        #expect(sender == .some(other))
    }
}
