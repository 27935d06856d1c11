extension EnsembleClient {
    /// The CurveZMQ keys for reaching `node`: the server key from `leader.pub` or
    /// `nodes/`, else from the member list of the leader's view (asked over a
    /// connection authenticated with `leader.pub`, so the answer can be trusted).
    /// - Throws: `EnsembleError.refused` or `.unreachable` when the key cannot be learnt.
    public static func curveKeys(
        for node: NodeAddress, credentials: CurveCredentials, leader: NodeAddress, timeout: Duration
    ) async throws -> CurveClientKeys {
        if let known = credentials.knownServerKey(for: node, leader: leader) {
            return CurveClientKeys(keyPair: credentials.keyPair, serverKey: known)
        }
        guard let leaderKey = credentials.leaderKey else {
            throw EnsembleError.refused("no public key for \(node): the key directory has neither leader.pub nor nodes/\(node).pub")
        }
        let client = try EnsembleClient(gateway: leader, curve: CurveClientKeys(keyPair: credentials.keyPair, serverKey: leaderKey))
        let answer: Control
        do {
            try await client.connect(timeout: timeout)
            answer = try await client.request(.describeView, timeout: timeout)
        } catch {
            await client.close()
            throw EnsembleError.refused(
                "no public key for \(node): the leader \(leader) cannot tell it (\(error)) and there is no nodes/\(node).pub")
        }
        await client.close()
        guard case .viewDescription(let snapshot?) = answer,
            let key = snapshot.members.first(where: { $0.node.address == node })?.publicKey
        else {
            throw EnsembleError.refused("no public key for \(node): the leader \(leader) does not list it as a member")
        }
        return CurveClientKeys(keyPair: credentials.keyPair, serverKey: key)
    }
}
