import ZMQ

/// The wait set's view of the peer links: each link's DEALER and monitor are registered once,
/// when the link opens, and the DEALER is waited on for writing only while mail waits in it. A
/// turn then visits the links the wait found ready, not every link: a leader of a hundred
/// members has two hundred such sockets, nearly all quiet.
extension NodeIO {
    /// Registers a new link's sockets with the wait set.
    func watch(newLink peer: PeerLink) throws(ZMQError) {
        try waitSet.add(peer.socket, .readable)
        linksBySocket[ObjectIdentifier(peer.socket)] = peer
        if let monitor = peer.monitor {
            try waitSet.add(monitor, .readable)
            linksBySocket[ObjectIdentifier(monitor)] = peer
        }
    }

    /// Waits on the link for writing while mail waits in it, and only then.
    func updateInterest(of peer: PeerLink) {
        guard !peer.socket.isClosed else { return }
        // A registered socket only takes its new interest: nothing here can fail.
        _ = try? waitSet.add(peer.socket, peer.isEmpty ? .readable : [.readable, .writable])
    }

    /// Forgets a link's sockets; called as the link closes (the wait set drops them by itself).
    func unwatch(_ peer: PeerLink) {
        linksBySocket[ObjectIdentifier(peer.socket)] = nil
        if let monitor = peer.monitor { linksBySocket[ObjectIdentifier(monitor)] = nil }
    }

    /// Serves the links the last wait found ready: their mail and answers first, then their
    /// connection events, as before. Reading a link may close links, so each is checked open.
    func serveReadyLinks() {
        let ready = waitSet.readySlots
        for slot in ready {
            guard let (peer, socket) = openLink(at: slot), peer.socket === socket else { continue }
            let events = waitSet.ready(slot)
            if events.contains(.readable) { readPeerLink(peer) }
            if events.contains(.writable), !peer.socket.isClosed { flush(peer) }
        }
        for slot in ready {
            guard let (peer, socket) = openLink(at: slot), peer.monitor === socket else { continue }
            readMonitor(peer)
        }
    }

    /// The link whose DEALER or monitor holds `slot`, with that socket, while it is open.
    private func openLink(at slot: Int) -> (PeerLink, ZMQSocket)? {
        guard let socket = waitSet.socket(at: slot), !socket.isClosed,
              let peer = linksBySocket[ObjectIdentifier(socket)] else { return nil }
        return (peer, socket)
    }
}
