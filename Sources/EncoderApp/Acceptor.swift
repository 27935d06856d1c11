import Ensemble

/// Receives encode requests; keeps one of each encoder, created on first use
/// wherever it fits, and recreated after it exits.
///
/// Every answer comes back to the Acceptor: encoders send it their output
/// (`AnalyzeEncoding`), and it analyzes each encoder's first answer to a request
/// and reports it to the requester. So the text an encoder was given and has not
/// answered can be sent again to its replacement when the encoder is lost (its
/// node died, left or lost the capability) with the request in flight, and the
/// requester still gets one report per encoder. The analysis is done here, not by
/// an actor of its own, so that a report makes no hop more than it must.
///
/// Its handler awaits only to create an encoder: a request that finds every encoder in
/// place, and every answer, are handled synchronously (`SynchronousActor`); the rest goes to
/// `receive`.
public final class Acceptor: SynchronousActor {
    public static let typeName = "Acceptor"
    /// Its handlers only route and keep the books (the densities are a pass over the text), so
    /// they run on the node's I/O thread: a request's five messages through it cost no hand-off.
    public static var dispatch: ActorDispatch { .ioThread }
    /// The encoder types, in the order they are dispatched.
    public static let encoderTypes: [any EnsembleActor.Type] = [Encoder.self, Base64Encoder.self, Rot13Encoder.self, MorseEncoder.self]
    private static let encoderNames = encoderTypes.map { $0.typeName }

    // Without dynamic exclusivity checks (two per answer): an actor's state is touched by one
    // message's handler at a time, and these change through standard collections and
    // `InFlightEncodings`, which calls nothing of the actor's.
    /// The encoder of each type (by its index in `encoderTypes`), once created.
    @exclusivity(unchecked) private var encoders: [ActorAddress?] = Array(repeating: nil, count: encoderTypes.count)
    @exclusivity(unchecked) private var inFlight = InFlightEncodings(slots: encoderTypes.count)

    public init() {}

    /// Whether the message needs no encoder created: every answer, and a request while all are in place.
    public func handlesNow(_ message: any Message, from sender: ActorAddress) -> Bool {
        // Told by their types alone: a cast would copy the message out.
        if message.isMessage(AnalyzeEncoding.self) { return true }
        if message.isMessage(EncodeRequest.self) { return !encoders.contains(nil) }
        return !(message is ChildActorExited || message is DeadLetter)
    }

    /// A request with every encoder in place, and the answers: nothing here awaits.
    public func receiveNow(_ message: any Message, from sender: ActorAddress, context: ActorContext) throws {
        if let result = message.cast(to: AnalyzeEncoding.self) { return report(result, from: sender, context: context) }
        if let request = message.cast(to: EncodeRequest.self) { return distribute(request, from: sender, unplaced: [], context: context) }
        if let failure = message as? EncodingFailed { forward(failure, from: sender, context: context) }
    }

    /// Everything `handlesNow` declines: requests that need an encoder created, and losses.
    public func receive(_ message: any Message, from sender: ActorAddress, context: ActorContext) async throws {
        // The two messages of every request first, each matched by its type alone (`cast(to:)`).
        if let result = message.cast(to: AnalyzeEncoding.self) { return report(result, from: sender, context: context) }
        if let request = message.cast(to: EncodeRequest.self) {
            return distribute(request, from: sender, unplaced: await placeMissingEncoders(context: context), context: context)
        }
        switch message {
        case let failure as EncodingFailed:
            forward(failure, from: sender, context: context)
        case let exited as ChildActorExited:
            await lost(exited.child, because: exited.reason, context: context)
        case let undelivered as DeadLetter where !Self.mayReturn(undelivered, sender: sender, to: context.myAddress):
            // Only the dead address itself, or the runtime of its node or of this one, returns mail.
            break
        case let undelivered as DeadLetter where undelivered.tooLarge != nil:
            tooLarge(undelivered, context: context)
        case let undelivered as DeadLetter where undelivered.originalType == EncodeText.messageType:
            // The text could not reach its encoder (its node went away, or its mailbox is full): the
            // encoder is given up, and stopped should it still run, so no copy of it is left behind.
            context.send(ActorExitRequest(), to: undelivered.recipient)
            await lost(undelivered.recipient, because: nil, context: context)
        default:
            break
        }
    }

    private static func slot(of encoder: String) -> Int? { encoderNames.firstIndex(of: encoder) }

    /// The first answer of each encoder to a request is analyzed and reported; a late one of a
    /// copy sent again is not. The slot is the sender's own, whatever encoder it names.
    private func report(_ result: AnalyzeEncoding, from sender: ActorAddress, context: ActorContext) {
        guard let slot = encoders.firstIndex(of: sender), let requester = inFlight.answered(result.requestID, slot: slot)
        else { return }
        let density = Encodings.density(input: result.input, output: result.output)
        context.send(
            EncodingReport(encoder: Self.encoderNames[slot], density: density, output: result.output,
                           requestID: requester.requestID),
            to: requester.address)
    }

    private func forward(_ failure: EncodingFailed, from sender: ActorAddress, context: ActorContext) {
        guard let slot = encoders.firstIndex(of: sender), let requester = inFlight.abandon(failure.requestID, slot: slot)
        else { return }
        context.send(EncodingFailed(encoder: Self.encoderNames[slot], reason: failure.reason, requestID: requester.requestID),
                     to: requester.address)
    }

