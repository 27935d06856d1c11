import TestSupport

@testable import Ensemble

/// What travels between simulated nodes: the envelopes NodeIO would send, without the bytes.
/// Indirect: a message holds a reference to its payload, so the messages one published update
/// becomes at its subscribers (`SimUpdateChannels`) share it.
indirect enum SimPayload: Sendable {
    /// A control request to the node's system endpoint (ROUTER to ROUTER over a DEALER link).
    case request(ControlRequest, correlationID: UInt64)
    /// An answer to a request.
    case reply(ControlReply, correlationID: UInt64)
    /// A view update on the leader's update channel (PUB/SUB).
    case update(SequencedUpdate)
    /// A leader heartbeat on its update channel.
    case beat(LeaderHeartbeat)
    /// An `ActorExitRequest` told to an actor by its node's runtime (a name's loser stops).
    case exit(ActorAddress)
}

/// One message in flight.
struct SimMessage: Sendable {
    /// The life that sent it.
    var from: NodeID
    /// The life it names (incarnation 0: whichever life listens at the address when it arrives).
    var recipient: NodeID
    /// The address it goes to.
    var to: NodeAddress { recipient.address }
    /// Set for an answer sent back over the asker's own connection (`NodeIO.answerConnection`):
    /// only that very life reads it, over its link to the answering node.
    var overLinkTo: NodeID?
    var payload: SimPayload
    var deliverAt: Duration
    /// Send order, so that equal delivery times are taken in a stable order.
    var serial: UInt64

    /// Whether it came on the update channel.
    var isPublished: Bool {
        switch payload {
        case .update, .beat: return true
        case .request, .reply, .exit: return false
        }
    }
}

/// The simulated network: seeded delays, loss, reordering and partitions.
///
/// Requests and answers, one message per recipient; what a node publishes goes through
/// `SimUpdateChannels` instead (in flight once, whatever the number of subscribers).
///
/// Simplified from ZeroMQ over TCP: a message is delivered once or lost; a link keeps its order
/// (TCP) except that, while `reorderRate` is above zero, a message may overtake those before it.
/// Mail across a partition is lost rather than queued in a DEALER backlog (the backlog would be
/// dropped after `peerBacklogTimeout` anyway, and the protocol must live with either).
struct SimNetwork {
    /// The messages on their way, by send order, and their delivery times and send orders in a
    /// binary min-heap (the messages themselves stay put): a step takes the due ones in
    /// O(due × log in-flight), not a pass over all of them (millions at scale).
    private var messages: [UInt64: SimMessage] = [:]
    private var queue: [(Duration, UInt64)] = []
    /// The messages on their way, in no particular order.
    var inFlight: [SimMessage] { Array(messages.values) }
    private var serial: UInt64 = 0
    /// The latest delivery time per link and channel, so a link delivers in order.
    private var linkClock: [LinkKey: Duration] = [:]
    /// Each address's side of the current partition (absent: side 0); empty when healed.
    var side: [NodeAddress: Int] = [:]
    /// The chance a message is lost, and that it overtakes earlier ones on its link.
    var lossRate = 0.0
    var reorderRate = 0.0

    struct LinkKey: Hashable {
        var from: NodeAddress, to: NodeAddress, published: Bool
    }

    /// Whether `a` and `b` can reach each other now.
    func reachable(_ a: NodeAddress, _ b: NodeAddress) -> Bool {
        Self.reachable(a, b, sides: side)
    }

    /// Whether `a` and `b` reach each other across the partition `sides`.
    static func reachable(_ a: NodeAddress, _ b: NodeAddress, sides: [NodeAddress: Int]) -> Bool {
        sides[a, default: 0] == sides[b, default: 0]
    }

    /// Whether a partition is in force.
    var isPartitioned: Bool { !side.isEmpty }

    /// Sends `message` (its `deliverAt` and `serial` are set here): lost, cut off, or on its way
    /// after a delay of 1-20 ms, now and then up to 250 ms.
    mutating func send(_ message: SimMessage, now: Duration, random: inout SplitMix64) {
        guard reachable(message.from.address, message.to) else { return }
        if lossRate > 0, random.unit() < lossRate { return }
        var message = message
        var delay = Duration.milliseconds(1 + Int(random.next() % 20))
        if random.unit() < 0.03 { delay += .milliseconds(Int(random.next() % 230)) }
        let key = LinkKey(from: message.from.address, to: message.to, published: message.isPublished)
        var at = now + delay
        if let last = linkClock[key], at < last, !(reorderRate > 0 && random.unit() < reorderRate) { at = last }
        linkClock[key] = max(at, linkClock[key] ?? .zero)
        serial += 1
        message.deliverAt = at
        message.serial = serial
        messages[serial] = message
        queue.append((at, serial))
        var child = queue.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard queue[child] < queue[parent] else { break }
            queue.swapAt(child, parent)
            child = parent
        }
    }

    /// Takes the first message of the heap.
    private mutating func takeFirst() -> SimMessage {
        queue.swapAt(0, queue.count - 1)
        let first = queue.removeLast()
        var parent = 0
        while true {
            let (left, right) = (2 * parent + 1, 2 * parent + 2)
            var least = parent
            if left < queue.count, queue[left] < queue[least] { least = left }
            if right < queue.count, queue[right] < queue[least] { least = right }
            guard least != parent else { break }
            queue.swapAt(parent, least)
            parent = least
        }
        return messages.removeValue(forKey: first.1)!
    }

    /// Takes the messages due by `now`, in delivery order; those now cut off by a partition are lost.
    mutating func due(by now: Duration) -> [SimMessage] {
        var due: [SimMessage] = []
        while let first = queue.first, first.0 <= now { due.append(takeFirst()) }
        return due.filter { reachable($0.from.address, $0.to) }
    }
}
