#if canImport(Glibc)
import Glibc
#endif

/// The last view of the convention the CLI learnt, kept in the state directory (`last-view`)
/// so that a later command can find the convention when the nodes it names are gone.
///
/// The file is text, one entry a line: `leader HOST:PORT` first, then `member HOST:PORT`
/// for each other member; blank lines and lines starting with `#` are skipped. It is only a
/// hint: a file that does not read that way is ignored as a whole.
package struct LastView: Sendable, Equatable {
    /// The leader the view named.
    package var leader: NodeAddress
    /// The other members, in view order, without the leader and without duplicates.
    package var members: [NodeAddress]

    /// The view of `leader` and `members` (the leader and later duplicates dropped from `members`).
    package init(leader: NodeAddress, members: [NodeAddress]) {
        self.leader = leader
        var seen: Set<NodeAddress> = [leader]
        self.members = members.filter { seen.insert($0).inserted }
    }

    /// The leader, then the members.
    package var addresses: [NodeAddress] { [leader] + members }

    /// Reads the file's text; nil when it is not a last view (no leader line first, a line that
    /// is neither a comment nor an entry, an entry that is not an address).
    package init?(parsing text: String) {
        var leader: NodeAddress?
        var members: [NodeAddress] = []
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = String(rawLine).trimmingCharacters(in: " \t\r")
            if line.isEmpty || line.hasPrefix("#") { continue }
            let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
            // Bare ports are not written, and would mean 127.0.0.1: only HOST:PORT counts.
            guard parts.count == 2, parts[1].contains(":"), let address = NodeAddress(parsing: parts[1]) else { return nil }
            switch (parts[0], leader) {
            case ("leader", nil): leader = address
            case ("member", _?): members.append(address)
            default: return nil
            }
        }
        guard let leader else { return nil }
        self.init(leader: leader, members: members)
    }

    /// The file's text, as `init(parsing:)` reads it.
    package var text: String {
        var lines = ["# the last view of the convention the ensemble CLI learnt: the leader, then the members"]
        lines.append("leader \(leader)")
        for member in members { lines.append("member \(member)") }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension StateDirectory {
    /// Where the last view the CLI learnt is kept.
    package var lastViewPath: String { "\(path)/last-view" }

    /// The last view recorded here; nil when there is none or the file does not read as one.
    package func lastView() -> LastView? {
        readSmallFile(lastViewPath).flatMap(LastView.init(parsing:))
    }

    /// Records `view`, atomically (a file of this process's own, then a rename), mode 0600;
    /// creates the directory (mode 0700) if missing. A cache: failing to write it changes nothing.
    package func recordLastView(_ view: LastView) {
        guard (try? create()) != nil else { return }
        let path = lastViewPath
        // Named by pid, so two commands writing at once never write into one file.
        let temporary = "\(path).\(getpid()).tmp"
        unlink(temporary)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        let bytes = Array(view.text.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        guard written == bytes.count, rename(temporary, path) == 0 else {
            unlink(temporary)
            return
        }
    }
}
