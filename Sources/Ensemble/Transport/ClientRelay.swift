/// The clients of a gateway node: their routing ids, the relay ids that name them in
/// the convention, and what each has under way. Bounded: past `limit` clients the
/// one that first came longest ago and has nothing under way is forgotten (one with
/// requests under way keeps its place, or its answers would have nowhere to go).
struct ClientRelay {
    /// What one client connection has asked of this gateway.
    struct Record {
        let identity: RoutingID
        /// Its `createActor` and `status` requests not yet answered.
        var inFlight = 0
        /// Its `status` requests not yet answered.
        var statusInFlight = 0
        /// The actors its `createActor` requests created (not those a global name already had).
        var created = 0
    }

    private var byIdentity: [RoutingID: UInt64] = [:]
    private var byID: [UInt64: Record] = [:]
    /// Relay ids by first contact, oldest from `orderStart`; forgotten ones are skipped when met.
    private var order: [UInt64] = []
    private var orderStart = 0
    let limit: Int

    init(limit: Int = 4096) { self.limit = limit }

    /// How many clients are known.
    var count: Int { byID.count }

    func identity(for id: UInt64) -> RoutingID? { byID[id]?.identity }

    /// The record of the client with relay id `id`.
    func record(_ id: UInt64) -> Record? { byID[id] }

    /// Changes the record of a client this relay still knows.
    mutating func update(_ id: UInt64, _ change: (inout Record) -> Void) {
        guard var record = byID[id] else { return }
        change(&record)
        byID[id] = record
    }

    /// The relay id of a client, allocating one with `makeID` for a new client.
    mutating func id(for identity: [UInt8], makeID: () -> UInt64) -> UInt64 {
        let key = RoutingID(identity)
        if let id = byIdentity[key] { return id }
        let id = makeID()
        byIdentity[key] = id
        byID[id] = Record(identity: key)
        order.append(id)
        if byID.count > limit { evictOldestIdle() }
        return id
    }

    /// Forgets the client that came longest ago with nothing under way, if any.
    private mutating func evictOldestIdle() {
        var busy: [UInt64] = []
        while orderStart < order.count {
            let oldest = order[orderStart]
            orderStart += 1
            guard let record = byID[oldest] else { continue }
            if record.inFlight > 0 {
                busy.append(oldest)
                continue
            }
            byID[oldest] = nil
            byIdentity[record.identity] = nil
            break
        }
        // Busy clients keep their turn at the front; the taken part of `order` is dropped now and then.
        order.replaceSubrange(orderStart..<orderStart, with: busy)
        if orderStart > limit {
            order.removeFirst(orderStart)
            orderStart = 0
        }
    }

    mutating func forget(_ id: UInt64) {
        if let record = byID.removeValue(forKey: id) { byIdentity[record.identity] = nil }
    }
}
