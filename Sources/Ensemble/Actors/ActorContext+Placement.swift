extension ActorContext {
    /// Creates an actor of `type` where `hint` says (nil: wherever its requirements are met);
    /// this actor is its parent.
    ///
    /// The hint is honoured when the type's requirements allow it: a preferred node must be
    /// this node or a live member of its view that meets them; a preferred capability must be
    /// had, with the requirements, by this node or a member. Otherwise the creation is refused
    /// (it never goes elsewhere). With a `globalName` that an actor already holds, that actor
    /// is returned wherever it is. A child of a type that asks to be replaced when lost
    /// (`EnsembleActor.replaceOnLoss`) is re-created wherever its requirements are met: the
    /// hint held at its creation only.
    /// - Throws: `PlacementError` naming the hint when it cannot be honoured, or when no node
    ///   satisfies the requirements; `EnsembleError.refused` for a malformed hint (an empty capability).
    public func createActor(
        _ type: any EnsembleActor.Type, globalName: String? = nil, hint: PlacementHint?
    ) async throws -> ActorAddress {
        try await core.createActor(typeName: type.typeName, globalName: globalName, parent: cell, hint: hint)
    }
}
