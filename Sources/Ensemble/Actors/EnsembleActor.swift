/// An actor type Ensemble can place and run.
///
/// Each instance runs in its own task and handles one message at a time: a
/// handler is awaited to its end before the next message starts, so instance
/// state needs no locks. (Swift's own `actor`s interleave at every `await`,
/// which is why this is a class protocol instead.)
public protocol EnsembleActor: AnyObject, SendableMetatype {
    /// The stable name the type is registered under on every node. Defaults to the
    /// Swift type name, derived at each use; spell it out for types used on a hot path.
    static var typeName: String { get }
    /// The capabilities a node needs to host this type.
    static var requirements: Capabilities { get }
    /// Whether the runtime re-creates the actor on another node that meets its
    /// requirements when its node dies, leaves or loses one of them (default false).
    ///
    /// The parent's node does it: it creates the new actor with the same parent and
    /// global name, and the parent gets `ChildActorReplaced` instead of
    /// `ChildActorExited`. When no node can take it, the parent gets the
    /// `ChildActorExited` it would have had. State does not move: the new actor
    /// starts fresh. An actor without a parent (one a client created) is not
    /// re-created this way; asking for its global name again creates it.
    static var replaceOnLoss: Bool { get }
    /// Which thread runs the type's handlers (default `.actorThreads`). See `ActorDispatch`.
    static var dispatch: ActorDispatch { get }
    /// Creates a fresh instance (also used by the supervisor to restart one).
    init()
    /// Handles one message; a thrown error makes the supervisor restart the actor.
    func receive(_ message: any Message, from sender: ActorAddress, context: ActorContext) async throws
    /// The message types the type brings to a registration (`EnsembleTypes`): a `TypedActor`'s
    /// `Input`; none by default.
    static var registeredMessages: [any Message.Type] { get }
}

extension EnsembleActor {
    public static var registeredMessages: [any Message.Type] { [] }
    public static var typeName: String { String(describing: Self.self) }
    public static var requirements: Capabilities { .none }
    public static var replaceOnLoss: Bool { false }
    public static var dispatch: ActorDispatch { .actorThreads }
}

/// Which thread of its node runs an actor type's handlers.
public enum ActorDispatch: Sendable, Equatable {
    /// The default: mail the node's I/O thread reads (or that a handler there sends) is handled
    /// on that thread, in the turn that read it, with no hand-off between threads; mail sent
    /// from the actor threads is handled there. A handler that computes or blocks on the I/O
    /// thread for over 2 ms does not stall its node: a standby thread takes the node's sockets
    /// over, and the actor moves to the actor threads for the rest of its life
    /// (`ioThreadHandovers` in `status` counts the takeovers).
    case actorThreads
    /// Always the node's I/O thread, mail from the actor threads included: for handlers that
    /// only route, count or keep books. A handler that runs long is taken over from as above,
    /// each time, and the actor stays.
    case ioThread
}

/// What a running actor can do: know itself, send, create, set timers, exit.
public struct ActorContext: Sendable {
    let core: NodeCore
    let cell: ActorCell
    /// The correlation id of the message being handled; the actor loop sets it in the one
    /// context it makes for a batch.
    var correlationID: UInt64

    /// The actor's own address.
    public var myAddress: ActorAddress { cell.address }
    /// The actor that created this one, if any.
    public var parent: ActorAddress? { cell.parent }
    /// The global name the actor holds, if any.
    public var globalName: String? { cell.globalName }
    /// The capabilities of the node the actor runs on.
    public var nodeCapabilities: Capabilities { core.capabilities }

    /// Sends `message` to `recipient` (fire and forget).
    public func send<M: Message>(_ message: M, to recipient: ActorAddress) {
        core.tell(message, to: recipient, from: cell.address, correlationID: 0)
    }

    /// Sends `message` to `recipient` as the answer to the message being handled,
    /// so a client's `ask` can match it.
    public func reply<M: Message>(_ message: M, to recipient: ActorAddress) {
        core.tell(message, to: recipient, from: cell.address, correlationID: correlationID)
    }

    /// Creates an actor of `type` where its requirements are met; this actor is its parent.
    ///
    /// With a `globalName`, returns the live actor holding that name in the
    /// whole convention, creating it only if there is none.
    /// - Throws: `PlacementError` when no node satisfies the requirements.
    public func createActor(_ type: any EnsembleActor.Type, globalName: String? = nil) async throws -> ActorAddress {
        try await core.createActor(typeName: type.typeName, globalName: globalName, parent: cell)
    }

    /// Creates an actor of a typed actor type where its requirements are met; this actor is its parent.
    /// - Throws: `PlacementError` when no node satisfies the requirements.
    public func createActor<A: TypedActor>(_ type: A.Type, globalName: String? = nil) async throws -> ActorRef<A.Input> {
        ActorRef(try await core.createActor(typeName: A.typeName, globalName: globalName, parent: cell))
    }

    /// Sends `message` to `actor` (fire and forget).
    public func send<Input: Message>(_ message: Input, to actor: ActorRef<Input>) {
        send(message, to: actor.address)
    }

    /// Delivers a `WakeupMessage` to this actor after `delay`.
    public func wakeup(after delay: Duration, payload: String? = nil) {
        let core = self.core
        let address = cell.address
        Task {
            try? await Task.sleep(for: delay)
            core.tell(WakeupMessage(payload: payload), to: address, from: address, correlationID: 0)
        }
    }

    /// Answers `sender`'s message of `typeName`, which this actor does not take, with a
    /// `PoisonMessage` of kind `.notTaken` saying `why` (an `ask` throws `RemoteError`).
    public func refuse(_ typeName: String, from sender: ActorAddress, because why: String) {
        guard sender != cell.address else { return }
        core.counters.add("messagesNotTaken")
        core.tell(PoisonMessage(originalType: typeName, originalPayload: [], details: why, kind: .notTaken),
                  to: sender, from: cell.address, correlationID: correlationID)
    }

    /// Stops this actor once the current message is handled.
    public func exit() { cell.requestExit(.stopped) }
}
