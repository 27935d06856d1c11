/// What a member takes from its leader's `status` report when a status is asked of it: the
/// actors of every member both know by the same life, and whether each answered the leader
/// and when. The leader heard them over the members' own connections, so the member asked
/// opens no link; the members the report leaves out (another life there, or none yet) it asks
/// itself.
struct LeaderReportCoverage: Equatable {
    /// The actors of the members the report covers.
    var actors: [ActorRecord] = []
    /// Covered members that did not answer the leader in time.
    var unreachable: [NodeAddress] = []
    /// When each covered member that answered was last heard, on this node's clock.
    var answeredAt: [NodeAddress: Duration] = [:]
    /// Members the report says nothing of, by this node's view: to be asked directly.
    var uncovered: [NodeID] = []

    /// What `report`, received at `receivedAt`, says of `members` (this node's view, itself left out).
    init(report: StatusReport, receivedAt: Duration, members: [NodeID]) {
        let reported = Dictionary(report.members.map { ($0.node, $0) }, uniquingKeysWith: { first, _ in first })
        var covered = Set<NodeID>()
        for member in members {
            guard let status = reported[member] else {
                uncovered.append(member)
                continue
            }
            covered.insert(member)
            if !status.alive || report.unreachable.contains(member.address) {
                unreachable.append(member.address)
            } else if status.lastHeardMs >= 0 {
                answeredAt[member.address] = receivedAt - .milliseconds(status.lastHeardMs)
            }
        }
        actors = report.actors.filter { covered.contains($0.address.node) }
    }
}
