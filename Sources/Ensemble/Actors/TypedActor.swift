/// An actor that takes one message type, `Input`, through a typed handler: an enum of the
/// messages it handles (a `Codable` enum, or a proto3 `oneof` for other languages) when there
/// are several. Its `Input` is registered with the type (`EnsembleTypes`), and a reference to
/// it (`ActorRef<Input>`) accepts nothing else.
///
/// The runtime's own messages (`WakeupMessage`, `ChildActorExited`, `ChildActorReplaced`, ...)
/// go to `receiveSystem`. Any other message is answered with a `PoisonMessage` of kind
/// `.notTaken` and does not restart the actor.
public protocol TypedActor: EnsembleActor {
    /// The message type this actor takes.
    associatedtype Input: Message
    /// Handles one message; a thrown error makes the supervisor restart the actor, and the
    /// sender gets a `PoisonMessage` with the error's text (an `ask` throws `RemoteError`).
    func receive(_ message: Input, from sender: ActorAddress, context: ActorContext) async throws
    /// Handles one of the runtime's messages (a timer's wakeup, a child's exit); by default nothing.
    func receiveSystem(_ message: any Message, from sender: ActorAddress, context: ActorContext) async throws
}

extension TypedActor {
    public func receiveSystem(_ message: any Message, from sender: ActorAddress, context: ActorContext) async throws {}

    public func receive(_ message: any Message, from sender: ActorAddress, context: ActorContext) async throws {
        if let input = message.cast(to: Input.self) {
            return try await receive(input, from: sender, context: context)
        }
        let typeName = Swift.type(of: message).messageType
        if SystemMessages.isLifecycle(typeName) {
            return try await receiveSystem(message, from: sender, context: context)
        }
        context.refuse(typeName, from: sender, because: "\(Self.typeName) takes \(Input.messageType), not \(typeName)")
    }

    public static var registeredMessages: [any Message.Type] { [Input.self] }
}
