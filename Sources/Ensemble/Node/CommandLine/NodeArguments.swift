import Logging

/// What a node process is started with: the argument vector `ensemble start`
/// hands to the node binary (`ensemble-node`, or a program's own given with
/// `--node-binary`), which parses it back (`NodeMain.runFromCommandLine`).
///
/// A node binary has no argument parser of its own (swift-argument-parser
/// pulls Foundation into a process, about 2 MB of it resident): `ensemble
/// start` validates what the user typed, and this strict format carries it.
/// `docs/cli.md` (`start`) says what each option means.
public struct NodeArguments: Sendable, Equatable {
    /// The node's port.
    public var port: UInt16
    /// Comma-separated capabilities, as typed.
    public var capabilities: String
    /// The convention leader.
    public var leader: NodeAddress
    /// The interface to bind.
    public var host: String
    /// The host other nodes reach this node at, when not the bind address.
    public var advertise: String?
    /// Where the pid file goes.
    public var stateDirectory: String
    /// Seconds to wait for the leader's welcome before reporting readiness anyway.
    public var joinTimeout: Double
    /// The swift-log level name.
    public var logLevel: String
    /// The CurveZMQ key directory; nil for plain text.
    public var curveDirectory: String?
    /// Whether the node hosts the bench's actors and messages too: only the `ensemble-node`s
    /// `ensemble bench` starts do (`--bench-actors true`, an option no user types; another
    /// node binary ignores it).
    package var benchActors = false
    /// The convention's message size limit in bytes (`--max-message-size`).
    public var maxMessageSize: Int
    /// Worker threads for the node's actors (`--actor-threads`); nil for one per CPU.
    public var actorThreads: Int?
    /// Other nodes of the convention to ask for its leader at the start (`--seeds`: the
    /// `--leader` list's other entries and the user's seeds).
    public var seeds: [NodeAddress] = []
    /// Found a new convention without looking for a running one (`--bootstrap true`).
    public var bootstrap = false
    /// Seconds a link to another node may go unused before it closes; 0: never
    /// (`NodeConfiguration.idleLinkTimeout`).
    public var idleLinkTimeout: Double = NodeArguments.defaultIdleLinkTimeout

    /// Creates the arguments.
    public init(
        port: UInt16, capabilities: String, leader: NodeAddress, host: String, advertise: String?,
        stateDirectory: String, joinTimeout: Double, logLevel: String, curveDirectory: String? = nil,
        maxMessageSize: Int = MessageSize.defaultLimit, actorThreads: Int? = nil
    ) {
        self.port = port
        self.capabilities = capabilities
        self.leader = leader
        self.host = host
        self.advertise = advertise
        self.stateDirectory = stateDirectory
        self.joinTimeout = joinTimeout
        self.logLevel = logLevel
        self.curveDirectory = curveDirectory
        self.maxMessageSize = maxMessageSize
        self.actorThreads = actorThreads
    }

    /// The argument vector, without the program name.
    public var vector: [String] {
        var vector = [String(port), capabilities, "--leader", leader.description, "--host", host,
                      "--state-dir", stateDirectory, "--join-timeout", String(joinTimeout), "--log-level", logLevel]
        if let advertise { vector += ["--advertise", advertise] }
        if let curveDirectory { vector += ["--curve", curveDirectory] }
        if benchActors { vector += ["--bench-actors", "true"] }
        if maxMessageSize != MessageSize.defaultLimit { vector += ["--max-message-size", String(maxMessageSize)] }
        if let actorThreads { vector += ["--actor-threads", String(actorThreads)] }
        if !seeds.isEmpty { vector += ["--seeds", seeds.map(\.description).joined(separator: ",")] }
        if bootstrap { vector += ["--bootstrap", "true"] }
        if idleLinkTimeout != Self.defaultIdleLinkTimeout { vector += ["--idle-link-timeout", String(idleLinkTimeout)] }
        return vector
    }

