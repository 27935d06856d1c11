import Foundation

/// One node's `status --json`, the parts an election shows.
struct ElectionView {
    /// The answering node's life, `HOST:PORT@INCARNATION`.
    let life: String
    /// `leader`, `member`, `candidate` or `joining`.
    let role: String
    let term: Int
    /// The leader's life as the node knows it; nil before it is welcomed.
    let leader: String?
    /// Its view's members: address, alive, voter.
    let members: [(address: String, alive: Bool, voter: Bool)]
    /// Its counters (absent: 0).
    let counters: [String: Int]

    /// The counters a failure message shows: how far elections went, and what could not be sent.
    static let telling = ["preVotesAsked", "votesAsked", "electionsWon", "leaderStepDowns", "termCorrections", "deadLetters", "nonMemberDrops"]

    init?(_ status: [String: Any]) {
        guard let life = status["node"] as? String, let role = status["role"] as? String,
            let term = status["term"] as? Int, let members = status["members"] as? [[String: Any]]
        else { return nil }
        self.life = life
        self.role = role
        self.term = term
        leader = status["leader"] as? String
        counters = status["counters"] as? [String: Int] ?? [:]
        self.members = members.map {
            ($0["address"] as? String ?? "?", $0["alive"] as? Bool == true, $0["voter"] as? Bool == true)
        }
    }

    /// `HOST:PORT` of the answering node.
    var address: String { Self.address(of: life) }

    /// `HOST:PORT` of a life.
    static func address(of life: String) -> String { String(life.split(separator: "@").first ?? "") }

    /// One line for a failure message.
    var summary: String {
        let listed = members.map { "\($0.address)\($0.alive ? "" : " dead")\($0.voter ? " voter" : "")" }
        let counted = Self.telling.compactMap { name in counters[name].map { "\(name) \($0)" } }
        return "\(life) \(role) term \(term) leader \(leader ?? "none") members [\(listed.joined(separator: ", "))]"
            + " counters [\(counted.joined(separator: ", "))]"
    }
}

extension ElectionView {
    /// Runs `ensemble ARGS` (a `status --json`, `arguments(key)`) for every key at once, through
    /// `launcher` when given: one sample of the convention as each node sees it, with what each
    /// node that did not answer said instead (for failure messages).
    static func sample<Key: Hashable>(
        _ keys: [Key], launcher: [String] = [], timeout: Int = 3, arguments: (Key) -> [String]
    ) -> (views: [Key: ElectionView], unanswered: [Key: String]) {
        let running = keys.map { key in (key, Result { try CLIRunner.start(arguments(key), launcher: launcher) }) }
        var views: [Key: ElectionView] = [:], unanswered: [Key: String] = [:]
        for (key, process) in running {
            let result: CLIResult
            switch process {
            case .success(let running): result = running.wait(timeout: Double(timeout) + 10)
            case .failure(let error):
                unanswered[key] = "not started: \(error)"
                continue
            }
            guard result.status == 0,
                let status = (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))) as? [String: Any],
                let view = ElectionView(status)
            else {
                let said = result.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
                unanswered[key] = "exit \(result.status)\(result.timedOut ? " (timed out)" : ""): \(said.isEmpty ? result.stdout : said)"
                continue
            }
            views[key] = view
        }
        return (views, unanswered)
    }
}
