import TestSupport

@testable import Ensemble

/// One update or heartbeat a leader sent its members: in flight once, however many it goes to.
struct SimPublication {
    var from: NodeID
    var payload: SimPayload
    var sentAt: Duration
    /// Its place among all publications, which seeds each subscriber's draw of its delay.
    var serial: UInt64
    /// The partition when it was sent: a subscriber cut off from its sender then never gets it.
    var sides: [NodeAddress: Int]
    var lossRate: Double
    var reorderRate: Double
    /// Its payload's bytes, counted for each subscriber that gets it (zero when bytes are not counted).
    var bytes: Int
}

/// What one subscriber's link makes of one publication (drawn from the seed, the publication
/// and the subscriber alone, so it is the same whenever it is asked).
struct SimLinkDraw {
    /// Whether it is on its way at all (not lost, not cut off at the start).
    var sent: Bool
    /// When it would arrive, were nothing ahead of it on the link.
    var arrives: Duration
    /// Whether it may overtake those before it.
    var overtakes: Bool
}

/// The update channels of the simulated nodes: what each leader sends back over its members'
/// connections (`NodeIO.publish`, `UpdateRoutes`).
///
/// A publication enters its publisher's channel once; each subscription (one per subscriber: a
/// member's route is its newest connection, to the leader that took its latest JOIN, heartbeat
/// or snapshot request) holds its position in that channel, stamped when it began, so a
/// subscriber gets what was published after it was routed and while it still is; the member
/// takes updates only from its leader address, as NodeIO does. Where the model differs: an
/// answer over the same connection is not held in order with the updates (it reorders more
/// than NodeIO), and a route outlives the member's place in the leader's view and a replaced
/// connection (NodeIO drops it then, and the member's next heartbeat names its new one; here it
/// delivers on). A leader that steps down drops every route, as NodeIO does.
/// The fan-out is made at delivery, when the subscriber takes its turn: the messages in flight
/// are O(publications), not O(publications × subscribers). Each subscriber's link has a delay
/// per publication (1-20 ms, 3% of them up to 230 ms more, drawn from the seed) and delivers in
/// order: a late one holds up those behind it (the link's `heldUntil`).
struct SimUpdateChannels {
    /// A publisher's publications in flight, by position.
    struct Channel {
        /// The position of `publications[0]`.
        var base = 0
        var publications: [SimPublication] = []
        var subscribers = 0
        /// How many of those in flight may overtake others (none in a scripted run).
        var reordering = 0
        var end: Int { base + publications.count }
    }

    /// A member's route from a publisher's channel.
    struct Subscription {
        var subscriber: NodeID
        var publisher: Int
        /// The position of the first publication not yet delivered (or lost) on this link.
        var next: Int
        /// The link's clock: nothing behind the last delivered arrives before it.
        var heldUntil: Duration = .zero
        /// Publications past `next` that overtook it and were delivered.
        var overtook: Set<Int> = []
    }

    private let seed: UInt64
    /// Each slot's channel, as a publisher.
    private var channels: [Channel]
    /// Each slot's subscription, as a subscriber.
    private var subscriptions: [Subscription?]
    private var serial: UInt64 = 0

    init(count: Int, seed: UInt64) {
        self.seed = seed
        channels = Array(repeating: Channel(), count: count)
        subscriptions = Array(repeating: nil, count: count)
    }

    /// The slot `subscriber` (its life `life`) now reads `publisher`'s channel (nil: none). A new
    /// subscription starts at the channel's end; the same one goes on as it was.
    mutating func subscribe(_ subscriber: Int, life: NodeID?, to publisher: Int?) {
        let current = subscriptions[subscriber]
        if let current, current.subscriber == life, current.publisher == publisher { return }
        if let current { channels[current.publisher].subscribers -= 1 }
        subscriptions[subscriber] = nil
        guard let life, let publisher, publisher != subscriber else { return }
        channels[publisher].subscribers += 1
        subscriptions[subscriber] = Subscription(subscriber: life, publisher: publisher, next: channels[publisher].end)
    }

    /// No one reads `publisher`'s channel any more (it stepped down: NodeIO forgets its routes).
    mutating func unsubscribeAll(from publisher: Int) {
        guard channels[publisher].subscribers > 0 else { return }
        for subscriber in subscriptions.indices where subscriptions[subscriber]?.publisher == publisher {
            subscriptions[subscriber] = nil
        }
        channels[publisher].subscribers = 0
    }

