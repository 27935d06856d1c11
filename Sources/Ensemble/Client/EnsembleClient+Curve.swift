extension EnsembleClient {
    /// The CurveZMQ keys for reaching `node`: the server key from `leader.pub` or
    /// `nodes/`, else from the member list of the leader's view (asked over a
    /// connection authenticated with `leader.pub`, so the answer can be trusted).
    /// - Throws: `EnsembleError.refused` when the key cannot be learnt.
    public static func curveKeys(
        for node: NodeAddress, credentials: CurveCredentials, leader: NodeAddress, timeout: Duration
    ) async throws -> CurveClientKeys {
        let keys = await curveKeys(for: [node], credentials: credentials, leader: leader, timeout: timeout)
        return try keys[node, default: .failure(.refused("no public key for \(node)"))].get()
    }

    /// `curveKeys(for:credentials:leader:timeout:)` for several nodes, asking the leader
    /// at most once for those whose keys the key directory does not hold.
    public static func curveKeys(
        for nodes: [NodeAddress], credentials: CurveCredentials, leader: NodeAddress, timeout: Duration
    ) async -> [NodeAddress: Result<CurveClientKeys, EnsembleError>] {
        var keys: [NodeAddress: Result<CurveClientKeys, EnsembleError>] = [:]
        var unknown: [NodeAddress] = []
        for node in nodes {
            if let known = credentials.knownServerKey(for: node, leader: leader) {
                keys[node] = .success(CurveClientKeys(keyPair: credentials.keyPair, serverKey: known))
            } else {
                unknown.append(node)
            }
        }
        guard !unknown.isEmpty else { return keys }
        guard let leaderKey = credentials.leaderKey else {
            for node in unknown {
                keys[node] = .failure(.refused(
                    "no public key for \(node): the key directory has neither leader.pub nor nodes/\(node).pub"))
            }
            return keys
        }
        let members: [NodeAddress: CurveKey]
        do {
            members = try await memberKeys(from: leader, keys: CurveClientKeys(keyPair: credentials.keyPair, serverKey: leaderKey),
                                           timeout: timeout)
        } catch {
            for node in unknown {
                keys[node] = .failure(.refused(
                    "no public key for \(node): the leader \(leader) cannot tell it (\(error)) and there is no nodes/\(node).pub"))
            }
            return keys
        }
        for node in unknown {
            if let key = members[node] {
                keys[node] = .success(CurveClientKeys(keyPair: credentials.keyPair, serverKey: key))
            } else {
                keys[node] = .failure(.refused("no public key for \(node): the leader \(leader) does not list it as a member"))
            }
        }
        return keys
    }

    /// The public keys of the members in the leader's view.
    private static func memberKeys(
        from leader: NodeAddress, keys: CurveClientKeys, timeout: Duration
    ) async throws -> [NodeAddress: CurveKey] {
        let client = try EnsembleClient(gateway: leader, curve: keys)
        let answer: ControlReply
        do {
            try await client.connect(timeout: timeout)
            answer = try await client.request(.describeView, timeout: timeout)
        } catch {
            await client.close()
            throw error
        }
        await client.close()
        guard case .viewDescription(let snapshot?) = answer else { return [:] }
        var members: [NodeAddress: CurveKey] = [:]
        for member in snapshot.members { if let key = member.publicKey { members[member.node.address] = key } }
        return members
    }
}
