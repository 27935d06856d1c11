/// The leader's requests for members' actors sent over the members' own connections, each kept
/// until it is answered. A member that leaves one unanswered for `patience` is asked again over a
/// link, and over links from then on: a member of an earlier build takes no request over its link
/// to the leader address, and a connection can be gone without the leader knowing yet. A value
/// type: the shell sends, and resends what `expired(now:)` returns.
struct ConnectionAsks {
    /// How long a member has to answer over its connection before it is asked over a link.
    static let patience = Duration.milliseconds(300)
    /// At most this many asks wait at once; past it, requests take links.
    static let capacity = 4096

    private var waiting: [UInt64: (member: NodeID, request: Envelope, deadline: Duration)] = [:]
    /// Members asked over links only, because one ask over their connection went unanswered.
    private(set) var overLinks: Set<NodeID> = []

    /// Whether a request for `member` may go over its connection.
    func mayAsk(_ member: NodeID) -> Bool {
        waiting.count < Self.capacity && !overLinks.contains(member)
    }

    /// `request` (with its correlation id) went to `member` over the member's connection.
    mutating func sent(_ request: Envelope, to member: NodeID, now: Duration) {
        waiting[request.correlationID] = (member, request, now + Self.patience)
    }

    /// An answer with correlation id `id` came.
    mutating func answered(_ id: UInt64) {
        guard !waiting.isEmpty else { return }
        waiting.removeValue(forKey: id)
    }

    /// The requests unanswered past their patience, to send again over links; their members are
    /// asked over links from now on.
    mutating func expired(now: Duration) -> [Envelope] {
        guard !waiting.isEmpty else { return [] }
        let late = waiting.filter { $0.value.deadline <= now }
        guard !late.isEmpty else { return [] }
        for (id, ask) in late {
            waiting.removeValue(forKey: id)
            overLinks.insert(ask.member)
        }
        return late.sorted { $0.key < $1.key }.map(\.value.request)
    }

    /// Keeps what concerns the lives `isMember` admits: the others left the view.
    mutating func keep(where isMember: (NodeID) -> Bool) {
        waiting = waiting.filter { isMember($0.value.member) }
        overLinks = overLinks.filter(isMember)
    }

    /// Forgets everything (the node no longer leads).
    mutating func removeAll() {
        waiting.removeAll()
        overLinks.removeAll()
    }
}
