import ArgumentParser
import EncoderApp
import Ensemble
import NodeLauncher

#if canImport(Glibc)
import Glibc
#endif

/// `ensemble app`: encode standard input through the convention's encoders.
struct AppCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "app",
        abstract: "Send standard input to the Acceptor and print one report per encoder as they arrive.",
        discussion: """
            Exit status: 0 when every report came, 2 when some encoders could not be placed \
            (said on standard error), 3 at the timeout (missing reports said), 1 on any other error \
            (an encoder whose result could not be sent, each said on standard error; an input \
            larger than the convention's --max-message-size).
            """)

    @OptionGroup var convention: ConventionOptions

    @Option(help: ArgumentHelp(
        "Enter through this node instead of the leader (PORT or HOST:PORT); when it dies, app goes on through the --leader entries or the members it learnt.",
        valueName: "host:port"))
    var via: String?

    @Option(help: ArgumentHelp("Seconds to wait for all reports.", valueName: "s"))
    var timeout: Double = 5

    func validate() throws {
        if let via { _ = try parseNode(via) }
        guard timeout > 0 && timeout <= 3600 else { throw ValidationError("--timeout must be more than 0 and at most 3600 seconds") }
    }

    func run() async throws {
        let text = readStandardInput().trimmingWhitespaceAndNewlines()
        guard !text.isEmpty else {
            printErrorLine("ensemble app: nothing to encode: standard input is empty")
            throw ExitCode(1)
        }
        let gateways = try gatewayList()
        var client = try await openClient(to: gateways)
        // A large input needs the convention's own size limit, which the gateway's view tells.
        if text.utf8.count > MessageSize.smallest / 2, let limit = await conventionLimit(client), limit != client.maxMessageSize {
            await client.close()
            client = try await openClient(to: gateways, maxMessageSize: limit)
        }
        let code = await encode(text, through: client, gateways: gateways, named: try namedGateways())
        await client.close()
        if code != 0 { throw ExitCode(code) }
    }

    /// The message size limit the gateway's convention enforces, if it answers in time.
    private func conventionLimit(_ client: EnsembleClient) async -> Int? {
        guard (try? await client.connect(timeout: .seconds(2))) != nil,
            case .viewDescription(let snapshot?)? = try? await client.request(.describeView, timeout: .seconds(2))
        else { return nil }
        return snapshot.maxMessageSize
    }

    /// Sends `text` through `client` (entering through one of `gateways`) and prints the
    /// reports; the exit code. `named`: the gateways the user gave, which silence names.
    private func encode(_ text: String, through client: EnsembleClient, gateways: [NodeAddress], named: [NodeAddress]) async -> Int32 {
        let limit = Duration.milliseconds(Int(timeout * 1000))
        let deadline = ContinuousClock.now + limit
        do {
            try await client.connect(timeout: min(limit, connectTimeout(gateways)))
        } catch {
            printErrorLine("ensemble app: \(failureLine(error, otherwise: silenceLine(named)))")
            return 1
        }
        var request = AcceptorRequest(text: text, deadline: deadline)
        var outcome = await request.send(through: client)
        var expected: Set<String>?
        var unplaced: [UnplacedEncoder] = []
        var reported: Set<String> = []
        var failed: Set<String> = []
        var lostHome: Set<String> = []
        let messages = client.messages
        let timer = Task {
            try? await Task.sleep(until: deadline)
            if !Task.isCancelled { await client.close() }
        }
        defer { timer.cancel() }
        // What a sending came to is handled as if it had arrived with the other messages.
        while let event = await next(&outcome, from: messages, stallAfter: AcceptorRequest.dispatchWait) {
            guard case .message(let message) = event else {
                // Nothing for a while after the Acceptor took the request: is it still there?
                if expected != nil { outcome = await request.resendIfAcceptorReplaced(through: client) }
                continue
            }
            switch message {
            case let dispatched as EncodingDispatched:
                // After a re-send, the latest request's notice is the one in force.
                guard request.isLatest(dispatched.requestID) else { continue }
                expected = Set(dispatched.encoders)
                // Encoders said unplaced once are not said again; those lost in flight stay unplaced.
                let known = Set(unplaced.map(\.encoder)), nowUnplaced = Set(dispatched.unplaced.map(\.encoder))
                unplaced = dispatched.unplaced + unplaced.filter { lostHome.contains($0.encoder) && !nowUnplaced.contains($0.encoder) }
                for encoder in dispatched.unplaced where !known.contains(encoder.encoder) {
                    printErrorLine("ensemble app: \(encoder.encoder) could not be placed: \(encoder.reason)")
                }
            case let report as EncodingReport:
                if reported.insert(report.encoder).inserted { printLine(report.line) }
            case let lost as EncodingUnplaced:
                // An encoder lost with the request in flight has no other home: said at once.
                if lostHome.insert(lost.unplaced.encoder).inserted {
                    unplaced.append(lost.unplaced)
                    printErrorLine("ensemble app: \(lost.unplaced.encoder) could not be placed: \(lost.unplaced.reason)")
                }
            case let failure as EncodingFailed:
                if failed.insert(failure.encoder).inserted { printErrorLine("ensemble app: \(failure.encoder) failed: \(failure.reason)") }
            case let poison as PoisonMessage:
                printErrorLine("ensemble app: the Acceptor failed on the request: \(poison.details)")
                return 1
            case let change as GatewayChanged:
                // Answers to the request went to this client's address at the old gateway: ask again.
                guard let next = change.to else {
                    printErrorLine("ensemble app: \(silenceLine(named)) (\(change.reason))")
                    return 1
                }
                printErrorLine("ensemble app: \(change.reason); going on through \(next)")
                outcome = await request.resend(through: client, movedTo: next, restarted: change.from == next)
            case let undelivered as DeadLetter where undelivered.originalType == EncodeRequest.messageType:
                // The Acceptor's node is gone; its name is free again once the convention knows.
                outcome = await request.resend(through: client, bounced: undelivered)
            default:
                continue
            }
            if let expected, expected.isSubset(of: reported.union(failed).union(lostHome)) {
                return !failed.isEmpty ? 1 : unplaced.isEmpty ? 0 : 2
            }
        }
        if case .stop(let code) = outcome { return code }
        let missing = (expected ?? Set(Acceptor.encoderTypes.map { $0.typeName })).subtracting(reported).subtracting(failed).subtracting(lostHome).sorted()
        printErrorLine("ensemble app: no report from \(missing.joined(separator: ", ")) within \(formatSeconds(timeout)) s")
        return 3
    }
}

