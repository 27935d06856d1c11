/// Node addresses this node may open a link to although they are not members of
/// its view: nodes it must still answer (a JOIN's answer, `declaredDown` to a lost
/// life's heartbeat, a version refusal). Bounded and expiring, so what arrives from
/// the network cannot make a node open links without end.
struct AnswerTable: Sendable {
    private var until: [NodeAddress: Duration] = [:]
    /// The most addresses held at once.
    let capacity: Int
    /// How long an address may be answered after it last asked.
    let lifetime: Duration

    init(capacity: Int = 32, lifetime: Duration = .seconds(10)) {
        self.capacity = capacity
        self.lifetime = lifetime
    }

    var count: Int { until.count }

    /// Lets `address` be answered until `now + lifetime`; false when the table is full of
    /// addresses that have not expired (the answer is then not sent).
    @discardableResult
    mutating func allow(_ address: NodeAddress, now: Duration) -> Bool {
        if until[address] == nil && until.count >= capacity {
            _ = expire(now: now)
            guard until.count < capacity else { return false }
        }
        until[address] = now + lifetime
        return true
    }

    /// Whether `address` may be answered.
    func allows(_ address: NodeAddress) -> Bool { until[address] != nil }

    /// Drops the addresses whose time is up, and returns them.
    mutating func expire(now: Duration) -> [NodeAddress] {
        let expired = until.filter { $0.value <= now }.map(\.key)
        for address in expired { until[address] = nil }
        return expired
    }
}
