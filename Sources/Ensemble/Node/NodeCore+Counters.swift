import Synchronization

extension NodeCore {
    /// Counts by name, for `status`.
    final class Counters: Sendable {
        private let values = Mutex<[String: Int]>([:])
        /// The two counted for every frame, apart from the others: a string-keyed
        /// update hashes its name, which a frame of one envelope feels.
        private let envelopes = Mutex<(received: Int, sent: Int)>((0, 0))

        func add(_ name: String, _ amount: Int = 1) { values.withLock { $0[name, default: 0] += amount } }
        func addEnvelopesIn(_ amount: Int) { envelopes.withLock { $0.received += amount } }
        func addEnvelopesOut(_ amount: Int) { envelopes.withLock { $0.sent += amount } }

        var snapshot: [String: Int] {
            var snapshot = values.withLock { $0 }
            let (received, sent) = envelopes.withLock { $0 }
            if received > 0 { snapshot["envelopesIn"] = received }
            if sent > 0 { snapshot["envelopesOut"] = sent }
            return snapshot
        }
    }
}