/// What `app`'s loop handles next.
private enum AppEvent {
    case message(any Message)
    /// No message came for a while.
    case stalled
}

/// The next event for `app`'s loop: a sending's dispatch notice first, then what arrives, or
/// `stalled` when nothing does within `stallAfter`; nil when a sending must stop `app` (its
/// outcome says how) or the messages end.
private func next(
    _ outcome: inout AcceptorRequest.Outcome, from messages: ClientMessages, stallAfter: Duration
) async -> AppEvent? {
    switch outcome {
    case .dispatched(let dispatched):
        outcome = .pending
        return .message(dispatched)
    case .stop:
        return nil
    case .pending:
        // The reader is cancelled at the stall: a message arriving meanwhile stays queued for the next read.
        return await withTaskGroup(of: AppEvent?.self) { group in
            group.addTask {
                var reader = messages.makeAsyncIterator()
                return await reader.next().map { .message($0.message) }
            }
            group.addTask {
                try? await Task.sleep(for: stallAfter)
                return .stalled
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            // A reader cancelled just as its message came still returns it: it is not dropped.
            if case .stalled? = first, case .message(let late)?? = await group.next() { return .message(late) }
            return first
        }
    }
}

func formatSeconds(_ seconds: Double) -> String {
    seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
}

/// All of standard input as UTF-8 (invalid bytes become U+FFFD).
func readStandardInput() -> String {
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let count = read(0, &buffer, buffer.count)
        if count < 0 && errno == EINTR { continue }
        if count <= 0 { break }
        bytes.append(contentsOf: buffer[0..<count])
    }
    return String(decoding: bytes, as: UTF8.self)
}

extension String {
    func trimmingWhitespaceAndNewlines() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(scalars[first...last])
    }
}
