/// The leader's requests for members' actors sent over the members' own connections, each kept
/// until it is answered. A member that leaves one unanswered for `patience` is asked again over a
/// link, and over links for `overLinksFor` after: a member of an earlier build takes no request
/// over its link to the leader address, and a connection can be gone without the leader knowing
/// yet; a member of this build that was slow once is asked over its connection again later. A
/// value type: the shell sends, and resends what `expired(now:)` returns.
struct ConnectionAsks {
    /// How long a member has to answer over its connection before it is asked over a link.
    static let patience = Duration.milliseconds(300)
    /// How long a member that left an ask unanswered is asked over links.
    static let overLinksFor = Duration.seconds(600)
    /// At most this many asks wait at once; past it, requests take links.
    static let capacity = 4096

    private var waiting: [UInt64: (member: NodeID, request: Envelope, deadline: Duration)] = [:]
    /// Members asked over links only until the time given, because one ask over their connection
    /// went unanswered.
    private var overLinks: [NodeID: Duration] = [:]

    /// Whether a request for `member` may go over its connection at `now`.
    func mayAsk(_ member: NodeID, now: Duration) -> Bool {
        waiting.count < Self.capacity && overLinks[member].map { now >= $0 } ?? true
    }

    /// `request` (with its correlation id) went to `member` over the member's connection.
    mutating func sent(_ request: Envelope, to member: NodeID, now: Duration) {
        waiting[request.correlationID] = (member, request, now + Self.patience)
    }

    /// An answer with correlation id `id` came from `sender` (the life its connection proved): it
    /// settles the ask only when it comes from the member asked.
    mutating func answered(_ id: UInt64, by sender: NodeID?) {
        guard !waiting.isEmpty, let ask = waiting[id], ask.member == sender else { return }
        waiting.removeValue(forKey: id)
    }

    /// The requests unanswered past their patience, to send again over links; their members are
    /// asked over links for `overLinksFor`.
    mutating func expired(now: Duration) -> [Envelope] {
        guard !waiting.isEmpty else { return [] }
        let late = waiting.filter { $0.value.deadline <= now }
        guard !late.isEmpty else { return [] }
        overLinks = overLinks.filter { now < $0.value }
        for (id, ask) in late {
            waiting.removeValue(forKey: id)
            overLinks[ask.member] = now + Self.overLinksFor
        }
        return late.sorted { $0.key < $1.key }.map(\.value.request)
    }

    /// Keeps what concerns the lives `isMember` admits: the others left the view.
    mutating func keep(where isMember: (NodeID) -> Bool) {
        waiting = waiting.filter { isMember($0.value.member) }
        overLinks = overLinks.filter { isMember($0.key) }
    }

    /// Forgets everything (the node no longer leads).
    mutating func removeAll() {
        waiting.removeAll()
        overLinks.removeAll()
    }
}
