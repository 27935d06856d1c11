extension EnsembleClient {
    /// Creates an actor of a type registered on the nodes, through the gateway, where `hint`
    /// says: on a given member, or on a node with a given capability besides the type's
    /// requirements (nil: wherever the requirements are met, as `createActor(typeName:globalName:timeout:)`).
    ///
    /// The gateway honours the hint when the type's requirements allow it, and refuses the
    /// creation otherwise, saying why and naming the hint (it never places the actor elsewhere).
    /// With a `globalName` that an actor already holds, that actor is returned wherever it is.
    /// A gateway of a build without hints ignores the hint: the address returned names the
    /// node the actor is on.
    /// - Throws: `EnsembleError.refused` for a malformed hint (an empty capability, port 0),
    ///   before anything is sent; `PlacementError` (naming the hint) when the gateway cannot
    ///   honour the hint or place the actor; `EnsembleError.remote` for another refusal.
    public func createActor(
        typeName: String, globalName: String? = nil, on hint: PlacementHint?, timeout: Duration
    ) async throws -> ActorAddress {
        if let problem = hint?.problem { throw EnsembleError.refused("bad placement hint: \(problem)") }
        let gateway = self.gateway
        switch try await request(.createActor(typeName: typeName, globalName: globalName, hint: hint?.normalized), timeout: timeout) {
        case .created(let address, _): return address
        case .placementFailed(let error): throw error
        case .refused(let why): throw EnsembleError.remote(why)
        default: throw EnsembleError.remote("unexpected answer from \(gateway)")
        }
    }
}
