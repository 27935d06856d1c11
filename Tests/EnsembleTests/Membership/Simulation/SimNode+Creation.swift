@testable import Ensemble

/// A creation under way: `NodeCore.findOrCreate`, its awaits turned into stages.
struct SimCreation: Sendable {
    enum Stage: Sendable {
        /// The name claim is with the leader.
        case claiming
        /// A `create` is with the first of these candidates (the rest are next).
        case placing([NodeID])
        /// The registration of the actor created is with the leader.
        case registering(ActorAddress)
    }

    var type: SimActorType
    var name: String?
    var stage: Stage
    /// The leader granted the name (a failed placement abandons it).
    var granted = false
    /// Created while the leader is away (`createWithoutLeader`): the name is noted locally.
    var withoutLeader = false
}

/// Actors, names and capabilities: NodeCore's side of the shell.
extension SimNode {
    /// The named actors this node hosts now.
    var namedActors: [NamedActor] {
        actors.values.sorted { $0.address.id < $1.address.id }.compactMap { actor in
            actor.name.map { NamedActor(name: $0, address: actor.address, bornMs: actor.bornMs) }
        }
    }

    private var leaderSystemAddress: ActorAddress { .system(NodeID(address: plane.leaderAddress, incarnation: 0)) }

    /// A client asks this node for an actor of `type`, under `name` if given (`findOrCreate`).
    /// A node not yet joined gives up at once (NodeCore waits up to a request timeout first).
    mutating func startCreation(_ type: SimActorType, name: String?) {
        guard joined, !isOver else { return }
        let id = nextCreation
        nextCreation += 1
        creations[id] = SimCreation(type: type, name: name, stage: .claiming)
        note("creation \(id): \(type.rawValue) \(name ?? "-") (leader reachable: \(leaderReachable))")
        guard let name else { return place(id) }
        guard leaderReachable else { return createWithoutLeader(id) }
        let request = makeID()
        pending[request] = SimPending(creation: id, destination: NodeID(address: plane.leaderAddress, incarnation: 0),
                                      deadline: now + Self.requestTimeout * 4)
        emitRequest(.claimName(name), to: leaderSystemAddress, correlationID: request)
    }

    /// The leader away: a name resolves in this node's view, or an actor is created here and noted.
    private mutating func createWithoutLeader(_ id: Int) {
        guard let name = creations[id]?.name else { return }
        if let address = coreView?.names[name], coreView?.member(address.node) != nil {
            creations[id] = nil
            return
        }
        if localActor(named: name) != nil {
            creations[id] = nil
            return
        }
        creations[id]!.withoutLeader = true
        place(id)
    }

    /// `NodeCore.place`: local first, else the candidates `Placement` names, in order.
    private mutating func place(_ id: Int) {
        guard let creation = creations[id] else { return }
        let view = coreView ?? MembershipView(leader: MemberInfo(node: life, capabilities: capabilities))
        let decision = Placement.decide(
            typeName: creation.type.rawValue, requirement: creation.type.requirements, local: life,
            localCapabilities: capabilities, view: view)
        switch decision {
        case .local:
            placed(id, at: spawn(creation.type, name: creation.name, creator: life))
        case .remote(let candidates):
            askToCreate(id, candidates)
        case .impossible:
            failed(creation: id, unreachable: false)
        }
    }

    private mutating func askToCreate(_ id: Int, _ candidates: [NodeID]) {
        guard let creation = creations[id], let candidate = candidates.first else { return failed(creation: id, unreachable: false) }
        creations[id]!.stage = .placing(candidates)
        let request = makeID()
        pending[request] = SimPending(creation: id, destination: candidate, deadline: now + Self.requestTimeout)
        let create = CreateRequest(
            typeName: creation.type.rawValue, parent: nil, globalName: creation.name, nameUnsettled: creation.withoutLeader)
        emitRequest(.create(create), to: .system(candidate), correlationID: request)
    }

    /// The actor exists at `address`: a granted name is registered; one made without the leader is noted.
    private mutating func placed(_ id: Int, at address: ActorAddress) {
        guard let creation = creations[id] else { return }
        guard let name = creation.name, creation.granted || creation.withoutLeader else {
            creations[id] = nil
            return
        }
        if creation.withoutLeader {
            creations[id] = nil
            return noteLocalName(name, address)
        }
        let bornMs = (address.node == life ? actors[address.id]?.bornMs : nil) ?? wallMs(at: bootAt + now)
        creations[id]!.stage = .registering(address)
        let request = makeID()
        pending[request] = SimPending(creation: id, destination: NodeID(address: plane.leaderAddress, incarnation: 0),
                                      deadline: now + Self.requestTimeout)
        emitRequest(.registerName(name, address, bornMs: bornMs), to: leaderSystemAddress, correlationID: request)
    }

    /// An answer to a request of the runtime (`PendingReplies.resolve`: only from the node asked).
    mutating func resolve(_ id: UInt64, _ control: ControlReply, from source: NodeID) {
        guard let request = pending[id], source.address == request.destination.address,
            request.destination.incarnation == 0 || request.destination.incarnation == source.incarnation
        else { return }
        pending[id] = nil
        let cid = request.creation
        guard let creation = creations[cid] else { return }
        note("creation \(cid): \(control) from \(source)")
        switch creation.stage {
        case .claiming:
            guard case .nameClaim(.granted, let term) = control, let name = creation.name else {
                creations[cid] = nil  // the name's actor exists, or the claim was refused
                return
            }
            // A grant of a term the convention has left is never used: its leader may not lead.
            let followed = plane.election.term
            guard term >= followed else {
                creations[cid] = nil
                return
            }
            events.append(.grantUsed(name: name, term: term, granter: source, followed: followed))
            creations[cid]!.granted = true
            place(cid)
        case .placing(let candidates):
            if case .created(let address, _) = control { return placed(cid, at: address) }
            askToCreate(cid, Array(candidates.dropFirst()))
        case .registering(let address):
            creations[cid] = nil
            guard case .nameClaim(.existing(let winner), _) = control, winner != address else { return }
            stopLoser(address)
        }
    }

