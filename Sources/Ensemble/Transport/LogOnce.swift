/// Which refusals a node has logged already (by what and by whom), so that a
/// misbehaving peer cannot flood the log. Bounded per kind of event: whoever fills
/// one kind's share (say, with made-up keys) silences only that kind, and the first
/// event past a full share says that more go unlogged.
struct LogOnce {
    private var logged: [String: Set<String>] = [:]
    let perKind: Int

    init(perKind: Int = 64) { self.perKind = perKind }

    /// Whether this is the first time `what` happened for `who` (and so worth a log line).
    mutating func first(_ what: String, _ who: String?) -> Bool {
        var seen = logged[what, default: []]
        guard seen.count < perKind else { return false }
        let inserted = seen.insert(who ?? "-").inserted
        logged[what] = seen
        return inserted
    }

    /// Whether `what` has filled its share (its later events are not logged).
    func isFull(_ what: String) -> Bool { (logged[what]?.count ?? 0) >= perKind }
}
