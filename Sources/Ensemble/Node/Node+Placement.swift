extension Node {
    /// Creates an actor from outside any actor (no parent) where `hint` says (nil: wherever
    /// its requirements are met): honoured when the type's requirements allow it, refused
    /// otherwise, as `ActorContext.createActor(_:globalName:hint:)` says.
    /// - Throws: `PlacementError` naming the hint when it cannot be honoured, or when no node
    ///   satisfies the requirements; `EnsembleError.refused` for a malformed hint (an empty capability).
    public func createActor(
        _ type: any EnsembleActor.Type, globalName: String? = nil, hint: PlacementHint?
    ) async throws -> ActorAddress {
        try await core.createActor(typeName: type.typeName, globalName: globalName, parent: nil, hint: hint)
    }
}
