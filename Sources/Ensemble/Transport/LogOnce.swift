/// Which refusals a node has logged already (by what and by whom), so that a
/// misbehaving peer cannot flood the log; bounded, after which nothing more is logged.
struct LogOnce {
    private var logged: Set<String> = []
    let limit: Int

    init(limit: Int = 1024) { self.limit = limit }

    /// Whether this is the first time `what` happened for `who` (and so worth a log line).
    mutating func first(_ what: String, _ who: String?) -> Bool {
        guard logged.count < limit else { return false }
        return logged.insert("\(what) \(who ?? "-")").inserted
    }
}
