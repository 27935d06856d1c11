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
    /// A leader not heard from for this long (its heartbeats come four times a second) is
    /// taken for silent while a member waits for its report.
    static let leaderSilence = Duration.seconds(1)

    /// Asks `leader` for its status report: the first page for as long as the leader is heard
    /// from (its report takes as long as its members take to answer it) and within
    /// `actorListDeadline`, each later page within `pageTimeout`. The leader answers over this
    /// member's own connection to it, as it answers a JOIN.
    func leadersReport(of leader: NodeID, pageTimeout: Duration) async -> LeadersAnswer {
        let deadline = now + Self.actorListDeadline
        let id = pending.makeID()
        let watch = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(100))
                if now - (lastHeard[leader.address] ?? .zero) > Self.leaderSilence {
                    return pending.fail(id, EnsembleError.unreachable(leader.address))
                }
            }
        }
        defer { watch.cancel() }
        let answer: Envelope
        do {
            answer = try await pending.wait(for: id, timeout: Self.actorListDeadline, destination: leader, what: "\(leader.address)") {
                sendControl(.status(page: nil), to: .system(leader), correlationID: id)
            }
        } catch {
            return .silent
        }
        guard case .statusReport(let firstPage)? = try? ControlCodec.decodeReply(answer.typeName, answer.payload), firstPage.node == leader
        else { return .unusable }
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
