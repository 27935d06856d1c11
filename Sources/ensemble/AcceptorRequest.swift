import EncoderApp
import Ensemble
import NodeLauncher

/// `app`'s request to the Acceptor, sent again when the answers cannot come: after the client
/// moved to another gateway (its address changed), when the request bounced (the
/// Acceptor's node is gone), or when answers stalled and another Acceptor holds the name
/// (the one that took the request died with it). Each sending has its own request id; the reports of every
/// sending count, and `app` prints each encoder's once.
struct AcceptorRequest {
    let text: String
    let deadline: ContinuousClock.Instant
    private let firstID = UInt64.random(in: 1...UInt64.max / 2)
    private var sendings: UInt64 = 0
    /// The gateway the last sending went through.
    private var sentVia: NodeAddress?
    /// The Acceptor the last sending went to.
    private var sentTo: ActorAddress?

    init(text: String, deadline: ContinuousClock.Instant) {
        self.text = text
        self.deadline = deadline
    }

    /// The id of the last sending.
    var currentID: UInt64 { firstID + sendings }

    /// Whether an answer carrying `requestID` answers the last sending (0: an Acceptor that keeps no ids).
    func isLatest(_ requestID: UInt64) -> Bool { requestID == 0 || requestID == currentID }

    /// How long the first sending waits for the Acceptor's dispatch notice before it finds the
    /// Acceptor again and sends once more: a request sent to an Acceptor whose node died just
    /// then goes down with it, and by the next sending the convention has declared that node
    /// gone. Each later sending waits twice as long as the one before (at most 16 times this),
    /// so an Acceptor that is only slow is not handed the whole input every second.
    static let dispatchWait = Duration.seconds(1)

    /// What the current sending waits for its dispatch notice: 1 ms more per KiB of input, which
    /// the Acceptor reads whole before it answers (a debug build's protobuf decoder reads text at
    /// about 0.3 µs a byte: without it, a 13 MB input was sent five times over).
    private var currentDispatchWait: Duration {
        (Self.dispatchWait + .milliseconds(text.utf8.count >> 10)) * (1 << max(Int(min(sendings, 5)) - 1, 0))
    }

    /// What a sending came to.
    enum Outcome {
        /// The Acceptor took it and said which encoders will report.
        case dispatched(EncodingDispatched)
        /// Answers come later, or never (a move under way, the deadline).
        case pending
        /// `app` must stop with this exit status (said on standard error).
        case stop(Int32)
    }

    /// Finds the Acceptor through the client's gateway and asks it to encode the text, again
    /// while no dispatch notice comes and time is left. A move under way (`unreachable`) is not
    /// an error: the move's `GatewayChanged` sends again. `found`, the Acceptor just looked up,
    /// is taken for the first sending instead of asking the gateway again.
    mutating func send(through client: EnsembleClient, found: ActorAddress? = nil) async -> Outcome {
        var found = found
        while true {
            sendings += 1
            sentVia = client.gateway
            do {
                let acceptor: ActorAddress
                if let known = found {
                    acceptor = known
                    found = nil
                } else {
                    acceptor = try await findAcceptor(through: client, timeout: deadline - .now)
                }
                sentTo = acceptor
                let answer = try await client.ask(
                    EncodeRequest(text: text, requestID: currentID), to: acceptor, timeout: min(currentDispatchWait, deadline - .now))
                if let dispatched = answer as? EncodingDispatched { return .dispatched(dispatched) }
                if let poison = answer as? PoisonMessage {
                    printErrorLine("ensemble app: the Acceptor failed on the request: \(poison.details)")
                    return .stop(1)
                }
                return .pending
            } catch EnsembleError.messageTooLarge(let tooLarge) {
                printErrorLine("ensemble app: the input of \(text.utf8.count) bytes cannot be sent: \(tooLarge) (--max-message-size)")
                return .stop(1)
            } catch EnsembleError.unreachable {
                return .pending
            } catch EnsembleError.timeout where deadline - .now > .milliseconds(100) {
                continue
            } catch EnsembleError.timeout {
                return .pending
            } catch {
                let gateway = sentVia.map(\.description) ?? "the gateway"
                printErrorLine("ensemble app: \(failureLine(error, otherwise: "cannot reach the Acceptor through \(gateway): \(error)"))")
                return .stop(1)
            }
        }
    }

    /// Sends again after the client moved to `gateway`, unless the last sending went through it;
    /// always after the gateway `restarted` (a new life at the same address).
    mutating func resend(through client: EnsembleClient, movedTo gateway: NodeAddress, restarted: Bool) async -> Outcome {
        guard restarted || gateway != sentVia else { return .pending }
        return await send(through: client)
    }

    /// Sends again after the last sending bounced; an earlier one's bounce changes nothing.
    mutating func resend(through client: EnsembleClient, bounced: DeadLetter) async -> Outcome {
        guard let original = bounced.original(as: EncodeRequest.self), original.requestID == currentID else { return .pending }
        // The name resolves again once the convention has declared the node gone: give it a moment, more each time.
        let pause = Duration.milliseconds(50) * Int(min(sendings, 10))
        try? await Task.sleep(for: min(pause, deadline - .now))
        return await send(through: client)
    }

    /// Sends again when the Acceptor the last sending went to is gone and another holds its
    /// name: its node died after it took the request, and what it had not yet reported died
    /// with it. Asked when answers have stalled; an Acceptor that is only slow keeps the request.
    mutating func resendIfAcceptorReplaced(through client: EnsembleClient) async -> Outcome {
        guard let sentTo, deadline - .now > .milliseconds(100),
            let current = try? await findAcceptor(through: client, timeout: min(Self.dispatchWait, deadline - .now)),
            current != sentTo
        else { return .pending }
        return await send(through: client, found: current)
    }

    /// The Acceptor by its global name, created where it fits when no live one holds it.
    private func findAcceptor(through client: EnsembleClient, timeout: Duration) async throws -> ActorAddress {
        try await client.createActor(typeName: Acceptor.typeName, globalName: "Acceptor", timeout: timeout)
    }
}