    /// A request of creation `id` failed: unanswered in time, or its node lost.
    mutating func failed(creation id: Int, unreachable: Bool) {
        guard let creation = creations[id] else { return }
        note("creation \(id): failed at \(creation.stage)\(unreachable ? ", unreachable" : "")")
        switch creation.stage {
        case .claiming where creation.name != nil && !creation.granted && !creation.withoutLeader:
            createWithoutLeader(id)
        case .placing(let candidates) where candidates.count > 1:
            askToCreate(id, Array(candidates.dropFirst()))
        default:
            creations[id] = nil
            if case .registering(let address) = creation.stage, let name = creation.name {
                // As NodeCore: an actor here is announced to the leader, one placed elsewhere stopped.
                guard address.node == life else { return stopLoser(address) }
                return noteLocalName(name, address)
            }
            if creation.granted, let name = creation.name { emitRequest(.abandonName(name), to: leaderSystemAddress) }
        }
    }

    /// `IOCommand.noteLocalName`: a leader judges the name itself; a member notes it and, welcomed,
    /// announces it in a JOIN.
    private mutating func noteLocalName(_ name: String, _ address: ActorAddress) {
        note("noted \(name) at \(address) without the leader's word")
        if plane.leader != nil {
            let bornMs = actors[address.id]?.bornMs ?? 0
            return apply(plane.leader!.adoptOwn(NamedActor(name: name, address: address, bornMs: bornMs)))
        }
        guard plane.member != nil else { return }
        plane.member!.noteLocalName(name, address)
        viewChanged(to: plane.view)
    }

    /// Requests unanswered past their deadline fail.
    mutating func expirePending() {
        guard !pending.isEmpty else { return }
        for (id, request) in pending.sorted(by: { $0.key < $1.key }) where now >= request.deadline {
            pending[id] = nil
            failed(creation: request.creation, unreachable: false)
        }
    }

    /// The actor that lost its name stops: here, or on its node (an `ActorExitRequest` from this runtime).
    private mutating func stopLoser(_ address: ActorAddress) {
        if address.node == life { return stopActor(address.id) }
        outbox.append(SimMessage(from: life, recipient: address.node, payload: .exit(address), deliverAt: .zero, serial: 0))
    }

    // MARK: Actors

    /// Another node asks this one to host an actor: capabilities are checked again first.
    func acceptCreateAnswer(_ request: CreateRequest) -> ControlReply? {
        guard let type = SimActorType(rawValue: request.typeName) else { return .refused("does not know \(request.typeName)") }
        guard capabilities.satisfies(type.requirements) else { return .refused("lacks \(type.requirements)") }
        return nil
    }

    mutating func acceptCreate(_ request: CreateRequest, creator: NodeID) -> ControlReply {
        if let refusal = acceptCreateAnswer(request) { return refusal }
        let address = spawn(SimActorType(rawValue: request.typeName)!, name: request.globalName, creator: creator)
        // NodeIO: only a host may bring its actor's name to the leader.
        if request.nameUnsettled, let name = request.globalName { noteLocalName(name, address) }
        return .created(address, load: actors.count)
    }

    /// `NodeCore.localActor(named:)`.
    func localActor(named name: String) -> ActorAddress? {
        actors.values.first { $0.name == name }?.address
    }

    /// `NodeCore.spawn`: a name a live actor here holds gives that actor.
    private mutating func spawn(_ type: SimActorType, name: String?, creator: NodeID) -> ActorAddress {
        if let name, let holder = localActor(named: name) { return holder }
        let address = ActorAddress(node: life, id: nextActorID)
        nextActorID += 1
        note("spawned \(type.rawValue) \(address) \(name ?? "-") for \(creator)")
        actors[address.id] = SimActor(address: address, type: type, name: name, bornMs: wallMs(at: bootAt + now), creator: creator)
        return address
    }

    /// An actor ends: its name is released at the leader.
    mutating func stopActor(_ id: UInt64) {
        guard let actor = actors.removeValue(forKey: id) else { return }
        note("stopped \(actor.address) \(actor.name ?? "-")")
        if let name = actor.name { emitRequest(.releaseName(name, actor.address), to: leaderSystemAddress) }
    }

    /// Named actors whose name maps to another actor stop.
    mutating func stopActorsThatLostTheirNames(_ names: [String: ActorAddress]) {
        for actor in actors.values.sorted(by: { $0.address.id < $1.address.id }) {
            guard let name = actor.name, let holder = names[name], holder != actor.address else { continue }
            stopActor(actor.address.id)
        }
    }

    /// A client adds or removes a capability: actors that no longer fit stop, and the leader hears of it.
    mutating func changeCapability(add: Bool, name: String) {
        guard !isOver else { return }
        var current = capabilities
        if add { current.insert(name) } else if !current.remove(name) { return }
        capabilities = current
        for actor in actors.values.sorted(by: { $0.address.id < $1.address.id }) where !current.satisfies(actor.type.requirements) {
            stopActor(actor.address.id)
        }
        if plane.leader != nil {
            apply(plane.leader!.capabilities(life, current, now: now))
        } else if let leader = welcomedLeader {
            emitRequest(.capabilitiesChanged(life, current), to: .system(leader))
        }
    }
}
