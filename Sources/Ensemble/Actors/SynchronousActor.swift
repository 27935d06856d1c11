/// An actor type whose handler never suspends: the runtime calls `receiveNow` as a plain
/// function call.
///
/// Every call of an asynchronous handler is an asynchronous call: Swift's runtime takes a
/// frame from the task's allocator and, on the way in and out, looks up the task's preferred
/// executor under the task's lock, about 700 instructions a message (a seventh of the work
/// of receiving a tell from another node). A handler that only counts, routes, keeps books
/// or sends (`ActorContext.send`, `reply`, timers) needs none of it. One that must await
/// (`createActor`, a client's `ask`) stays an `EnsembleActor` with `receive`, or, when it
/// awaits only now and then, declines those messages in `handlesNow`: the runtime calls its
/// `receive` for them.
///
/// Everything else is as for any actor: one message at a time, the same dispatch, a thrown
/// error restarts the instance under the supervisor.
public protocol SynchronousActor: EnsembleActor {
    /// Handles one message; a thrown error makes the supervisor restart the actor.
    func receiveNow(_ message: any Message, from sender: ActorAddress, context: ActorContext) throws

    /// Whether `receiveNow` takes `message` (all messages unless a type says otherwise); the
    /// runtime hands one it declines to `receive`, which may await. Asked just before the
    /// message is handled, so the answer may depend on the actor's state.
    func handlesNow(_ message: any Message, from sender: ActorAddress) -> Bool
}

extension SynchronousActor {
    /// Calls `receiveNow` (the runtime calls it directly); a type that declines messages in
    /// `handlesNow` implements this for them.
    public func receive(_ message: any Message, from sender: ActorAddress, context: ActorContext) async throws {
        try receiveNow(message, from: sender, context: context)
    }

    /// Every message: `receiveNow` handles them all.
    public func handlesNow(_ message: any Message, from sender: ActorAddress) -> Bool { true }
}
