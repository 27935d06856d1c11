import ArgumentParser
import Ensemble
import NodeLauncher

/// `ensemble status [PORT] [--json | --metrics [--all]]`: the convention as a node sees it, or its metrics.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show members, capabilities, actors and global names, as a node (default: the leader) sees them.")

    @Argument(help: ArgumentHelp("The node to ask, PORT or HOST:PORT.", valueName: "port"))
    var node: String?

    @Flag(help: "Print JSON only (schemaVersion 1).")
    var json = false

    @Flag(help: "Print the node's metrics in the Prometheus text exposition format.")
    var metrics = false

    @Flag(help: "With --metrics: every member's metrics in one exposition, each series labelled with its node.")
    var all = false

    @Option(help: ArgumentHelp("Seconds to wait for the answer.", valueName: "s"))
    var timeout: Double = 5

    @OptionGroup var convention: ConventionOptions

    func validate() throws {
        if let node { _ = try parseNode(node) }
        if json && metrics { throw ValidationError("--json and --metrics cannot be combined") }
        if all && !metrics { throw ValidationError("--all goes with --metrics") }
        guard timeout > 0 && timeout <= 3600 else { throw ValidationError("--timeout must be more than 0 and at most 3600 seconds") }
    }

    func run() async throws {
        let (targets, learnt) = try await self.targets()
        let connectTimeout = Duration.seconds(min(timeout, 2)), answerTimeout = Duration.milliseconds(Int(timeout * 1000))
        if metrics && all {
            let text: String
            do {
                text = try await convention.conventionMetrics(
                    targets: targets, learnt: learnt, connectTimeout: connectTimeout, answerTimeout: answerTimeout)
            } catch let failure as CommandFailure {
                printErrorLine("ensemble status: \(failure.message)")
                throw ExitCode(1)
            }
            printLine(String(text.dropLast(text.hasSuffix("\n") ? 1 : 0)))
            return
        }
        if metrics {
            // The node renders its own metrics; the exposition already ends with a newline.
            let text = try await convention.exchange(
                for: "status", withFirstOf: targets, connectTimeout: connectTimeout, learnt: learnt
            ) { client in
                do { return try await client.metrics(timeout: answerTimeout) } catch EnsembleError.remote(let why) {
                    throw CommandFailure("\(client.gateway) cannot report metrics: \(why)")
                }
            }
            printLine(String(text.dropLast(text.hasSuffix("\n") ? 1 : 0)))
            return
        }
        let report = try await convention.exchange(
            for: "status", withFirstOf: targets, connectTimeout: connectTimeout, learnt: learnt
        ) { client in
            try await client.status(timeout: answerTimeout)
        }
        printLine(json ? Self.json(report).rendered() : Self.table(report))
    }

    /// The nodes to ask, in order, and the keys learnt on the way. NODE when given; else the
    /// current leader (`LeaderFinder`), then the node whose view named it, in case the leader
    /// is gone while its members still follow it; else, when no candidate has a view, the
    /// `--leader` entries in order until one answers, as before leaders were looked for (and
    /// with the same lines when none does).
    private func targets() async throws -> ([NodeAddress], learnt: [NodeAddress: CurveKey]) {
        if let node { return ([try parseNode(node)], [:]) }
        do {
            return try await convention.statusTargets(budget: .milliseconds(Int(min(timeout, 4) * 1000)))
        } catch let failure as CommandFailure {
            printErrorLine("ensemble status: \(failure.message)")
            throw ExitCode(1)
        }
    }

    static func json(_ report: StatusReport) -> JSONText {
        .object([
            ("schemaVersion", .number(1)),
            ("node", .string(report.node.description)),
            ("leader", .optional(report.leader?.description)),
            ("term", .number(Int(clamping: report.term))),
            ("role", .string(report.role)),
            ("members", .array(report.members.map { member in
                .object([
                    ("address", .string(member.node.address.description)),
                    ("incarnation", .string(member.node.incarnationText)),
                    ("capabilities", .array(member.capabilities.sorted.map { .string($0) })),
                    ("leader", .bool(member.leader)),
                    ("alive", .bool(member.alive)),
                    ("lastHeardMs", member.lastHeardMs >= 0 ? .number(member.lastHeardMs) : .null),
                    ("publicKey", .optional(member.publicKey?.z85)),
                    ("voter", .bool(member.voter)),
                ])
            })),
            ("actors", .array(report.actors.map { actor in
                .object([
                    ("address", .string(actor.address.description)),
                    ("node", .string(actor.address.node.address.description)),
                    ("type", .string(actor.type)),
                    ("parent", .optional(actor.parent?.description)),
                    ("globalName", .optional(actor.globalName)),
                    ("restarts", .number(actor.restarts)),
                ])
            })),
            ("globalNames", .object(report.globalNames.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value.description)) })),
            ("unreachable", .array(report.unreachable.map { .string($0.description) })),
            ("counters", .object(report.counters.sorted { $0.key < $1.key }.map { ($0.key, .number($0.value)) })),
            // Added with paging: how many actors `actors` lists, and in how many answers they came.
            ("actorCount", .number(report.actors.count)),
            ("pages", .number(report.pageCount)),
        ])
    }

    static func table(_ report: StatusReport) -> String { StatusSummary.table(report) }
}
