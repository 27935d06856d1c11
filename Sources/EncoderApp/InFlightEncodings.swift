import Ensemble

/// The encodings the Acceptor dispatched and has not yet seen answered.
///
/// What it keeps lets work lost with an encoder's node be sent again, and lets
/// each encoder's answer to a request reach the requester once: every answer
/// comes back through the Acceptor, which forwards only the first. A value
/// type: events in, what to do out; the Acceptor does the sending.
struct InFlightEncodings {
    /// One request's dispatch: where each encoder's copy went and what is still awaited.
    struct Dispatch {
        var requester: ActorAddress
        var requestID: UInt64
        var text: String
        var dispatchedAt: ContinuousClock.Instant
        /// Per encoder slot: the encoder its text was sent to, while its answer is awaited.
        var awaited: [ActorAddress?]
        /// Per encoder slot: how often its text was sent.
        var sends: [Int]

        var isAnswered: Bool { awaited.allSatisfy { $0 == nil } }
    }

    /// A copy whose encoder was lost before it answered: to send again.
    struct Orphan: Equatable {
        var dispatchID: UInt64
        var slot: Int
        var text: String
        /// How often it was sent already.
        var sends: Int
    }

    /// Whom to tell, once, about a request's answer.
    struct Requester: Equatable {
        var address: ActorAddress
        var requestID: UInt64
    }

    /// How often one copy is sent at most: the first time and twice more after losses.
    static let maxSends = 3
    /// A dispatch unanswered this long is dropped: its requester stopped waiting long ago.
    static let maxAge = Duration.seconds(600)

    let slots: Int
    /// The most dispatches kept; past it the oldest is dropped.
    let capacity: Int
    private(set) var dispatches: [UInt64: Dispatch] = [:]
    /// Dispatch ids in the order they were made, from `oldest` on (answered ones are
    /// skipped when reached): the oldest live dispatch is found without a search.
    private var order: [UInt64] = []
    private var oldest = 0
    /// Ids are a keyed hash (SipHash, with the process's random seed and a random key of the
    /// table's) of a count: nobody can guess one they were not sent, and making one costs no
    /// system call, where drawing each from the system's random source cost one per request.
    private let idKey = UInt64.random(in: 0...UInt64.max)
    private var idCount: UInt64 = 0

    /// An empty table for `slots` encoders.
    init(slots: Int, capacity: Int = 100_000) {
        self.slots = slots
        self.capacity = capacity
    }

    var count: Int { dispatches.count }

    /// Records a request sent to `targets` (one per slot, nil where no encoder was placed);
    /// returns the id its copies carry.
    mutating func dispatch(
        requester: ActorAddress, requestID: UInt64, text: String, targets: [ActorAddress?], now: ContinuousClock.Instant
    ) -> UInt64 {
        expire(now: now)
        var id = nextID()
        while id == 0 || dispatches.index(forKey: id) != nil { id = nextID() }
        order.append(id)
        dispatches[id] = Dispatch(
            requester: requester, requestID: requestID, text: text, dispatchedAt: now, awaited: targets,
            sends: targets.map { $0 == nil ? 0 : 1 })
        return id
    }

    /// The answer of `slot` to dispatch `id` arrived: its requester, the first time only.
    mutating func answered(_ id: UInt64, slot: Int) -> Requester? {
        guard slot >= 0 && slot < slots, let index = dispatches.index(forKey: id) else { return nil }
        // Read and changed in place: a copy of the dispatch (its text, its two arrays) cost
        // about 150 instructions, and a request's answers made several.
        let answer = Self.answer(slot, of: &dispatches.values[index])
        if answer?.isAnswered == true { dispatches.remove(at: index) }
        return answer?.requester
    }

    private static func answer(_ slot: Int, of dispatch: inout Dispatch) -> (requester: Requester, isAnswered: Bool)? {
        guard dispatch.awaited[slot] != nil else { return nil }
        dispatch.awaited[slot] = nil
        return (Requester(address: dispatch.requester, requestID: dispatch.requestID), dispatch.isAnswered)
    }

    /// The copies still awaited from `encoder`, which is gone; each is then `resent` or `abandon`ed.
    mutating func lost(_ encoder: ActorAddress) -> [Orphan] {
        var orphans: [Orphan] = []
        for (id, dispatch) in dispatches {
            for slot in 0..<slots where dispatch.awaited[slot] == encoder {
                orphans.append(Orphan(dispatchID: id, slot: slot, text: dispatch.text, sends: dispatch.sends[slot]))
            }
        }
        return orphans.sorted { ($0.dispatchID, $0.slot) < ($1.dispatchID, $1.slot) }
    }

    /// An orphan is sent again to `encoder`.
    mutating func resent(_ orphan: Orphan, to encoder: ActorAddress) {
        guard let index = dispatches.index(forKey: orphan.dispatchID), dispatches.values[index].awaited[orphan.slot] != nil
        else { return }
        dispatches.values[index].awaited[orphan.slot] = encoder
        dispatches.values[index].sends[orphan.slot] += 1
    }

    /// `slot` of dispatch `id` will not be answered (no encoder can take it, or it failed):
    /// its requester, to be told why, unless it was answered already.
    mutating func abandon(_ id: UInt64, slot: Int) -> Requester? {
        answered(id, slot: slot)
    }

    /// Read through `inout`: a read of the dictionary's value would copy the whole dispatch.
    private static func dispatchedAt(_ dispatch: inout Dispatch) -> ContinuousClock.Instant { dispatch.dispatchedAt }

    private mutating func nextID() -> UInt64 {
        idCount &+= 1
        var hasher = Hasher()
        hasher.combine(idKey)
        hasher.combine(idCount)
        return UInt64(UInt(bitPattern: hasher.finalize()))
    }

    /// Drops dispatches past `maxAge`, and the oldest past `capacity`.
    private mutating func expire(now: ContinuousClock.Instant) {
        while oldest < order.count {
            if let index = dispatches.index(forKey: order[oldest]) {
                guard dispatches.count >= capacity || now - Self.dispatchedAt(&dispatches.values[index]) > Self.maxAge
                else { break }
                dispatches.remove(at: index)
            }
            oldest += 1
        }
        // The passed front is dropped once it is as long as the rest, and answered ids behind a
        // long-lived one once they outnumber the live four to one: amortized O(1) per dispatch.
        if oldest >= 1024 && oldest * 2 >= order.count {
            order.removeFirst(oldest)
            oldest = 0
        }
        if order.count - oldest > 4 * max(dispatches.count, 1024) {
            order = order[oldest...].filter { dispatches[$0] != nil }
            oldest = 0
        }
    }
}