    /// Whether `sender` may return mail sent to `undelivered.recipient`: the recipient itself, the
    /// runtime of its node, or the runtime of `own`'s node (which returns what it could not send).
    private static func mayReturn(_ undelivered: DeadLetter, sender: ActorAddress, to own: ActorAddress) -> Bool {
        sender == undelivered.recipient
            || (sender.id == 0 && (sender.node == undelivered.recipient.node || sender.node == own.node))
    }

    /// Creates the encoders not in place; those that cannot be, and why.
    private func placeMissingEncoders(context: ActorContext) async -> [UnplacedEncoder] {
        var unplaced: [UnplacedEncoder] = []
        for index in encoders.indices where encoders[index] == nil {
            do {
                _ = try await encoder(index, context: context)
            } catch {
                unplaced.append(UnplacedEncoder(encoder: Self.encoderNames[index], reason: "\(error)"))
            }
        }
        return unplaced
    }

    /// Tells the requester which encoders have its text, and sends it to each of them.
    private func distribute(_ request: EncodeRequest, from requester: ActorAddress, unplaced: [UnplacedEncoder], context: ActorContext) {
        // Per request, the common case (all placed) builds no array: the names are shared.
        let dispatched = encoders.contains(nil)
            ? encoders.indices.compactMap { encoders[$0] == nil ? nil : Self.encoderNames[$0] } : Self.encoderNames
        context.reply(EncodingDispatched(encoders: dispatched, unplaced: unplaced, requestID: request.requestID), to: requester)
        let id = inFlight.dispatch(
            requester: requester, requestID: request.requestID, text: request.text, targets: encoders, now: .now)
        for index in encoders.indices {
            guard let target = encoders[index] else { continue }
            context.send(
                EncodeText(text: request.text, analyzer: context.myAddress, requester: context.myAddress, encoder: Self.encoderNames[index],
                           requestID: id),
                to: target)
        }
    }

    /// The encoder at `index` of `encoderTypes`, created where it fits if the slot is empty.
    private func encoder(_ index: Int, context: ActorContext) async throws -> ActorAddress {
        if let existing = encoders[index] { return existing }
        let address = try await context.createActor(Self.encoderTypes[index])
        encoders[index] = address
        return address
    }

    /// A child is gone (or mail to it came back): what it had not answered goes to its replacement.
    private func lost(_ actor: ActorAddress, because reason: ExitReason?, context: ActorContext) async {
        for index in encoders.indices where encoders[index] == actor { encoders[index] = nil }
        let orphans = inFlight.lost(actor)
        guard !orphans.isEmpty else { return }
        for slot in Set(orphans.map(\.slot)).sorted() {
            let ofSlot = orphans.filter { $0.slot == slot }
            do {
                let replacement = try await encoder(slot, context: context)
                resend(ofSlot.map { ($0, replacement) }, context: context)
            } catch {
                let why = "\(Self.lossDescription(of: actor, reason)); \(error)"
                for orphan in ofSlot {
                    guard let requester = inFlight.abandon(orphan.dispatchID, slot: slot) else { continue }
                    context.send(
                        EncodingUnplaced(unplaced: UnplacedEncoder(encoder: Self.encoderNames[slot], reason: why),
                                         requestID: requester.requestID),
                        to: requester.address)
                }
            }
        }
    }

    /// Sends each copy again to its encoder; a copy sent too often fails.
    private func resend(_ copies: [(orphan: InFlightEncodings.Orphan, encoder: ActorAddress)], context: ActorContext) {
        for (orphan, encoder) in copies {
            guard orphan.sends < InFlightEncodings.maxSends else {
                fail(orphan, "its encoder was lost \(orphan.sends) times with the request", context)
                continue
            }
            inFlight.resent(orphan, to: encoder)
            context.send(
                EncodeText(text: orphan.text, analyzer: context.myAddress, requester: context.myAddress,
                           encoder: Self.encoderNames[orphan.slot], resends: orphan.sends, requestID: orphan.dispatchID),
                to: encoder)
        }
    }

    private func fail(_ orphan: InFlightEncodings.Orphan, _ reason: String, _ context: ActorContext) {
        guard let requester = inFlight.abandon(orphan.dispatchID, slot: orphan.slot) else { return }
        context.send(EncodingFailed(encoder: Self.encoderNames[orphan.slot], reason: reason, requestID: requester.requestID),
                     to: requester.address)
    }

    /// Something was too large to travel: the requester hears why instead of waiting.
    private func tooLarge(_ undelivered: DeadLetter, context: ActorContext) {
        guard let tooLarge = undelivered.tooLarge else { return }
        if let text = undelivered.original(as: EncodeText.self), let slot = Self.slot(of: text.encoder),
            let requester = inFlight.abandon(text.requestID, slot: slot)
        {
            context.send(
                EncodingFailed(encoder: text.encoder, reason: "the text is too large to send to it: \(tooLarge)",
                               requestID: requester.requestID),
                to: requester.address)
        } else if let report = undelivered.original(as: EncodingReport.self) {
            // Forwarded already, so it carries the requester's own id.
            context.send(
                EncodingFailed(encoder: report.encoder, reason: "its report is too large to send: \(tooLarge)",
                               requestID: report.requestID),
                to: undelivered.recipient)
        }
    }

    /// Why an encoder is gone, in words: `its node 127.0.0.1:10000 was lost`.
    private static func lossDescription(of actor: ActorAddress, _ reason: ExitReason?) -> String {
        switch reason {
        case .nodeLost(let node)?: return "its node \(node) was lost"
        case .capabilityLost?: return "its node \(actor.node.address) lost the capability"
        case .crashed?: return "it crashed"
        case .stopped?, nil: return "\(actor) went away"
        }
    }
}
