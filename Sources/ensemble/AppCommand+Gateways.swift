import ArgumentParser
import EncoderApp
import Ensemble
import NodeLauncher

extension AppCommand {
    /// The nodes `app` may enter through, in order: `--via`, then the `--leader` entries.
    func gatewayList() throws -> [NodeAddress] {
        var gateways = try via.map { [try parseNode($0)] } ?? []
        for leader in convention.leaderAddresses where !gateways.contains(leader) { gateways.append(leader) }
        return gateways
    }

    /// A client entering through the first of `gateways`, failing over to the others and to the
    /// members it learns; when it cannot be made, one line and exit status 1.
    func openClient(to gateways: [NodeAddress], maxMessageSize: Int = MessageSize.defaultLimit) async throws -> EnsembleClient {
        do {
            return try await convention.openFailoverClient(
                to: gateways, messageTypes: encoderAppMessages, maxMessageSize: maxMessageSize)
        } catch {
            printErrorLine("ensemble app: \((error as? CommandFailure)?.message ?? "\(error)")")
            throw ExitCode(1)
        }
    }

    /// Time to find a gateway that answers: 2 s for the first, 1 s more for each other.
    func connectTimeout(_ gateways: [NodeAddress]) -> Duration {
        .seconds(2) + .seconds(1) * (gateways.count - 1)
    }

    /// What to say when no gateway answers; one gateway is said as before lists were taken.
    func silenceLine(_ gateways: [NodeAddress]) -> String {
        guard gateways.count == 1 else { return "no node answers at \(gateways.map(\.description).joined(separator: ", "))" }
        return via == nil ? "no leader answers at \(gateways[0])" : "no node answers at \(gateways[0])"
    }
}

/// `app`'s request to the Acceptor, sent again when the answers cannot come: after the client
/// moved to another gateway (its address changed), or when the request bounced (the
/// Acceptor's node is gone). Each sending has its own request id; the reports of every
/// sending count, and `app` prints each encoder's once.
struct AcceptorRequest {
    let text: String
    let deadline: ContinuousClock.Instant
    private let firstID = UInt64.random(in: 1...UInt64.max / 2)
    private var sendings: UInt64 = 0
    /// The gateway the last sending went through.
    private var sentVia: NodeAddress?

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
    /// an error: the move's `GatewayChanged` sends again.
    mutating func send(through client: EnsembleClient) async -> Outcome {
        while true {
            sendings += 1
            sentVia = client.gateway
            do {
                let acceptor = try await client.createActor(
                    typeName: Acceptor.typeName, globalName: "Acceptor", timeout: deadline - .now)
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

    /// Sends again after the client moved to `gateway`, unless the last sending went through it.
    mutating func resend(through client: EnsembleClient, movedTo gateway: NodeAddress) async -> Outcome {
        guard gateway != sentVia else { return .pending }
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
}
