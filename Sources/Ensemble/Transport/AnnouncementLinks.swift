/// The links an elected leader opened only to announce itself (`announceLeader`) to members
/// that had not JOINed or heartbeaten it yet.
///
/// Once such a member has reached the leader over its own connection, the leader needs no link
/// of its own to it: it answers and publishes over the member's connection and watches it by
/// that connection's closing. Left to the idle rule, an election among N members would hold N
/// links (a DEALER, its monitor and a connection: about four descriptors each) for the idle timeout,
/// a minute by default; these close once the member is heard and the link has been quiet for
/// `quiet`. A link that carries anything else is no longer one of them, and closes when idle.
struct AnnouncementLinks: Sendable {
    /// How long a link must have been unused before it closes: what was handed to libzmq on it
    /// has left by then (a socket closes without lingering).
    static let quiet = Duration.seconds(1)
    /// The announcement's message type on the wire.
    static let announcementType = Ensemble_V2_LeaderAnnouncement.protoMessageName

    /// What becomes of one of them, as the shell finds it.
    enum Fate: Sendable {
        /// Its member has not reached the leader yet, or the link is not quiet yet.
        case keep
        /// Its member reached the leader, and the link is quiet: it closes.
        case close
        /// No longer one of them: closed already, no longer a member's, or needed for another reason.
        case forget
    }

    private(set) var addresses: Set<NodeAddress> = []

    var isEmpty: Bool { addresses.isEmpty }

    /// The leader announces itself to `address`: one of them when no link to it was open (a
    /// link open already was opened for something else, and stays under the idle rule).
    mutating func announcing(to address: NodeAddress, linkOpen: Bool) {
        if !linkOpen { addresses.insert(address) }
    }

    /// `envelopes` leave over the link to `address`: anything but an announcement puts it to use.
    mutating func carrying(_ envelopes: [Envelope], to address: NodeAddress) {
        guard addresses.contains(address), envelopes.contains(where: { $0.typeName != Self.announcementType }) else { return }
        addresses.remove(address)
    }

    /// Decides each one's fate (`fate`); the addresses whose links are to close now.
    mutating func settle(_ fate: (NodeAddress) -> Fate) -> [NodeAddress] {
        var closing: [NodeAddress] = []
        for address in addresses.sorted() {
            switch fate(address) {
            case .keep: continue
            case .close: closing.append(address)
            case .forget: break
            }
            addresses.remove(address)
        }
        return closing
    }

    /// This node no longer leads: its links fall under the idle rule.
    mutating func removeAll() {
        addresses.removeAll()
    }
}
