extension NodeCore {
    /// How long a status waits for all the pages of one member's actors together, or of its
    /// leader's report.
    static let actorListDeadline = Duration.seconds(30)

    /// A page of this node's actors for another node's status: those whose id is greater
    /// than `afterID`, in id order, as many as one message holds (one at least), and whether
    /// more follow. A list that fits in one message is one page, as before paging.
    func actorPage(after afterID: UInt64) -> (records: [ActorRecord], more: Bool) {
        let cells = allCells.filter { $0.address.id > afterID }.sorted { $0.address.id < $1.address.id }
        let budget = StatusPaging.budget(maxMessageSize: configuration.maxMessageSize) - StatusPaging.pagingFieldsSize
        var records: [ActorRecord] = []
        var used = 0
        for cell in cells {
            let record = cell.record
            let size = ProtoSize.lengthDelimited(record.protoSize)
            if used + size > budget && !records.isEmpty { break }
            records.append(record)
            used += size
        }
        let more = records.count < cells.count
        if more || afterID > 0 { counters.add("actorListPages") }
        return (records, more)
    }

    /// Every actor of `node`, asked page by page, each page within `timeout` and all of them
    /// within `actorListDeadline`; nil when a page did not come. Only actors of that node are
    /// taken, and each page must start past the last: a member says only what it hosts.
    func actors(of node: NodeID, timeout: Duration) async -> [ActorRecord]? {
        let deadline = now + Self.actorListDeadline
        var records: [ActorRecord] = []
        var after: UInt64 = 0
        while true {
            let left = min(timeout, deadline - now)
            guard left > .zero,
                case .actors(let page, let more)? = try? await request(.listActors(afterID: after), to: .system(node), timeout: left)
            else { return nil }
            let own = page.filter { $0.address.node == node && $0.address.id > after }
            records += own
            guard more else { return records }
            // The next page starts past the member's own last actor, never past an id it named for another node.
            guard let last = own.last?.address.id else { return nil }
            after = last
        }
    }
}
