/// What the leader said when a member asked it for its status report.
enum LeadersAnswer: Sendable {
    /// Its whole report (every page), and when the first page came.
    case report(StatusReport, receivedAt: Duration)
    /// It answered, but with a refusal or a report that could not be used (a page missing,
    /// another node's): it is alive, and the member asks every member itself.
    case unusable
    /// No answer within the time given, or it is gone: the member asks the others itself
    /// and counts the leader unreachable.
    case silent
}

extension NodeCore {
    /// Asks `leader` for its status report: the first page within `timeout`, each later one
    /// within `pageTimeout`, all of them within `actorListDeadline`. The leader answers over
    /// this member's own connection to it, as it answers a JOIN.
    func leadersReport(of leader: NodeID, timeout: Duration, pageTimeout: Duration) async -> LeadersAnswer {
        let deadline = now + Self.actorListDeadline
        let first: ControlReply
        do {
            first = try await request(.status(page: nil), to: .system(leader), timeout: timeout)
        } catch {
            return .silent
        }
        guard case .statusReport(let firstPage) = first, firstPage.node == leader else { return .unusable }
        let receivedAt = now
        do {
            var assembly = try StatusAssembly(first: firstPage)
            while let next = assembly.nextPage {
                let left = min(pageTimeout, deadline - now)
                guard left > .zero, case .statusReport(let page)? = try? await request(.status(page: next), to: .system(leader), timeout: left)
                else { return .unusable }
                try assembly.add(page)
            }
            return .report(try assembly.finished(), receivedAt: receivedAt)
        } catch {
            return .unusable
        }
    }
}