    /// How many read `publisher`'s channel now.
    func subscribers(of publisher: Int) -> Int { channels[publisher].subscribers }

    /// Publishes into `publisher`'s channel (nothing, when no one reads it).
    mutating func publish(_ publication: SimPublication, by publisher: Int) {
        serial += 1
        guard channels[publisher].subscribers > 0 else { return }
        var publication = publication
        publication.serial = serial
        if publication.reorderRate > 0 { channels[publisher].reordering += 1 }
        channels[publisher].publications.append(publication)
    }

    /// What `subscriber`'s link delivers by `now` (while it is the life `life`), in arrival
    /// order; `reachable` says whether two addresses reach each other now.
    mutating func take(for subscriber: Int, life: NodeID, by now: Duration,
                       reachable: (NodeAddress, NodeAddress) -> Bool) -> [(at: Duration, publication: SimPublication)] {
        guard var link = subscriptions[subscriber], link.subscriber == life else { return [] }
        let channel = channels[link.publisher]
        var taken: [(at: Duration, position: Int, publication: SimPublication)] = []
        while link.next < channel.end {
            let position = link.next
            let publication = channel.publications[position - channel.base]
            let draw = self.draw(publication, for: subscriber, address: life.address)
            if link.overtook.remove(position) != nil {
                link.heldUntil = max(link.heldUntil, draw.arrives)
                link.next += 1
                continue
            }
            guard draw.sent else {
                link.next += 1
                continue
            }
            let at = draw.overtakes ? draw.arrives : max(draw.arrives, link.heldUntil)
            guard at <= now else { break }
            link.heldUntil = max(link.heldUntil, at)
            link.next += 1
            taken.append((at, position, publication))
        }
        if channel.reordering > 0, link.next < channel.end {
            // Those further on that overtake the ones holding the link up.
            for position in (link.next + 1)..<channel.end where !link.overtook.contains(position) {
                let publication = channel.publications[position - channel.base]
                let draw = self.draw(publication, for: subscriber, address: life.address)
                guard draw.sent, draw.overtakes, draw.arrives <= now else { continue }
                link.overtook.insert(position)
                taken.append((draw.arrives, position, publication))
            }
        }
        subscriptions[subscriber] = link
        taken.sort { ($0.at, $0.position) < ($1.at, $1.position) }
        return taken.compactMap { reachable($0.publication.from.address, life.address) ? ($0.at, $0.publication) : nil }
    }

    /// The publications of `publisher` before `position` are needed by no one.
    private mutating func drop(before position: Int, of publisher: Int) {
        let count = min(position - channels[publisher].base, channels[publisher].publications.count)
        guard count > 0 else { return }
        let dropped = channels[publisher].publications[..<count].count { $0.reorderRate > 0 }
        channels[publisher].publications.removeFirst(count)
        channels[publisher].base += count
        channels[publisher].reordering -= dropped
    }

    /// Drops, from every channel, what every subscription of it has passed (called once a step).
    mutating func forgetDelivered() {
        var furthestBehind = channels.map(\.end)
        for link in subscriptions {
            guard let link else { continue }
            furthestBehind[link.publisher] = min(furthestBehind[link.publisher], link.next)
        }
        for publisher in channels.indices where channels[publisher].base < furthestBehind[publisher] {
            drop(before: furthestBehind[publisher], of: publisher)
        }
    }

    /// `publication`'s fate on the link to `subscriber` (at `address`), from the seed alone.
    private func draw(_ publication: SimPublication, for subscriber: Int, address: NodeAddress) -> SimLinkDraw {
        var random = SplitMix64(seed: seed ^ (publication.serial &* 0xD6E8_FEB8_6659_FD93) ^ (UInt64(subscriber) &* 0xA076_1D64_78BD_642F))
        let sentAtAll = SimNetwork.reachable(publication.from.address, address, sides: publication.sides)
            && !(publication.lossRate > 0 && random.unit() < publication.lossRate)
        var delay = Duration.milliseconds(1 + Int(random.next() % 20))
        if random.unit() < 0.03 { delay += .milliseconds(Int(random.next() % 230)) }
        let overtakes = publication.reorderRate > 0 && random.unit() < publication.reorderRate
        return SimLinkDraw(sent: sentAtAll, arrives: publication.sentAt + delay, overtakes: overtakes)
    }
}
