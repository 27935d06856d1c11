import Foundation
import Testing

/// The convention's message size limit (`--max-message-size`): up to it a message passes
/// every hop; past it the sender hears why, and `app` says which encoder failed, at once.
@Suite(.serialized)
struct LargeMessageTests {
    /// Words of the walkthrough's sentence, repeated to `bytes`: every encoder has work, Morse the most.
    static func text(bytes: Int) -> String {
        let words = ["This", "is", "a", "multi-system", "test"]
        var text = ""
        text.reserveCapacity(bytes + 16)
        var index = 0
        while text.utf8.count < bytes {
            text += words[index % words.count] + " "
            index += 1
        }
        return String(text.prefix(bytes))
    }

    @Test func messagesOverTheOldSixteenMebibytesPassEveryHop() throws {
        // 13 MB of text: the Base64 encoder's result travels with its input (30 MB) from its
        // member to the Acceptor, and both reports (13 and 17 MB) from the leader to the client.
        // Only Base64 and the identity Encoder are placed: Morse of that much text in a debug
        // build holds its node's I/O thread for long (handlers run there). Even so, the processes
        // read some 100 MB of text between them, which a debug build's protobuf decoder does at
        // about 0.3 µs a byte: half a minute alone, more beside other tests.
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        _ = try cluster.startWalkthrough(["64bit encoder"])
        let text = Self.text(bytes: 13_000_000)
        let result = try cluster.run(["app", "--timeout", "120"], input: text, timeout: 150)
        #expect(result.status == 2, "app: \(result.stderr)")
        let reports = Dictionary(result.lines.compactMap { line -> (String, Int)? in
            guard let encoder = line.split(separator: " ").first else { return nil }
            return (String(encoder), line.utf8.count)
        }, uniquingKeysWith: { first, _ in first })
        #expect(Set(reports.keys) == ["Encoder", "Base64Encoder"], "app: \(result.stderr)")
        // Each report carries its whole output: the text, and its base64 (4 bytes per 3).
        #expect((reports["Encoder"] ?? 0) > 13_000_000)
        #expect((reports["Base64Encoder"] ?? 0) > 17_300_000)
        #expect(result.stderr.contains("Rot13Encoder could not be placed") && result.stderr.contains("MorseEncoder could not be placed"))
    }

    @Test func aResultOverTheLimitIsNamedAtOnceAndTheRestArrive() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let small = ["--max-message-size", "1M"]
        try #require(try cluster.start(cluster.leaderPort, extra: small).status == 0)
        for capabilities in ["morse,Caesar cipher", "64bit encoder"] {
            let started = try cluster.start(try FreePorts.one(), capabilities, extra: small)
            try #require(started.status == 0, "member start: \(started.stderr)")
        }
        // 400 kB: Base64 (0.9 MB with its input) passes, Morse (1.7 MB) does not.
        let result = try cluster.app(Self.text(bytes: 400_000), extra: ["--timeout", "60"])
        #expect(result.status == 1, "app: \(result.stderr)")
        #expect(!result.timedOut)
        let encoders = Set(result.lines.compactMap { $0.split(separator: " ").first.map(String.init) })
        #expect(encoders == ["Encoder", "Base64Encoder", "Rot13Encoder"])
        let errors = result.stderr.split(separator: "\n")
        #expect(errors.count == 1, "stderr: \(result.stderr)")
        #expect(errors.first?.hasPrefix("ensemble app: MorseEncoder failed: its result is too large to send: a message of ") == true)
        #expect(errors.first?.contains("is larger than the convention's limit of 1048576 bytes (1 MiB)") == true)

        // The sending node counted it and says so in its log; nothing else was lost.
        let counters = try #require(try cluster.status()["counters"] as? [String: Int])
        #expect(counters["mailboxDrops"] == nil && counters["peerBacklogDrops"] == nil)

        // An input over the limit is not sent at all.
        let tooLarge = try cluster.app(Self.text(bytes: 1_100_000), extra: ["--timeout", "60"])
        #expect(tooLarge.status == 1)
        #expect(tooLarge.stdout.isEmpty)
        #expect(tooLarge.stderr.hasPrefix("ensemble app: the input of 1100000 bytes cannot be sent: a message of "),
                "stderr: \(tooLarge.stderr)")
        #expect(tooLarge.stderr.split(separator: "\n").count == 1)

        // Small requests still work as before.
        let small400 = try cluster.app("This is a multi-system test")
        #expect(small400.status == 0, "app: \(small400.stderr)")
        #expect(Set(small400.lines) == walkthroughReports)
    }

    @Test func aNodeWithAnotherLimitIsRefusedNamingBoth() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        try #require(try cluster.start(cluster.leaderPort).status == 0)
        let port = try FreePorts.one()
        let refused = try cluster.start(port, "morse", extra: ["--max-message-size", "16M"])
        #expect(refused.status != 0)
        #expect(refused.stderr.split(separator: "\n").count == 1, "start: \(refused.stderr)")
        #expect(refused.stderr.contains("\(16 << 20) bytes") && refused.stderr.contains("\(64 << 20) bytes"),
                "start: \(refused.stderr)")
        #expect(eventually(timeout: 10) { !ListeningSocket.anyListener(port: port) }, "the refused node still runs")
        let bad = try cluster.run(["start", String(port), "--max-message-size", "12Q"])
        #expect(bad.status != 0 && bad.stderr.contains("--max-message-size"))
    }
}
