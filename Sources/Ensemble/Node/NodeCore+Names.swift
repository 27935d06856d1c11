extension NodeCore {
    /// `createActor`, saying whether an actor was created (not the one a global name already had).
    /// `hint` is a preference at creation only: a global name that exists gives its actor wherever it is.
    func findOrCreate(
        typeName: String, globalName: String?, parent: ActorCell?, hint: PlacementHint? = nil
    ) async throws -> (address: ActorAddress, created: Bool) {
        guard let type = actorTypes[typeName] else {
            throw EnsembleError.unknownActorType(typeName, node: nodeID.address.description)
        }
        if let problem = hint?.problem { throw EnsembleError.refused("bad placement hint: \(problem)") }
        // A node still joining (a restarted one the leader puts off while its old life is declared
        // down) is no member yet: the leader and members drop what it asks. It waits to be let in.
        if joined.value == nil { _ = await joined.wait(timeout: configuration.requestTimeout) }
        guard let name = globalName else {
            return (try await place(type, parent: parent, globalName: nil, hint: hint), true)
        }
        // A claim may wait behind another node's creation, which can take a few request timeouts.
        guard leaderReachable else { return try await createWithoutLeader(type, globalName: name, parent: parent, hint: hint) }
        let claim: ControlReply
        do {
            claim = try await request(.claimName(name), to: leaderSystemAddress, timeout: configuration.requestTimeout * 4)
        } catch EnsembleError.timeout, EnsembleError.unreachable {
            return try await createWithoutLeader(type, globalName: name, parent: parent, hint: hint)
        }
        switch claim {
        case .nameClaim(.existing(let address), _):
            return (address, false)
        case .nameClaim(.granted, let term):
            // A grant of a term the convention has left is never used: its leader may not lead.
            let current = leadership.term
            guard term >= current else {
                throw EnsembleError.remote("the name \"\(name)\" was granted in term \(term), and the convention is in term \(current): ask again")
            }
        case .refused(let why):
            throw EnsembleError.remote(why)
        default:
            throw EnsembleError.remote("unexpected answer to a name claim")
        }
        let address: ActorAddress
        do {
            address = try await place(type, parent: parent, globalName: name, hint: hint)
        } catch {
            sendControl(.abandonName(name), to: leaderSystemAddress)
            throw error
        }
        let bornMs = (address.node == nodeID ? cell(address.id)?.bornMs : nil) ?? wallClockMilliseconds()
        let registered: ControlReply
        do {
            registered = try await request(.registerName(name, address, bornMs: bornMs), to: leaderSystemAddress)
        } catch EnsembleError.timeout, EnsembleError.unreachable {
            // Unanswered: the leader may never have registered it. An actor here is announced to the
            // leader (which judges it against any other holder); one placed elsewhere is stopped.
            guard address.node == nodeID else {
                tell(ActorExitRequest(), to: address, from: systemAddress, correlationID: 0)
                throw EnsembleError.remote("the registration of \"\(name)\" went unanswered: ask again")
            }
            _ = io.submit(.noteLocalName(name, address))
            return (address, true)
        }
        switch registered {
        case .nameClaim(.existing(let winner), _):
            if winner != address {
                tell(ActorExitRequest(), to: address, from: systemAddress, correlationID: 0)
            }
            return (winner, winner == address)
        default:
            throw EnsembleError.remote("unexpected answer to a name registration")
        }
    }

    /// With the leader away, a global name resolves in this node's view; a name
    /// no live actor holds is created here and brought to the leader when it returns.
    private func createWithoutLeader(
        _ type: any EnsembleActor.Type, globalName name: String, parent: ActorCell?, hint: PlacementHint?
    ) async throws -> (address: ActorAddress, created: Bool) {
        if let address = view?.names[name], view?.member(address.node) != nil { return (address, false) }
        if let here = localActor(named: name) { return (here, false) }
        counters.add("namesCreatedWithoutLeader")
        let address = try await place(type, parent: parent, globalName: name, nameUnsettled: true, hint: hint)
        io.submit(.noteLocalName(name, address))
        return (address, true)
    }
}
