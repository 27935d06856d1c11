import Foundation
import Testing
import ZMQ
@testable import Ensemble

/// CurveZMQ conventions driven through the built binary: keys made with
/// `ensemble keygen` and copied as docs/operations.md tells an operator.
@Suite(.serialized)
struct CurveTests {
    static let text = "This is a multi-system test"

    @Test func keygenWritesAPrivateSecretKeyAndNeverOverwrites() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let directory = "\(cluster.stateDir)/keys/node"
        let made = try CLIRunner.run(["keygen", directory])
        #expect(made.status == 0, "keygen failed: \(made.stderr)")
        let secret = try keyFile("\(directory)/secret.key")
        let publicKey = try keyFile("\(directory)/public.key")
        for key in [secret, publicKey] {
            #expect(key.count == 40)
            #expect(ZMQCurve.isKey(key), "\(key) is not Z85")
        }
        #expect(ZMQCurve.publicKey(forSecretKey: secret) == publicKey)
        #expect(made.stdout.contains(publicKey))
        #expect(!made.stdout.contains(secret) && !made.stderr.contains(secret))
        #expect(try mode("\(directory)/secret.key") == 0o600)

        let again = try CLIRunner.run(["keygen", directory])
        #expect(again.status != 0)
        #expect(again.stderr.split(separator: "\n").count == 1, "stderr: \(again.stderr)")
        #expect(again.stderr.contains("\(directory)/secret.key already exists"))
        #expect(try keyFile("\(directory)/secret.key") == secret)
        #expect(try keyFile("\(directory)/public.key") == publicKey)
    }

    @Test func anAuthorizedConventionServesAndRefusesClientsWithoutTheRightKey() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let keys = try CurveKeyring(root: "\(cluster.stateDir)/keys")
        let members = try cluster.startCurveConvention(keys)
        let m1 = members[0]

        // Before any mail opened a link: the leader asks each member for its actors over the member's
        // own connection, over CurveZMQ, and each answers there (none is asked again over a link).
        let linksBefore = try cluster.metric("ensemble_links_opened_total", curve: keys["user"])
        let report = try status(cluster, keys["user"])
        #expect((report["unreachable"] as? [Any])?.isEmpty == true, "\(report)")
        #expect(try cluster.metric("ensemble_connection_asks_unanswered_total", curve: keys["user"]) == 0)
        #expect(try cluster.metric("ensemble_links_opened_total", curve: keys["user"]) == linksBefore)
        // Asked of a member, over CurveZMQ too, the status takes the actors from the leader's report,
        // which comes back over the member's own connection: no link opens there either.
        let fromLeader = "ensemble_statuses_from_leader_total"
        let (memberLinks, fromLeaderBefore) = (try cluster.metric("ensemble_links_opened_total", of: m1, curve: keys["user"]),
                                               try cluster.metric(fromLeader, of: m1, curve: keys["user"]))
        let atMember = try status(cluster, keys["user"], port: m1)
        #expect((atMember["unreachable"] as? [Any])?.isEmpty == true, "\(atMember)")
        #expect(try cluster.metric(fromLeader, of: m1, curve: keys["user"]) == fromLeaderBefore + 1)
        #expect(try cluster.metric("ensemble_links_opened_total", of: m1, curve: keys["user"]) == memberLinks)
        #expect(try cluster.metric("ensemble_links_opened_total", curve: keys["user"]) == linksBefore)

        let first = try cluster.app(Self.text, extra: ["--curve", keys["user"]])
        #expect(first.status == 0, "app failed: \(first.stderr)")
        #expect(Set(first.lines) == walkthroughReports)
        // Each member is listed with the key it joined with.
        let listed = try memberList(cluster, keys["user"])
        for (name, port) in [("leader", cluster.leaderPort), ("m1", m1), ("m2", members[1])] {
            let entry = listed.first { $0["address"] as? String == "127.0.0.1:\(port)" }
            let key = try keyFile("\(keys[name])/public.key")
            #expect(entry?["publicKey"] as? String == key, "\(name)'s key in status")
        }
        // Every member's metrics in one exposition: each member asked over CurveZMQ, its key from the view.
        let metrics = try cluster.run(["status", "--metrics", "--all", "--curve", keys["user"]])
        #expect(metrics.status == 0, "status --metrics --all: \(metrics.stderr)")
        #expect(PrometheusText.problems(in: metrics.stdout) == [])
        for port in [cluster.leaderPort] + members {
            #expect(PrometheusText.value("ensemble_metrics_up", ["node": "127.0.0.1:\(port)"], in: metrics.stdout) == 1)
            #expect(PrometheusText.value("ensemble_members", ["node": "127.0.0.1:\(port)"], in: metrics.stdout) == 3)
        }
        // The dashboard with the same client key: the status, every member's metrics, the events.
        let dashboard = try DashboardProcess(cluster, ["--curve", keys["user"]])
        defer { dashboard.stop(signal: SIGKILL) }
        let page = try dashboard.get("/api/status")
        #expect(page.status == 200, "\(page.body)")
        let served = try dashboard.get("/metrics").body
        for port in [cluster.leaderPort] + members {
            #expect(PrometheusText.value("ensemble_metrics_up", ["node": "127.0.0.1:\(port)"], in: served) == 1, "\(served)")
        }
        let stream = try HTTPProbe.stream(port: dashboard.port, path: "/api/events", timeout: 30) { $0.contains("\"kind\":\"joined\"") }
        #expect(stream.body.contains("\"kind\":\"joined\""), "\(stream.body)")
        #expect(dashboard.stop().status == 0)
        // A key nobody lists: the dashboard serves, and says the convention refused it.
        let stranger = try DashboardProcess(cluster, ["--curve", keys["stranger"]])
        defer { stranger.stop(signal: SIGKILL) }
        let refusedPage = try stranger.get("/api/status")
        #expect(refusedPage.status == 503 && refusedPage.body.contains("refused"), "\(refusedPage.body)")

        // ENSEMBLE_CURVE stands for --curve.
        let fromEnvironment = try CLIRunner.run(["status"] + cluster.common, environment: ["ENSEMBLE_CURVE": keys["user"]])
        #expect(fromEnvironment.status == 0, "status with ENSEMBLE_CURVE: \(fromEnvironment.stderr)")

        // Plain text, and a key nobody lists: refused by the handshake, with one line, before any timeout.
        for (arguments, input) in [(["status"], ""), (["app"], Self.text), (["status", "--curve", keys["stranger"]], ""),
                                   (["app", "--curve", keys["stranger"]], Self.text)] {
            let refused = try cluster.run(arguments, input: input)
            #expect(refused.status != 0 && !refused.timedOut, "\(arguments) was not refused: \(refused.stdout)")
            #expect(refused.stdout.isEmpty)
            #expect(refused.stderr.split(separator: "\n").count == 1, "\(arguments): \(refused.stderr)")
            #expect(refused.stderr.contains("refused"), "\(arguments): \(refused.stderr)")
        }

        // A key in clients/ but not in admin/ cannot stop, change capabilities or kill.
        let morse = try #require(try actors(cluster, keys["user"]).first { $0["type"] as? String == "MorseEncoder" })
        let morseAddress = try #require(morse["address"] as? String)
        for arguments in [["stop", String(m1)], ["chgcap", String(m1), "+", "64bit encoder"], ["kill", morseAddress]] {
            let refused = try cluster.run(arguments + ["--curve", keys["user"]])
            #expect(refused.status != 0, "\(arguments) was not refused")
            #expect(refused.stderr.split(separator: "\n").count == 1, "\(arguments): \(refused.stderr)")
            #expect(refused.stderr.contains("refused: this key is not in admin/ of"), "\(arguments): \(refused.stderr)")
        }
        let m1Counters = try counters(cluster, keys["user"], port: m1)
        #expect(m1Counters["curveAdminRefusals"] == 3, "\(m1Counters)")
        #expect(try capabilities(cluster, keys["user"], of: m1) == ["morse", "Caesar cipher"])

        // Still serving; and the same requests pass with an admin key. An accepted stop or kill
        // acts after its answer: so its effects are looked for only after a whole app run.
        let second = try cluster.app(Self.text, extra: ["--curve", keys["user"]])
        #expect(second.status == 0, "app after the refusals: \(second.stderr)")
        #expect(Set(second.lines) == walkthroughReports)
        let after = try actors(cluster, keys["user"]).first { $0["address"] as? String == morseAddress }
        #expect(after?["restarts"] as? Int == 0, "the refused kill restarted the encoder")
        let allowed = try cluster.run(["chgcap", String(m1), "+", "extra", "--curve", keys["admin"]])
        // m1 answering this proves the refused stop left it running.
        #expect(allowed.status == 0, "admin chgcap (did the refused stop stop m1?): \(allowed.stderr)")
        // The change reaches the other member over the leader's CurveZMQ PUB channel.
        let published = eventually {
            let seen = (try? status(cluster, keys["user"], port: members[1]))?["members"] as? [[String: Any]] ?? []
            let entry = seen.first { $0["address"] as? String == "127.0.0.1:\(m1)" }
            return (entry?["capabilities"] as? [String])?.contains("extra") == true
        }
        #expect(published, "m2 never saw m1's new capability")
        let pid = try #require(cluster.pid(m1))
        #expect(isRunning(pid), "the refused stop stopped m1")
        let stopped = try cluster.run(["stop", String(members[1]), "--curve", keys["admin"]])
        #expect(stopped.status == 0, "admin stop: \(stopped.stderr)")
    }

    @Test func aNodeJoinsOnlyWithAnAcceptedKeyAndSpeaksOnlyForItself() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let keys = try CurveKeyring(root: "\(cluster.stateDir)/keys")
        let members = try cluster.startCurveConvention(keys)

        // A node with a key the leader does not list, and a plain-text node: neither gets in.
        for extra in [["--curve", keys["stranger"]], []] {
            let port = try FreePorts.one()
            let start = try cluster.start(port, "morse", extra: extra)
            #expect(start.status != 0, "a node with \(extra) was let in: \(start.stdout)")
            #expect(start.stderr.split(separator: "\n").count == 1, "start: \(start.stderr)")
            #expect(start.stderr.contains("refused"), "start: \(start.stderr)")
            #expect(eventually(timeout: 10) { !ListeningSocket.anyListener(port: port) }, "the refused node on \(port) still runs")
            let listed = try memberAddresses(cluster, keys["user"])
            #expect(!listed.contains("127.0.0.1:\(port)"), "the leader lists the refused node \(port)")
        }
        #expect((try counters(cluster, keys["user"])["curveHandshakeRefusals"] ?? 0) >= 1)

        // A client key posing as member m1: a newer-life JOIN to the leader, and a create
        // request to m2 (where m1's own identity is free, m1 never having talked to m2).
        let m1 = NodeAddress(host: "127.0.0.1", port: members[0])
        let m2 = NodeAddress(host: "127.0.0.1", port: members[1])
        let life = try #require(try memberLives(cluster, keys["user"])[m1])
        let user = try CurveCredentials.load(directory: keys["user"], role: .client)
        let m2Key = try CurveCredentials.load(directory: keys["m2"], role: .member).keyPair.publicKey
        let leaderLife = NodeID(address: NodeAddress(host: "127.0.0.1", port: cluster.leaderPort), incarnation: 0)
        let newer = NodeID(address: m1, incarnation: life.incarnation + 1)
        let join = JoinRequest(node: newer, capabilities: Capabilities(["morse"]), load: 0,
                               protocolVersion: Envelope.protocolVersion, publicKey: user.keyPair.publicKey)
        try sendAsNode(newer, .join(join), to: leaderLife, serverKey: try #require(user.leaderKey), with: user)
        let create = CreateRequest(typeName: "Encoder", parent: nil, globalName: nil)
        try sendAsNode(life, .create(create), to: NodeID(address: m2, incarnation: 0), serverKey: m2Key, with: user)
        for port in [cluster.leaderPort, members[1]] {
            let counted = eventually {
                let mismatches = (try? counters(cluster, keys["user"], port: port))?["curveKeyMismatches"] ?? 0
                return mismatches >= 1
            }
            #expect(counted, "\(port) did not count a forgery: \(String(describing: try? counters(cluster, keys["user"], port: port)))")
        }
        #expect(try memberLives(cluster, keys["user"])[m1] == life, "a forged JOIN replaced \(life)")
        let onM2 = try actors(cluster, keys["user"]).filter { ($0["node"] as? String) == m2.description }
        #expect(!onM2.contains { $0["type"] as? String == "Encoder" }, "a forged create made an actor on m2")
        let result = try cluster.app(Self.text, extra: ["--curve", keys["user"]])
        #expect(result.status == 0, "app after the forgeries: \(result.stderr)")
        #expect(Set(result.lines) == walkthroughReports)
    }

    // MARK: Helpers

    private func status(_ cluster: TestCluster, _ keys: String, port: UInt16? = nil) throws -> [String: Any] {
        let result = try cluster.run(["status", "--json", "--curve", keys] + (port.map { [String($0)] } ?? []))
        try #require(result.status == 0, "status failed: \(result.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    }

    private func counters(_ cluster: TestCluster, _ keys: String, port: UInt16? = nil) throws -> [String: Int] {
        try status(cluster, keys, port: port)["counters"] as? [String: Int] ?? [:]
    }

    private func actors(_ cluster: TestCluster, _ keys: String) throws -> [[String: Any]] {
        try status(cluster, keys)["actors"] as? [[String: Any]] ?? []
    }

    private func memberList(_ cluster: TestCluster, _ keys: String) throws -> [[String: Any]] {
        try status(cluster, keys)["members"] as? [[String: Any]] ?? []
    }

    private func memberAddresses(_ cluster: TestCluster, _ keys: String) throws -> [String] {
        try memberList(cluster, keys).compactMap { $0["address"] as? String }
    }

    private func memberLives(_ cluster: TestCluster, _ keys: String) throws -> [NodeAddress: NodeID] {
        var lives: [NodeAddress: NodeID] = [:]
        for member in try memberList(cluster, keys) {
            if let address = member["address"] as? String, let incarnation = member["incarnation"] as? String,
                let life = NodeID(parsing: "\(address)@\(incarnation)")
            {
                lives[life.address] = life
            }
        }
        return lives
    }

    private func capabilities(_ cluster: TestCluster, _ keys: String, of port: UInt16) throws -> Set<String> {
        let member = try memberList(cluster, keys).first { $0["address"] as? String == "127.0.0.1:\(port)" }
        return Set(member?["capabilities"] as? [String] ?? [])
    }

    /// Sends one control message on a DEALER named after `life`, authenticated with `credentials` (not that node's keys).
    private func sendAsNode(
        _ life: NodeID, _ control: ControlRequest, to target: NodeID, serverKey: CurveKey, with credentials: CurveCredentials
    ) throws {
        let context = try ZMQContext()
        // The context outlives its socket: terminating it with the socket open would block forever.
        try withExtendedLifetime(context) {
            let socket = try ZMQSocket(context: context, type: .dealer)
            defer { socket.close() }
            try socket.set(.linger, 2000)
            try socket.set(.routingID, Array("N\(life)".utf8))
            try socket.makeCurveClient(
                serverKey: serverKey.z85, publicKey: credentials.keyPair.publicKey.z85, secretKey: credentials.keyPair.secretKey.z85)
            try socket.connect(target.address.endpoint)
            let envelope = try Envelope(control: control, sender: .system(life), recipient: .system(target))
            // A DEALER queues whatever its connection state; whether it arrived is what the callers check (counters).
            #expect(try socket.send([envelope.encoded()]) == .done)
        }
    }

    private func keyFile(_ path: String) throws -> String {
        try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private func mode(_ path: String) throws -> Int {
        try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
    }
}

/// Key directories for a convention of a leader and two members, an admin and a
/// user (operators), and a stranger whose key no node lists; made with `ensemble
/// keygen` and wired as docs/operations.md says: node keys in every node's
/// `members/`, the user's in `clients/`, the admin's in `admin/`.
struct CurveKeyring {
    let root: String

    init(root: String) throws {
        self.root = root
        let nodes = ["leader", "m1", "m2"]
        for name in nodes + ["admin", "user", "stranger"] {
            let made = try CLIRunner.run(["keygen", "\(root)/\(name)"])
            try #require(made.status == 0, "keygen \(name): \(made.stderr)")
        }
        let files = FileManager.default
        for node in nodes {
            for member in nodes {
                try files.copyItem(atPath: "\(root)/\(member)/public.key", toPath: "\(root)/\(node)/members/\(member).pub")
            }
            try files.copyItem(atPath: "\(root)/user/public.key", toPath: "\(root)/\(node)/clients/user.pub")
            try files.copyItem(atPath: "\(root)/admin/public.key", toPath: "\(root)/\(node)/admin/admin.pub")
        }
        for name in ["m1", "m2", "admin", "user", "stranger"] {
            try files.copyItem(atPath: "\(root)/leader/public.key", toPath: "\(root)/\(name)/leader.pub")
        }
    }

    subscript(name: String) -> String { "\(root)/\(name)" }
}

extension TestCluster {
    /// Starts the walkthrough's leader and two members (m1 `morse,Caesar cipher`, m2 `64bit encoder`),
    /// each with its own keys from `keys`; returns the members' ports.
    func startCurveConvention(_ keys: CurveKeyring) throws -> [UInt16] {
        curve = keys["admin"]
        let leader = try start(leaderPort, extra: ["--curve", keys["leader"]])
        try #require(leader.status == 0, "leader start failed: \(leader.stderr)")
        var members: [UInt16] = []
        for (name, capabilities) in [("m1", "morse,Caesar cipher"), ("m2", "64bit encoder")] {
            let port = try FreePorts.one()
            let started = try start(port, capabilities, extra: ["--curve", keys[name]])
            try #require(started.status == 0, "\(name) start failed: \(started.stderr)")
            members.append(port)
        }
        return members
    }
}

extension Array where Element == UInt16 {
    /// The first two ports, for a convention's two members.
    var pair: (UInt16, UInt16) { (self[0], self[1]) }
}
