import Ensemble

/// Reads the leader's event stream for `ensemble events`: where it is in which leader's
/// stream, so that following it to a new leader starts that leader's stream from its start.
struct EventFollower {
    /// How a read of one node's stream ended.
    enum Outcome {
        /// Everything asked for was printed (or `--for` ran out).
        case done
        /// The node does not lead; this one does.
        case redirected(NodeAddress)
        /// The node could not be read, for this reason.
        case failed(String)
    }

    /// How long to wait for a node's answer, beyond the time it was asked to hold the request.
    let timeout: Duration
    /// Whether to keep reading once caught up.
    let follow: Bool
    /// When to stop following.
    let until: ContinuousClock.Instant?
    private var stream: (leader: NodeID, term: UInt64)?
    private var last: UInt64 = 0

    init(timeout: Duration, follow: Bool, until: ContinuousClock.Instant?) {
        self.timeout = timeout
        self.follow = follow
        self.until = until
    }

    /// Whether `--for` ran out.
    var isOver: Bool { until.map { ContinuousClock.now >= $0 } ?? false }

    /// Prints the events of the stream of the leader at `address` until caught up (without
    /// `--follow`) or until `--for` runs out, the node fails, or it turns out not to lead.
    mutating func read(
        from address: NodeAddress, convention: ConventionOptions, learnt: [NodeAddress: CurveKey], json: Bool
    ) async -> Outcome {
        let connectTimeout = min(timeout, .seconds(2))
        let client: EnsembleClient
        do {
            client = try await convention.openClient(to: address, timeout: connectTimeout, learnt: learnt)
        } catch {
            return .failed((error as? CommandFailure)?.message ?? failureLine(error, otherwise: "no node answers at \(address)"))
        }
        let outcome = await read(with: client, at: address, connectTimeout: connectTimeout, json: json)
        await client.close()
        return outcome
    }

    private mutating func read(with client: EnsembleClient, at address: NodeAddress, connectTimeout: Duration, json: Bool) async -> Outcome {
        do {
            try await client.connect(timeout: connectTimeout)
        } catch {
            return .failed(failureLine(error, otherwise: "no node answers at \(address)"))
        }
        var caughtUp = false
        while !isOver {
            var wait = follow && caughtUp ? EventsCommand.heldFor : .zero
            if let until { wait = min(wait, max(.zero, until - .now)) }
            let answer: EventsAnswer
            do {
                answer = try await client.events(after: last, wait: wait, timeout: wait + timeout)
            } catch EnsembleError.remote(let why) {
                return .failed("\(address): \(why)")
            } catch {
                return .failed(failureLine(error, otherwise: "\(address) did not answer within \(wait + timeout)"))
            }
            switch answer {
            case .notLeader(let leader, _):
                guard let leader, leader.address != address else { return .failed("\(address) does not lead, and knows no leader yet") }
                return .redirected(leader.address)
            case .events(let batch):
                if let stream, stream.leader != batch.leader || stream.term != batch.term {
                    // Another leader life or term: its stream has sequences of its own, read from its start.
                    self.stream = (batch.leader, batch.term)
                    last = 0
                    caughtUp = false
                    continue
                }
                if stream == nil { stream = (batch.leader, batch.term) }
                if last != 0, batch.oldest > last + 1 {
                    printErrorLine("ensemble events: events \(last + 1)-\(batch.oldest - 1) were dropped by the leader before they were read")
                }
                for event in batch.events { printLine(json ? Self.json(event).compact() : Self.line(event)) }
                last = batch.events.last?.sequence ?? last
                caughtUp = last >= batch.latest
                if caughtUp && !follow { return .done }
            }
        }
        return .done
    }

    /// One line for people: time, what, whom, and the details.
    static func line(_ event: ConventionEvent) -> String {
        let head = "\(event.timeText) \(event.kind.rawValue) \(event.node.address)"
        switch event.kind {
        case .joined, .capabilities:
            return "\(head) [\(event.capabilities.joined(separator: ", "))]"
        case .failed:
            return "\(head): \(event.reason)"
        case .left:
            return head
        case .restarted:
            let actor = event.actor.map { "\($0)" } ?? "?"
            return "\(head) \(event.actorType) \(actor) (restart \(event.restarts))"
        case .leader:
            return "\(head) leads, term \(event.term)"
        }
    }

    /// One JSON object, on one line.
    static func json(_ event: ConventionEvent) -> JSONText {
        var fields: [(String, JSONText)] = [
            ("sequence", .number(Int(clamping: event.sequence))),
            ("time", .string(event.timeText)),
            ("timeMs", .number(Int(clamping: event.timeMs))),
            ("kind", .string(event.kind.rawValue)),
            ("node", .string(event.node.address.description)),
            ("incarnation", .number(Int(clamping: event.node.incarnation))),
            ("term", .number(Int(clamping: event.term))),
        ]
        switch event.kind {
        case .joined, .capabilities: fields.append(("capabilities", .array(event.capabilities.map { .string($0) })))
        case .failed: fields.append(("reason", .string(event.reason)))
        case .restarted:
            fields += [("actor", .optional(event.actor?.description)), ("actorType", .string(event.actorType)),
                       ("restarts", .number(event.restarts))]
        case .left, .leader: break
        }
        return .object(fields)
    }
}