    /// Parses `vector` (without the program name); throws one line saying what is wrong.
    /// `program` is the name the usage line gives.
    public init(parsing vector: [String], program: String = "ensemble-node") throws(NodeArgumentsError) {
        var positional: [String] = []
        var options: [String: String] = [:]
        var index = 0
        while index < vector.count {
            let word = vector[index]
            if word.hasPrefix("--") {
                let name = String(word.dropFirst(2))
                guard Self.optionNames.contains(name) else { throw NodeArgumentsError("unknown option \(word)") }
                guard index + 1 < vector.count else { throw NodeArgumentsError("\(word) needs a value") }
                options[name] = vector[index + 1]
                index += 2
            } else {
                positional.append(word)
                index += 1
            }
        }
        guard (1...2).contains(positional.count) else { throw NodeArgumentsError("usage: \(program) PORT [CAPS] --leader HOST:PORT ...") }
        guard let port = UInt16(positional[0]), port > 0 else { throw NodeArgumentsError("PORT must be 1-65535, not '\(positional[0])'") }
        let leaderText = options["leader"] ?? "127.0.0.1:1900"
        guard let leader = NodeAddress(parsing: leaderText) else { throw NodeArgumentsError("--leader must be HOST:PORT or PORT, not '\(leaderText)'") }
        let timeoutText = options["join-timeout"] ?? "5"
        guard let joinTimeout = Double(timeoutText), joinTimeout > 0, joinTimeout <= 3600 else {
            throw NodeArgumentsError("--join-timeout must be more than 0 and at most 3600 seconds, not '\(timeoutText)'")
        }
        let logLevel = options["log-level"] ?? "info"
        guard Logger.Level(rawValue: logLevel) != nil else { throw NodeArgumentsError("unknown --log-level '\(logLevel)'") }
        guard let stateDirectory = options["state-dir"], !stateDirectory.isEmpty else { throw NodeArgumentsError("--state-dir is required") }
        let benchText = options["bench-actors"] ?? "false"
        guard let benchActors = Bool(benchText) else { throw NodeArgumentsError("--bench-actors must be true or false, not '\(benchText)'") }
        let sizeText = options["max-message-size"] ?? String(MessageSize.defaultLimit)
        guard let maxMessageSize = MessageSize.parse(sizeText) else {
            throw NodeArgumentsError("--max-message-size must be \(MessageSize.rangeText), not '\(sizeText)'")
        }
        var actorThreads: Int?
        if let threadsText = options["actor-threads"] {
            guard let threads = Int(threadsText), Self.actorThreadRange.contains(threads) else {
                throw NodeArgumentsError("--actor-threads must be \(Self.actorThreadRangeText), not '\(threadsText)'")
            }
            actorThreads = threads
        }
        var seeds: [NodeAddress] = []
        if let seedsText = options["seeds"] {
            guard let parsed = try? NodeAddress.list(parsing: seedsText) else {
                throw NodeArgumentsError("--seeds must be a comma-separated list of HOST:PORT or PORT, not '\(seedsText)'")
            }
            seeds = parsed
        }
        let bootstrapText = options["bootstrap"] ?? "false"
        guard let bootstrap = Bool(bootstrapText) else { throw NodeArgumentsError("--bootstrap must be true or false, not '\(bootstrapText)'") }
        let idleText = options["idle-link-timeout"] ?? String(Self.defaultIdleLinkTimeout)
        guard let idleLinkTimeout = Double(idleText), Self.idleLinkTimeoutRange.contains(idleLinkTimeout) else {
            throw NodeArgumentsError("--idle-link-timeout must be \(Self.idleLinkTimeoutRangeText) seconds, not '\(idleText)'")
        }
        self.init(
            port: port, capabilities: positional.count > 1 ? positional[1] : "", leader: leader,
            host: options["host"] ?? "127.0.0.1", advertise: options["advertise"], stateDirectory: stateDirectory,
            joinTimeout: joinTimeout, logLevel: logLevel, curveDirectory: options["curve"],
            maxMessageSize: maxMessageSize, actorThreads: actorThreads)
        self.benchActors = benchActors
        self.seeds = seeds
        self.bootstrap = bootstrap
        self.idleLinkTimeout = idleLinkTimeout
    }

    /// `--idle-link-timeout`'s default, in seconds.
    public static let defaultIdleLinkTimeout: Double = 60
    /// The idle link timeouts a node accepts, in seconds (0: never close).
    public static let idleLinkTimeoutRange: ClosedRange<Double> = 0...86_400
    /// `idleLinkTimeoutRange` as a user reads it.
    public static var idleLinkTimeoutRangeText: String { "0-86400" }

    /// The worker thread counts a node accepts.
    public static let actorThreadRange = 1...NodeConfiguration.actorThreadLimit
    /// `actorThreadRange` as a user reads it.
    public static var actorThreadRangeText: String { "\(actorThreadRange.lowerBound)-\(actorThreadRange.upperBound)" }

    private static let optionNames: Set<String> = [
        "leader", "host", "advertise", "state-dir", "join-timeout", "log-level", "curve", "bench-actors", "max-message-size",
        "actor-threads", "seeds", "bootstrap", "idle-link-timeout",
    ]

    /// The node's configuration, without keys (`NodeMain.run(_:actorTypes:messages:)` loads them).
    public var configuration: NodeConfiguration {
        var configuration = NodeConfiguration(
            port: port, capabilities: Capabilities(parsing: capabilities), leader: leader,
            bindHost: host, advertiseHost: advertise)
        configuration.maxMessageSize = maxMessageSize
        if let actorThreads { configuration.actorThreads = actorThreads }
        configuration.seeds = seeds
        configuration.bootstrap = bootstrap
        configuration.idleLinkTimeout = idleLinkTimeout > 0 ? .milliseconds(Int((idleLinkTimeout * 1000).rounded())) : nil
        return configuration
    }
}

/// A node argument vector that cannot be used.
public struct NodeArgumentsError: Error, Sendable, CustomStringConvertible {
    /// One line saying why.
    public let message: String
    init(_ message: String) { self.message = message }
    public var description: String { message }
}
