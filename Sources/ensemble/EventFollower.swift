import Ensemble

/// Reads the leader's event stream, for `ensemble events` and the dashboard: where it is in
/// which leader's stream, so that following it to a new leader starts that leader's stream
/// from its start.
struct EventFollower {
    /// What the follower tells its user as it reads.
    enum Report {
        /// An event of the convention, in order.
        case event(ConventionEvent)
        /// Events the leader dropped before they were read.
        case dropped(ClosedRange<UInt64>)
        /// Now reading the stream of the leader at this address, in this term.
        case following(NodeAddress, term: UInt64)
        /// Reading failed, for this reason; the convention is looked at again shortly.
        case searching(String)
    }

    /// How a read of one node's stream ended.
    enum Outcome {
        /// Everything asked for was read (or `--for` ran out, or the task was cancelled).
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
    /// How long the leader is asked to hold a request of a follower that is caught up.
    let heldFor: Duration
    private var stream: (leader: NodeID, term: UInt64)?
    private var last: UInt64 = 0

    init(timeout: Duration, follow: Bool, until: ContinuousClock.Instant?, heldFor: Duration = .seconds(10)) {
        self.timeout = timeout
        self.follow = follow
        self.until = until
        self.heldFor = heldFor
    }

    /// Whether `--for` ran out, or the task was cancelled.
    var isOver: Bool { Task.isCancelled || (until.map { ContinuousClock.now >= $0 } ?? false) }

    /// Reads the stream from `node` (nil: the leader `convention` finds), following it to the
    /// leader a node names, until caught up (without `follow`), `until` or cancellation.
    /// Following, a failure is reported and the convention looked at again; otherwise the
    /// failure's line is returned.
    mutating func run(startingAt node: NodeAddress?, convention: ConventionOptions, report: (Report) async -> Void) async -> String? {
        var target = node
        var learnt: [NodeAddress: CurveKey] = [:]
        var searching: String?
        func search(_ why: String) async {
            // Said once per spell of searching, not at every look.
            if searching != why { await report(.searching(why)) }
            searching = why
        }
        while !isOver {
            if target == nil {
                let budget = Duration.milliseconds(Int(min(timeout / .milliseconds(1), 4000)))
                if let found = try? await convention.findLeader(budget: budget) {
                    target = found.leader
                    learnt = found.memberKeys
                } else {
                    let tried = convention.leaderAddresses.map(\.description).joined(separator: ", ")
                    let line = "no node of the convention answers (tried \(tried))"
                    guard follow else { return line }
                    await search(line)
                }
            }
            if let address = target {
                switch await read(from: address, convention: convention, learnt: learnt, report: { found in
                    if case .following = found { searching = nil }
                    await report(found)
                }) {
                case .done:
                    return nil
                case .redirected(let leader):
                    target = leader
                    continue
                case .failed(let line):
                    guard follow else { return line }
                    await search(line)
                    target = nil
                }
            }
            if isOver { break }
            // The convention is between leaders, or out of reach: look again shortly.
            try? await Task.sleep(for: .milliseconds(500))
        }
        return nil
    }

    /// Reads the stream of the leader at `address` until caught up (without `follow`) or until
    /// `until` runs out, the node fails, or it turns out not to lead.
    private mutating func read(
        from address: NodeAddress, convention: ConventionOptions, learnt: [NodeAddress: CurveKey], report: (Report) async -> Void
    ) async -> Outcome {
        let connectTimeout = min(timeout, .seconds(2))
        let client: EnsembleClient
        do {
            client = try await convention.openClient(to: address, timeout: connectTimeout, learnt: learnt)
        } catch {
            return .failed((error as? CommandFailure)?.message ?? failureLine(error, otherwise: "no node answers at \(address)"))
        }
        let outcome = await read(with: client, at: address, connectTimeout: connectTimeout, report: report)
        await client.close()
        return outcome
    }

    private mutating func read(
        with client: EnsembleClient, at address: NodeAddress, connectTimeout: Duration, report: (Report) async -> Void
    ) async -> Outcome {
        do {
            try await client.connect(timeout: connectTimeout)
        } catch {
            return .failed(failureLine(error, otherwise: "no node answers at \(address)"))
        }
        var caughtUp = false
        while !isOver {
            var wait = follow && caughtUp ? heldFor : .zero
            if let until { wait = min(wait, max(.zero, until - .now)) }
            let answer: EventsAnswer
            do {
                answer = try await client.events(after: last, wait: wait, timeout: wait + timeout)
            } catch is CancellationError {
                return .done
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
                    self.stream = nil
                    last = 0
                    caughtUp = false
                    continue
                }
                if stream == nil {
                    stream = (batch.leader, batch.term)
                    await report(.following(batch.leader.address, term: batch.term))
                }
                if last != 0, batch.oldest > last + 1 { await report(.dropped(last + 1...batch.oldest - 1)) }
                for event in batch.events { await report(.event(event)) }
                last = batch.events.last?.sequence ?? last
                caughtUp = last >= batch.latest
                if caughtUp && !follow { return .done }
            }
        }
        return .done
    }
}

extension EventFollower {
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
