import EnsembleDashboard
import Testing

@Suite struct EventFeedTests {
    @Test func aPageGetsWhatItMissedThenWhatComes() async throws {
        let feed = EventFeed(capacity: 4)
        for index in 1...3 { await feed.publish(kind: "convention", json: "{\"n\":\(index)}") }
        let subscription = try #require(await feed.subscribe(after: 1))
        #expect(subscription.backlog.map(\.id) == [2, 3])
        await feed.publish(kind: "notice", json: "{\"n\":4}")
        var live = subscription.live.makeAsyncIterator()
        let next = await live.next()
        #expect(next == EventFeed.Entry(id: 4, kind: "notice", json: "{\"n\":4}"))
    }

    @Test func onlyTheLatestEntriesAreKeptInOrder() async throws {
        let feed = EventFeed(capacity: 3)
        for index in 1...7 { await feed.publish(kind: "convention", json: "\(index)") }
        #expect(await feed.entries.map(\.id) == [5, 6, 7])
        #expect(await feed.entries.map(\.json) == ["5", "6", "7"])
        // Asked from before the oldest held: everything held.
        let subscription = try #require(await feed.subscribe(after: 2))
        #expect(subscription.backlog.map(\.id) == [5, 6, 7])
        #expect(try #require(await feed.subscribe(after: nil)).backlog.count == 3)
    }

    @Test func pagesBeyondTheLimitAreRefusedUntilOneGoes() async throws {
        let feed = EventFeed(capacity: 8, maxSubscribers: 2)
        let first = try #require(await feed.subscribe(after: nil))
        let second = try #require(await feed.subscribe(after: nil))
        #expect(await feed.subscribe(after: nil) == nil)
        #expect(await feed.subscriberCount == 2)
        // A page goes: its reader is cancelled, which ends its stream and unsubscribes it.
        let reader = Task { for await _ in first.live {} }
        reader.cancel()
        await reader.value
        #expect(await eventually { await feed.subscriberCount == 1 })
        #expect(await feed.subscribe(after: nil) != nil)
        _ = second
    }

    @Test func closingEndsEveryStream() async throws {
        let feed = EventFeed()
        let subscription = try #require(await feed.subscribe(after: nil))
        await feed.publish(kind: "convention", json: "1")
        await feed.close()
        var received: [UInt64] = []
        for await entry in subscription.live { received.append(entry.id) }
        #expect(received == [1])
        let late = try #require(await feed.subscribe(after: nil))
        #expect(late.backlog.map(\.id) == [1])
        var iterator = late.live.makeAsyncIterator()
        #expect(await iterator.next() == nil)
    }
}

/// Whether `condition` holds within `limit`, asked every 10 ms.
func eventually(within limit: Duration = .seconds(10), _ condition: () async -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return await condition()
}
