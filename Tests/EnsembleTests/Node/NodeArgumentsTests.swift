import Ensemble
import NodeLauncher
import Testing

/// The argument vector `ensemble start` hands to `ensemble-node` (or a `--node-binary`).
struct NodeArgumentsTests {
    let example = NodeArguments(
        port: 10000, capabilities: "morse,Caesar cipher", leader: NodeAddress(host: "10.0.0.1", port: 1900),
        host: "0.0.0.0", advertise: "node-a.example", stateDirectory: "/run/ensemble", joinTimeout: 2.5, logLevel: "debug")

    @Test func theVectorParsesBackToTheSameArguments() throws {
        #expect(try NodeArguments(parsing: example.vector) == example)
        var plain = example
        plain.advertise = nil
        plain.capabilities = ""
        #expect(try NodeArguments(parsing: plain.vector) == plain)
    }

    /// Only `ensemble bench` asks for the bench's actors; a node started by a user never has them.
    @Test func benchActorsAreOffUnlessAsked() throws {
        #expect(!example.benchActors)
        #expect(!example.vector.contains("--bench-actors"))
        var bench = example
        bench.benchActors = true
        #expect(bench.vector.suffix(2) == ["--bench-actors", "true"])
        #expect(try NodeArguments(parsing: bench.vector) == bench)
        #expect(try NodeArguments(parsing: ["10000", "--state-dir", "/tmp/x"]).benchActors == false)
    }

    /// One worker per CPU unless `--actor-threads` says otherwise.
    @Test func actorThreadsTravelOnlyWhenSet() throws {
        #expect(!example.vector.contains("--actor-threads"))
        #expect(example.configuration.actorThreads == NodeConfiguration.defaultActorThreads)
        var threads = example
        threads.actorThreads = 3
        #expect(threads.vector.suffix(2) == ["--actor-threads", "3"])
        #expect(try NodeArguments(parsing: threads.vector) == threads)
        #expect(threads.configuration.actorThreads == 3)
    }

    /// Links close after a minute unused unless `--idle-link-timeout` says otherwise; 0 never closes them.
    @Test func idleLinkTimeoutTravelsOnlyWhenSet() throws {
        #expect(!example.vector.contains("--idle-link-timeout"))
        #expect(example.configuration.idleLinkTimeout == .seconds(60))
        var short = example
        short.idleLinkTimeout = 1.5
        #expect(short.vector.suffix(2) == ["--idle-link-timeout", "1.5"])
        #expect(try NodeArguments(parsing: short.vector) == short)
        #expect(short.configuration.idleLinkTimeout == .milliseconds(1500))
        var never = example
        never.idleLinkTimeout = 0
        #expect(try NodeArguments(parsing: never.vector).configuration.idleLinkTimeout == nil)
    }

    @Test func theConfigurationCarriesEverySetting() {
        let configuration = example.configuration
        #expect(configuration.port == 10000)
        #expect(configuration.capabilities == Capabilities(["morse", "Caesar cipher"]))
        #expect(configuration.leader == NodeAddress(host: "10.0.0.1", port: 1900))
        #expect(configuration.bindHost == "0.0.0.0")
        #expect(configuration.advertisedAddress == NodeAddress(host: "node-a.example", port: 10000))
    }

    /// The usage line names the program parsing it: `ensemble-node` unless told otherwise.
    @Test func theUsageLineNamesTheProgram() {
        #expect(throws: NodeArgumentsError.self) { try NodeArguments(parsing: []) }
        #expect { _ = try NodeArguments(parsing: []) } throws: { "\($0)" == "usage: ensemble-node PORT [CAPS] --leader HOST:PORT ..." }
        #expect { _ = try NodeArguments(parsing: [], program: "greeter-node") } throws: {
            "\($0)" == "usage: greeter-node PORT [CAPS] --leader HOST:PORT ..."
        }
    }

    @Test(arguments: [
        (["10000", "--state-dir", "/tmp/x", "--bogus", "1"], "unknown option --bogus"),
        (["0", "--state-dir", "/tmp/x"], "PORT must be 1-65535"),
        (["10000"], "--state-dir is required"),
        (["10000", "--state-dir", "/tmp/x", "--leader", "nowhere:"], "--leader must be"),
        (["10000", "--state-dir", "/tmp/x", "--join-timeout", "-1"], "--join-timeout must be"),
        (["10000", "--state-dir", "/tmp/x", "--log-level", "loud"], "unknown --log-level"),
        (["10000", "--state-dir"], "--state-dir needs a value"),
        (["10000", "a", "b", "--state-dir", "/tmp/x"], "usage:"),
        (["10000", "--state-dir", "/tmp/x", "--bench-actors", "yes"], "--bench-actors must be true or false"),
        (["10000", "--state-dir", "/tmp/x", "--actor-threads", "0"], "--actor-threads must be 1-256, not '0'"),
        (["10000", "--state-dir", "/tmp/x", "--actor-threads", "257"], "--actor-threads must be 1-256, not '257'"),
        (["10000", "--state-dir", "/tmp/x", "--actor-threads", "two"], "--actor-threads must be 1-256, not 'two'"),
        (["10000", "--state-dir", "/tmp/x", "--idle-link-timeout", "-1"], "--idle-link-timeout must be 0-86400 seconds, not '-1'"),
        (["10000", "--state-dir", "/tmp/x", "--idle-link-timeout", "nan"], "--idle-link-timeout must be 0-86400 seconds, not 'nan'"),
    ])
    func badVectorsSayWhatIsWrong(vector: [String], expected: String) {
        #expect {
            _ = try NodeArguments(parsing: vector)
        } throws: { error in
            "\(error)".contains(expected)
        }
    }
}
