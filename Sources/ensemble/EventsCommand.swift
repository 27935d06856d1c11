import ArgumentParser
import Ensemble
import NodeLauncher

/// `ensemble events [NODE] [--follow [--for S]] [--json]`: what happened in the convention, as
/// its leader recorded it.
struct EventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "Print what happened in the convention as its leader recorded it: joins, departures, failures, capability changes, restarts and leader changes.",
        discussion: """
            The leader keeps its latest 1,024 events. With --follow, events are printed as the leader \
            records them, and the stream is followed to the next leader when this one goes, until \
            interrupted (or for --for seconds).
            """)

    @Argument(help: ArgumentHelp("A node to ask first, PORT or HOST:PORT (default: the leader).", valueName: "node"))
    var node: String?

    @Flag(help: "Keep printing events as they happen.")
    var follow = false

    @Option(name: .customLong("for"), help: ArgumentHelp("With --follow: stop after this many seconds (exit 0).", valueName: "s"))
    var duration: Double?

    @Flag(help: "Print one JSON object per event, and nothing else.")
    var json = false

    @Option(help: ArgumentHelp("Seconds to wait for a node's answer.", valueName: "s"))
    var timeout: Double = 5

    @OptionGroup var convention: ConventionOptions

    /// How long the leader is asked to hold a request of a follower that is caught up.
    static let heldFor = Duration.seconds(10)

    func validate() throws {
        if let node { _ = try parseNode(node) }
        guard timeout > 0 && timeout <= 3600 else { throw ValidationError("--timeout must be more than 0 and at most 3600 seconds") }
        if let duration {
            guard follow else { throw ValidationError("--for goes with --follow") }
            guard duration > 0 && duration <= 31_536_000 else { throw ValidationError("--for must be more than 0 seconds, at most a year") }
        }
    }

    func run() async throws {
        let deadline = duration.map { ContinuousClock.now + .milliseconds(Int($0 * 1000)) }
        var follower = EventFollower(
            timeout: .milliseconds(Int(timeout * 1000)), follow: follow, until: deadline, heldFor: Self.heldFor)
        let json = self.json
        let failure = await follower.run(startingAt: try node.map(parseNode), convention: convention) { report in
            switch report {
            case .event(let event):
                printLine(json ? EventFollower.json(event).compact() : EventFollower.line(event))
            case .dropped(let missed):
                printErrorLine("ensemble events: events \(missed.lowerBound)-\(missed.upperBound) were dropped by the leader before they were read")
            case .following, .searching:
                break
            }
        }
        if let failure {
            printErrorLine("ensemble events: \(failure)")
            throw ExitCode(1)
        }
    }
}
