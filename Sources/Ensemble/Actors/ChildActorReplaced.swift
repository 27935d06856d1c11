/// Tells a parent that the runtime re-created one of its children elsewhere.
///
/// Sent instead of `ChildActorExited` for a child whose type asks for it
/// (`EnsembleActor.replaceOnLoss`) when its node died, left or lost a capability
/// the child requires, and another node could take it. Only the parent's own node
/// sends it: from the network it is refused.
public struct ChildActorReplaced: Message {
    /// The child that was lost.
    public var child: ActorAddress
    /// The new actor, holding the child's global name if it had one.
    public var replacement: ActorAddress
    /// Why the child was lost.
    public var reason: ExitReason
    /// Creates the notice.
    public init(child: ActorAddress, replacement: ActorAddress, reason: ExitReason) {
        self.child = child
        self.replacement = replacement
        self.reason = reason
    }
}
