extension NodeCore {
    /// How many members one `status` asks for their actors at once.
    static let statusFanOut = 16

    /// The convention as this node sees it, with every member's actors that answer in time.
    /// A member asked by a client takes them from its leader's report (`LeaderReportCoverage`)
    /// and asks only the members that report leaves out; when the leader falls silent before
    /// it answers, it asks the others itself (and every member, the leader too, when the
    /// leader refused). A node asked by another node always asks the
    /// members itself: two nodes that each take the other for the leader never wait on each other.
    func collectStatus(timeout: Duration = .seconds(1), askingTheLeader: Bool = true) async -> StatusReport {
        let view = self.view
        let others = (view?.members.values.map(\.node) ?? []).filter { $0 != nodeID }.sorted()
        var actors = localRecords
        var unreachable: [NodeAddress] = []
        var answeredAt: [NodeAddress: Duration] = [:]
        var toAsk = others
        if askingTheLeader, let leader = leadership.leaderLife, leader != nodeID, others.contains(leader) {
            switch await leadersReport(of: leader, pageTimeout: timeout) {
            case .report(let report, let receivedAt):
                let coverage = LeaderReportCoverage(report: report, receivedAt: receivedAt, members: others)
                actors += coverage.actors
                unreachable = coverage.unreachable
                answeredAt = coverage.answeredAt
                toAsk = coverage.uncovered
                counters.add("statusesFromLeader")
            case .silent:
                unreachable.append(leader.address)
                toAsk.removeAll { $0 == leader }
            case .unusable:
                break
            }
        }
        await withTaskGroup(of: (NodeID, [ActorRecord]?, Duration).self) { group in
            // At most `statusFanOut` members are asked at once: a large convention is asked in waves.
            var waiting = toAsk[...]
            func askNext() {
                guard let node = waiting.popFirst() else { return }
                group.addTask { (node, await self.actors(of: node, timeout: timeout), self.now) }
            }
            for _ in 0..<Self.statusFanOut { askNext() }
            for await (node, records, at) in group {
                askNext()
                if let records {
                    actors += records
                    answeredAt[node.address] = at
                } else {
                    unreachable.append(node.address)
                }
            }
        }
        let now = self.now
        let heard = lastHeard
        let leadership = self.leadership
        let voters = Set(view?.voters ?? [])
        let members = (view?.members.values.sorted { $0.node < $1.node } ?? []).map { member in
            let address = member.node.address
            let isSelf = member.node == nodeID
            let last = isSelf ? now : [answeredAt[address], heard[address]].compactMap { $0 }.max()
            return MemberStatus(
                node: member.node, capabilities: isSelf ? capabilities : member.capabilities,
                leader: member.node == leadership.leaderLife, alive: !unreachable.contains(address),
                lastHeardMs: last.map { Int((now - $0) / .milliseconds(1)) } ?? -1, publicKey: member.publicKey,
                voter: voters.contains(member.node))
        }
        return StatusReport(
            node: nodeID, leader: leadership.leaderLife, members: members, actors: actors.sorted { $0.address < $1.address },
            globalNames: view?.names ?? [:], unreachable: unreachable.sorted(), counters: counters.snapshot,
            term: leadership.term, role: leadership.role)
    }

    /// The first page of `report`: the whole report when it fits in one message; else page 0
    /// of a snapshot whose other pages are kept for the client to ask for (`statusPage`).
    func firstStatusPage(of report: StatusReport) -> StatusReport {
        let pages = StatusPaging.split(
            report, snapshot: UInt64.random(in: 1...UInt64.max),
            budget: StatusPaging.budget(maxMessageSize: configuration.maxMessageSize))
        if pages.count > 1 {
            statusSnapshots.keep(pages, now: now)
            counters.add("statusPagedReports")
        }
        return pages[0]
    }

    /// A later page of a paged report, or the refusal saying why not.
    func statusPage(_ request: StatusPageRequest) -> ControlReply {
        switch statusSnapshots.page(request, now: now) {
        case .success(let page): return .statusReport(page)
        case .failure(let refusal):
            counters.add("statusPageRefusals")
            return .refused("refused: \(refusal)")
        }
    }
}
