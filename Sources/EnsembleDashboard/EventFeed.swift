/// The dashboard's live feed: what the command learns (the convention's events, and notes of
/// its own such as "following the leader at …"), kept for pages that open later and pushed
/// to every page that is open.
///
/// Each entry gets a number of the feed's own, in order from 1, which a page's `EventSource`
/// sends back as `Last-Event-ID` when it reconnects: it then gets what it missed, as far as
/// the feed still holds it.
public actor EventFeed {
    /// One entry: its number, its kind (the event name of the stream) and its JSON text.
    public struct Entry: Sendable, Equatable {
        /// Its number in the feed, from 1.
        public let id: UInt64
        /// What it is: `convention` for an event of the convention, `notice` for the dashboard's own.
        public let kind: String
        /// Its JSON text.
        public let json: String

        /// Creates an entry.
        public init(id: UInt64, kind: String, json: String) {
            self.id = id
            self.kind = kind
            self.json = json
        }
    }

    /// What a page subscribed to: what the feed held after the entry it named, then what comes.
    public struct Subscription: Sendable {
        /// The entries already held, oldest first.
        public let backlog: [Entry]
        /// The entries as they are published; it ends when the feed closes.
        public let live: AsyncStream<Entry>
    }

    /// How many entries are kept for pages that open later.
    public let capacity: Int
    /// How many pages may follow at once.
    public let maxSubscribers: Int
    private var recent: [Entry] = []
    private var oldestIndex = 0
    private var lastID: UInt64 = 0
    private var subscribers: [Int: AsyncStream<Entry>.Continuation] = [:]
    private var nextSubscriber = 0
    private var closed = false

    /// Creates an empty feed.
    public init(capacity: Int = 512, maxSubscribers: Int = 64) {
        precondition(capacity > 0 && maxSubscribers > 0)
        self.capacity = capacity
        self.maxSubscribers = maxSubscribers
    }

    /// Adds an entry and pushes it to every page that follows.
    @discardableResult
    public func publish(kind: String, json: String) -> UInt64 {
        lastID += 1
        let entry = Entry(id: lastID, kind: kind, json: json)
        if recent.count < capacity {
            recent.append(entry)
        } else {
            recent[oldestIndex] = entry
            oldestIndex = (oldestIndex + 1) % capacity
        }
        for continuation in subscribers.values { continuation.yield(entry) }
        return lastID
    }

    /// The entries held, oldest first.
    public var entries: [Entry] { Array(recent[oldestIndex...] + recent[..<oldestIndex]) }

    /// How many pages follow now.
    public var subscriberCount: Int { subscribers.count }

    /// Follows the feed from after entry `after` (nil: everything held); nil when
    /// `maxSubscribers` pages follow already. A closed feed gives its backlog and a finished stream.
    public func subscribe(after: UInt64?) -> Subscription? {
        let backlog = entries.filter { $0.id > (after ?? 0) }
        // A page that falls this far behind has lost the thread; it reconnects and catches up.
        let (live, continuation) = AsyncStream.makeStream(of: Entry.self, bufferingPolicy: .bufferingNewest(capacity))
        if closed {
            continuation.finish()
            return Subscription(backlog: backlog, live: live)
        }
        guard subscribers.count < maxSubscribers else { return nil }
        let key = nextSubscriber
        nextSubscriber += 1
        subscribers[key] = continuation
        continuation.onTermination = { [weak self] _ in
            Task { await self?.unsubscribe(key) }
        }
        return Subscription(backlog: backlog, live: live)
    }

    /// Ends every page's stream, and those of pages that subscribe later.
    public func close() {
        closed = true
        for continuation in subscribers.values { continuation.finish() }
        subscribers.removeAll()
    }

    private func unsubscribe(_ key: Int) {
        subscribers[key] = nil
    }
}
