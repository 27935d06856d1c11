import Ensemble
import EnsembleDashboard
import ServiceLifecycle

/// The dashboard's documents, asked of the convention as `status --json` and `status
/// --metrics --all` ask it: the current leader (found as `status` finds it) for the status,
/// every member of its view for their metrics.
struct ConventionDashboardSource: DashboardSource {
    let convention: ConventionOptions
    /// How long to wait for a node's answer.
    let timeout: Duration

    private var connectTimeout: Duration { min(timeout, .seconds(2)) }

    func statusDocument() async throws -> String {
        let (targets, learnt) = try await targets()
        let timeout = self.timeout
        do {
            let report = try await convention.firstAnswer(from: targets, connectTimeout: connectTimeout, learnt: learnt) { client in
                try await client.status(timeout: timeout)
            }
            return StatusCommand.json(report).rendered()
        } catch let failure as CommandFailure {
            throw DashboardUnavailable(failure.message)
        }
    }

    func metricsExposition() async throws -> String {
        let (targets, learnt) = try await targets()
        do {
            return try await convention.conventionMetrics(
                targets: targets, learnt: learnt, connectTimeout: connectTimeout, answerTimeout: timeout)
        } catch let failure as CommandFailure {
            throw DashboardUnavailable(failure.message)
        }
    }

    /// The leader and the node whose view named it (`statusTargets`).
    private func targets() async throws -> ([NodeAddress], learnt: [NodeAddress: CurveKey]) {
        do {
            return try await convention.statusTargets(budget: min(timeout, .seconds(4)))
        } catch let failure as CommandFailure {
            throw DashboardUnavailable(failure.message)
        }
    }
}

/// Follows the leader's event stream for the dashboard's whole life and publishes what it
/// reads into the feed: each event as `ensemble events --json` prints it (kind `convention`),
/// and where it reads or why it cannot (kind `notice`).
struct EventFeedService: Service {
    let convention: ConventionOptions
    let feed: EventFeed
    let timeout: Duration

    func run() async throws {
        let feed = self.feed, convention = self.convention, timeout = self.timeout
        await cancelWhenGracefulShutdown {
            var follower = EventFollower(timeout: timeout, follow: true, until: nil)
            _ = await follower.run(startingAt: nil, convention: convention) { report in
                let (kind, json): (String, JSONText)
                switch report {
                case .event(let event):
                    (kind, json) = ("convention", EventFollower.json(event))
                case .following(let leader, let term):
                    (kind, json) = ("notice", Self.notice("following", "following the events of the leader at \(leader), term \(term)", leader: leader))
                case .searching(let why):
                    (kind, json) = ("notice", Self.notice("searching", "looking for the leader: \(why)"))
                case .dropped(let missed):
                    (kind, json) = ("notice", Self.notice("gap", "events \(missed.lowerBound)-\(missed.upperBound) were dropped by the leader before they were read"))
                }
                await feed.publish(kind: kind, json: json.compact())
            }
        }
    }

    private static func notice(_ state: String, _ message: String, leader: NodeAddress? = nil) -> JSONText {
        .object([("state", .string(state)), ("message", .string(message)), ("leader", .optional(leader?.description))])
    }
}
