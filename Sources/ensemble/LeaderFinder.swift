import Ensemble
import NodeLauncher

/// Finds the convention's current leader from the client side: asks candidate nodes, in
/// order, for their view (`describeView`) and takes the leader of the first view there is.
/// Any member's view names the leader it follows, so the leader is found while the node at
/// the `--leader` address is gone, or no longer leads; no wire change is needed.
///
/// Each candidate has a short time (a refused connection is given up on at once, one that
/// connects and does not answer after about a second), and the search as a whole a bound.
struct LeaderFinder {
    /// What the search learnt.
    struct Found {
        /// The current leader's address, as the first view named it.
        let leader: NodeAddress
        /// The node that answered with that view (it answered; the leader may not).
        let source: NodeAddress
        /// That node's view.
        let view: ViewSnapshot

        /// The members' CurveZMQ public keys as the view lists them. Trusted: a view is
        /// asked over CurveZMQ only of a node whose key the key directory holds.
        var memberKeys: [NodeAddress: CurveKey] {
            var keys: [NodeAddress: CurveKey] = [:]
            for member in view.members { if let key = member.publicKey { keys[member.node.address] = key } }
            return keys
        }
    }

    /// The nodes to ask, in order.
    let candidates: [NodeAddress]
    /// Where the last view is recorded when one is learnt.
    let state: StateDirectory
    /// The keys in force; nil in plain text. Over CurveZMQ only candidates whose key the key
    /// directory holds (`leader.pub` for the configured leader, `nodes/`) can be asked.
    let credentials: CurveCredentials?
    /// The configured leader address, which `leader.pub` is the key of.
    let configuredLeader: NodeAddress
    /// The time for the whole search.
    let budget: Duration

    /// A finder for `convention`'s candidates (`LeaderCandidates`), without those in `skipping`.
    /// - Throws: `CommandFailure` when the CurveZMQ keys in force are unusable.
    init(convention: ConventionOptions, budget: Duration, skipping: Set<NodeAddress> = []) throws {
        state = convention.stateDirectory
        candidates = LeaderCandidates.ordered(leaders: convention.leaderAddresses, state: state)
            .filter { !skipping.contains($0) }
        credentials = try convention.curveCredentials(role: .client)
        configuredLeader = convention.leaderAddress
        self.budget = budget
    }

    /// The leader of the first view a candidate answers with, recorded as the state
    /// directory's last view; nil when no candidate has one within the budget, or one refuses
    /// the connection (CurveZMQ: a key it does not take, or none): the others would too, and
    /// the caller's own try says why.
    func find() async -> Found? {
        let deadline = ContinuousClock.now + budget
        for (index, candidate) in candidates.enumerated() {
            let left = deadline - .now
            guard left > .zero else { break }
            // As `app` connects: the first a little longer, for a leader far away.
            let connect = min(left, index == 0 ? .seconds(2) : .seconds(1))
            let view: ViewSnapshot
            switch await ask(candidate, connectTimeout: connect, answerTimeout: min(left, .seconds(1))) {
            case .view(let snapshot): view = snapshot
            case .nothing: continue
            case .refused: return nil
            }
            state.recordLastView(LastView(leader: view.leader.address, members: view.members.map(\.node.address)))
            return Found(leader: view.leader.address, source: candidate, view: view)
        }
        return nil
    }

    /// What a candidate said.
    private enum Answer {
        /// Its view.
        case view(ViewSnapshot)
        /// Nothing to go on: it cannot be asked (no key for it), does not answer in time, or has
        /// no view (it has not been welcomed).
        case nothing
        /// It refused the connection.
        case refused
    }

    /// Asks `node` for its view.
    private func ask(_ node: NodeAddress, connectTimeout: Duration, answerTimeout: Duration) async -> Answer {
        // A client that fails over, to one gateway: unlike a plain one, it gives up on a
        // refused connection at once instead of retrying until the timeout.
        var settings = GatewayFailover()
        settings.learnsMembers = false
        settings.connectTimeout = connectTimeout
        let client: EnsembleClient
        do {
            if let credentials {
                guard let key = credentials.knownServerKey(for: node, leader: configuredLeader) else { return .nothing }
                client = try EnsembleClient(
                    gateways: [node], curve: credentials.keyPair, serverKeys: [node: key], failover: settings)
            } else {
                client = try EnsembleClient(gateways: [node], failover: settings)
            }
        } catch {
            return .nothing
        }
        let answer: Answer
        do {
            try await client.connect(timeout: connectTimeout)
            let reply = try await client.request(.describeView, timeout: answerTimeout)
            if case .viewDescription(let snapshot?) = reply { answer = .view(snapshot) } else { answer = .nothing }
        } catch EnsembleError.refused {
            answer = .refused
        } catch {
            answer = .nothing
        }
        await client.close()
        return answer
    }
}

extension ConventionOptions {
    /// The CurveZMQ keys for reaching each of `targets`: the key directory's, else `learnt`
    /// (from a view `LeaderFinder` asked), else from the configured leader's view; for those
    /// the configured leader cannot tell (it is gone, say), from the view of the first other
    /// candidate the key directory has a key for. A key not learnt keeps the leader's reason.
    func curveKeys(
        for targets: [NodeAddress], credentials: CurveCredentials, learnt: [NodeAddress: CurveKey] = [:], timeout: Duration
    ) async -> [NodeAddress: Result<CurveClientKeys, EnsembleError>] {
        var keys: [NodeAddress: Result<CurveClientKeys, EnsembleError>] = [:]
        var unknown: [NodeAddress] = []
        for target in targets {
            if credentials.knownServerKey(for: target, leader: leaderAddress) == nil, let key = learnt[target] {
                keys[target] = .success(CurveClientKeys(keyPair: credentials.keyPair, serverKey: key))
            } else {
                unknown.append(target)
            }
        }
        guard !unknown.isEmpty else { return keys }
        keys.merge(await EnsembleClient.curveKeys(for: unknown, credentials: credentials, leader: leaderAddress, timeout: timeout)) { $1 }
        let missing = unknown.filter { target in
            if case .success? = keys[target] { return false }
            return true
        }
        guard !missing.isEmpty,
            let finder = try? LeaderFinder(convention: self, budget: .seconds(3), skipping: [leaderAddress]),
            let found = await finder.find()
        else { return keys }
        let viewKeys = found.memberKeys
        for target in missing {
            if let key = viewKeys[target] { keys[target] = .success(CurveClientKeys(keyPair: credentials.keyPair, serverKey: key)) }
        }
        return keys
    }

    /// The node `stop` and `status` mean when none is named: the current leader as the first
    /// candidate's view names it (`LeaderFinder`), with what was learnt; nil when no candidate
    /// answers with a view (the command then does what it did before leaders were looked for).
    /// - Throws: `CommandFailure` when the CurveZMQ keys in force are unusable.
    func findLeader(budget: Duration = .seconds(4)) async throws -> LeaderFinder.Found? {
        try await LeaderFinder(convention: self, budget: budget).find()
    }

    /// The nodes to ask for the convention's status, in order, and the keys learnt on the way:
    /// the current leader, then the node whose view named it (in case the leader is gone while
    /// its members still follow it); the `--leader` entries when no candidate has a view.
    /// - Throws: `CommandFailure` when the CurveZMQ keys in force are unusable.
    func statusTargets(budget: Duration) async throws -> ([NodeAddress], learnt: [NodeAddress: CurveKey]) {
        guard let found = try await findLeader(budget: budget) else { return (leaderAddresses, [:]) }
        return (found.source == found.leader ? [found.leader] : [found.leader, found.source], found.memberKeys)
    }
}
