extension NodeCore {
    /// The convention as this node sees it, with every member's actors that answer in time.
    func collectStatus(timeout: Duration = .seconds(1)) async -> StatusReport {
        let view = self.view
        let now = self.now
        let heard = lastHeard
        let others = (view?.members.values.map(\.node) ?? []).filter { $0 != nodeID }.sorted()
        var actors = localRecords
        var unreachable: [NodeAddress] = []
        await withTaskGroup(of: (NodeID, [ActorRecord]?).self) { group in
            for node in others {
                group.addTask {
                    let answer = try? await self.request(.listActors, to: .system(node), timeout: timeout)
                    if case .actors(let records) = answer { return (node, records) }
                    return (node, nil)
                }
            }
            for await (node, records) in group {
                if let records { actors += records } else { unreachable.append(node.address) }
            }
        }
        let members = (view?.members.values.sorted { $0.node < $1.node } ?? []).map { member in
            let isSelf = member.node == nodeID
            let lastHeardMs = isSelf ? 0 : heard[member.node.address].map { Int(($0 - now) / .milliseconds(-1)) } ?? -1
            return MemberStatus(
                node: member.node, capabilities: isSelf ? capabilities : member.capabilities,
                leader: member.node == view?.leader, alive: !unreachable.contains(member.node.address),
                lastHeardMs: lastHeardMs)
        }
        return StatusReport(
            node: nodeID, leader: view?.leader, members: members, actors: actors.sorted { $0.address < $1.address },
            globalNames: view?.names ?? [:], unreachable: unreachable.sorted(), counters: counters.snapshot)
    }
}
