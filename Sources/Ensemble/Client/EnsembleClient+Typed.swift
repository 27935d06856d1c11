extension EnsembleClient {
    /// Opens a client for `gateway` that can receive the messages of `types` (the list its
    /// nodes run with). See `init(gateway:messageTypes:curve:maxMessageSize:)`.
    public convenience init(
        gateway: NodeAddress, types: EnsembleTypes, curve: CurveClientKeys? = nil, maxMessageSize: Int = MessageSize.defaultLimit
    ) throws {
        try self.init(gateway: gateway, messageTypes: types.messages, curve: curve, maxMessageSize: maxMessageSize)
    }

    /// Opens a client that fails over between `gateways` and can receive the messages of
    /// `types`. See `init(gateways:messageTypes:curve:serverKeys:failover:maxMessageSize:)`.
    public convenience init(
        gateways: [NodeAddress], types: EnsembleTypes, curve: CurveKeyPair? = nil, serverKeys: [NodeAddress: CurveKey] = [:],
        failover: GatewayFailover = GatewayFailover(), maxMessageSize: Int = MessageSize.defaultLimit
    ) throws {
        try self.init(gateways: gateways, messageTypes: types.messages, curve: curve, serverKeys: serverKeys,
                      failover: failover, maxMessageSize: maxMessageSize)
    }

    /// Creates an actor of `type` through the gateway (or finds the one holding `globalName`).
    /// - Throws: `PlacementError` when no node can host it, `EnsembleError.remote` for another
    ///   refusal, `EnsembleError.timeout` for no answer.
    public func createActor<A: TypedActor>(_ type: A.Type, globalName: String? = nil, timeout: Duration) async throws -> ActorRef<A.Input> {
        ActorRef(try await createActor(typeName: A.typeName, globalName: globalName, timeout: timeout))
    }

    /// Sends `message` to `actor` (fire and forget).
    public func tell<Input: Message>(_ message: Input, to actor: ActorRef<Input>) throws {
        try tell(message, to: actor.address)
    }

    /// Sends `message` to `actor` and waits for its reply, of type `Reply`.
    /// - Throws: `RemoteError` when the actor's handler threw or it could not take the message
    ///   (with the handler's error text, or the type its node did not register);
    ///   `EnsembleError.undelivered` when the actor or its node is gone;
    ///   `EnsembleError.unexpectedReply` for a reply of another type; `EnsembleError.timeout`.
    public func ask<Input: Message, Reply: Message>(
        _ message: Input, to actor: ActorRef<Input>, expecting: Reply.Type, timeout: Duration
    ) async throws -> Reply {
        try await ask(message, to: actor.address, expecting: Reply.self, timeout: timeout)
    }

    /// Sends `message` to the actor at `recipient` and waits for its reply, of type `Reply`;
    /// throws as `ask(_:to:expecting:timeout:)` with an `ActorRef` does.
    public func ask<M: Message, Reply: Message>(
        _ message: M, to recipient: ActorAddress, expecting: Reply.Type, timeout: Duration
    ) async throws -> Reply {
        try Self.typed(try await ask(message, to: recipient, timeout: timeout), from: recipient)
    }

    /// The reply as `Reply`, or the error it stands for.
    static func typed<Reply: Message>(_ reply: any Message, from recipient: ActorAddress) throws -> Reply {
        if let typed = reply as? Reply { return typed }
        if let poison = reply as? PoisonMessage { throw RemoteError(actor: recipient, poison: poison) }
        if let dead = reply as? DeadLetter { throw EnsembleError.undelivered(dead.recipient, reason: dead.reason) }
        throw EnsembleError.unexpectedReply(expected: Reply.messageType, received: Swift.type(of: reply).messageType)
    }
}
