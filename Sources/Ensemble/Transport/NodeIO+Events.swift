/// A client's `events` request that the leader holds until an event comes or its wait is over.
struct EventWaiter {
    /// The request, answered when the waiter is.
    let request: Envelope
    /// The last sequence the client has.
    let after: UInt64
    /// When it is answered with no events.
    let deadline: Duration
}

/// The leader's event stream: it records what its published updates say, the restarts its
/// members report and its own accession, and answers clients' `events` requests, holding
/// those that are caught up until something happens (a long poll over the client's one
/// connection, so a dashboard learns of a `kill -9` as soon as the leader does).
extension NodeIO {
    /// The longest a request is held.
    static let maxEventWait = Duration.seconds(30)
    /// How many requests are held at once, in all and per client connection.
    static let maxEventWaiters = 64
    static let maxEventWaitersPerClient = 2

    /// The log of this leader life and term, begun when it took office; nil when this node does not lead.
    @discardableResult
    func currentEventLog() -> EventLog? {
        guard plane.leader != nil else {
            if eventLog != nil {
                eventLog = nil
                answerEventWaitersNotLeading()
            }
            return nil
        }
        let term = plane.election.term
        if let log = eventLog, log.leader == core.nodeID, log.term == term { return log }
        eventLog = EventLog(leader: core.nodeID, term: term, timeMs: wallClockMilliseconds())
        // Those held for an earlier term's stream learn of the new one.
        answerEventWaiters(all: true)
        return eventLog
    }

    /// Records what a published update tells clients, and answers the requests waiting for it.
    func recordEvent(_ update: ViewUpdate) {
        guard currentEventLog() != nil, eventLog!.record(update, timeMs: wallClockMilliseconds()) else { return }
        answerEventWaiters()
    }

    /// Records a restart a member (or this node) reported.
    func recordRestart(of actor: ActorAddress, type: String, restarts: Int) {
        guard currentEventLog() != nil else { return }
        eventLog!.recordRestart(of: actor, type: type, restarts: restarts, timeMs: wallClockMilliseconds())
        answerEventWaiters()
    }

    /// A client's `events` request: answered at once when there is something to say (events
    /// after `after`, or a stream it is not caught up with), else held up to `waitMs`.
    func serveEvents(after: UInt64, waitMs: Int, answering request: Envelope) {
        // A stopping node holds nothing: its answer must leave before its connections close.
        if core.isStopping { return reply(to: request, .notLeader(term: plane.election.term, leader: nil)) }
        guard let log = currentEventLog() else {
            return reply(to: request, .notLeader(term: plane.election.term, leader: plane.election.knownLeader))
        }
        let batch = log.batch(after: after)
        guard batch.events.isEmpty, after == log.latest, waitMs > 0 else { return reply(to: request, .events(batch)) }
        let sameClient = eventWaiters.filter { $0.request.sender == request.sender }.count
        guard eventWaiters.count < Self.maxEventWaiters, sameClient < Self.maxEventWaitersPerClient else {
            core.counters.add("eventWaitRefusals")
            return reply(to: request, .refused(
                "refused: too many event requests wait at \(core.nodeID.address) (\(Self.maxEventWaitersPerClient) per client, \(Self.maxEventWaiters) in all)"))
        }
        let wait = min(Duration.milliseconds(waitMs), Self.maxEventWait)
        eventWaiters.append(EventWaiter(request: request, after: after, deadline: core.now + wait))
    }

    /// Answers the held requests that have events now (`all`: every one, with whatever there is).
    private func answerEventWaiters(all: Bool = false) {
        guard let log = eventLog, !eventWaiters.isEmpty else { return }
        eventWaiters.removeAll { waiter in
            guard all || waiter.after < log.latest else { return false }
            reply(to: waiter.request, .events(log.batch(after: all ? 0 : waiter.after)))
            return true
        }
    }

    /// At each tick: held requests whose wait is over are answered with no events.
    func expireEventWaiters(now: Duration) {
        guard !eventWaiters.isEmpty else { return }
        // Answered as soon as the node begins to stop, while its connections still stand: a client
        // drops what it has not read yet when its connection closes (its DEALER is `immediate`),
        // so an answer sent as the sockets close can be lost, and the follower would wait out its request.
        if core.isStopping { return answerEventWaitersStopping() }
        guard let log = currentEventLog() else { return }
        eventWaiters.removeAll { waiter in
            guard now >= waiter.deadline else { return false }
            reply(to: waiter.request, .events(log.batch(after: waiter.after)))
            return true
        }
    }

    /// The node stops: its held requests are answered now (no leader known), so followers look
    /// for the next leader at once instead of waiting out a request nobody will answer.
    func answerEventWaitersStopping() {
        let waiting = eventWaiters
        eventWaiters = []
        for waiter in waiting { reply(to: waiter.request, .notLeader(term: plane.election.term, leader: nil)) }
    }

    /// This node no longer leads: its held requests learn where the stream is now.
    private func answerEventWaitersNotLeading() {
        let waiting = eventWaiters
        eventWaiters = []
        for waiter in waiting {
            reply(to: waiter.request, .notLeader(term: plane.election.term, leader: plane.election.knownLeader))
        }
    }
}
