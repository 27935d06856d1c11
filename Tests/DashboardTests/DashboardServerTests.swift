import EnsembleDashboard
import Foundation
import Logging
import Synchronization
import TestSupport
import Testing

/// The server on a real socket, with a source the test controls.
@Suite(.serialized) struct DashboardServerTests {
    @Test func thePageAndWhatItLoadsComeFromTheDashboardOnly() async throws {
        try await withServer { port, _, _ in
            let page = try await get(port, "/")
            #expect(page.status == 200)
            #expect(page.headers["content-type"]?.hasPrefix("text/html") == true)
            #expect(page.headers["content-security-policy"]?.contains("default-src 'self'") == true)
            // Every src and href is the dashboard's own path (or inline data), never another host.
            let references = Self.attributes(["src", "href"], in: page.body)
            #expect(Set(references) == ["/style.css", "/app.js", "/metrics", "/api/status", "data:,"], "\(references)")
            let script = try await get(port, "/app.js")
            #expect(script.status == 200 && script.headers["content-type"]?.hasPrefix("text/javascript") == true)
            #expect(script.body.contains("new EventSource(\"/api/events\")"))
            // The script writes data as text: no markup is built from it.
            #expect(!script.body.contains("innerHTML") && !script.body.contains("outerHTML") && !script.body.contains("insertAdjacentHTML"))
            // The one URL in it is the SVG namespace, which is a name, not a fetch.
            #expect(Self.urls(in: script.body) == ["http://www.w3.org/2000/svg"])
            let style = try await get(port, "/style.css")
            #expect(style.status == 200 && Self.urls(in: style.body).isEmpty && !style.body.contains("@import"))
        }
    }

    @Test func statusAndMetricsAreTheSourcesDocuments() async throws {
        try await withServer { port, source, _ in
            source.set(status: "{\"schemaVersion\":1}", metrics: "# TYPE up gauge\nup{node=\"a\"} 1\n")
            let status = try await get(port, "/api/status")
            #expect(status.status == 200 && status.headers["content-type"] == "application/json")
            #expect(status.body == "{\"schemaVersion\":1}")
            let metrics = try await get(port, "/metrics")
            #expect(metrics.status == 200)
            #expect(metrics.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")
            #expect(metrics.body == "# TYPE up gauge\nup{node=\"a\"} 1\n")
            #expect(source.calls == 2)
        }
    }

    @Test func aConventionThatCannotBeAskedIsA503WithItsReason() async throws {
        try await withServer { port, source, _ in
            source.set(failure: "no node answers at \"127.0.0.1:1\"")
            let status = try await get(port, "/api/status")
            #expect(status.status == 503)
            #expect(status.body == "{\"error\":\"no node answers at \\\"127.0.0.1:1\\\"\"}")
            let metrics = try await get(port, "/metrics")
            #expect(metrics.status == 503 && metrics.body == "no node answers at \"127.0.0.1:1\"\n")
        }
    }

    @Test func nothingButReadingIsServed() async throws {
        try await withServer { port, source, _ in
            for method in ["POST", "PUT", "DELETE", "PATCH"] {
                for path in ["/", "/api/status", "/metrics", "/api/events", "/api/chgcap"] {
                    let answer = try await HTTPProbe.onThread { try HTTPProbe.request(method, port: port, path: path) }
                    #expect(!(200..<300).contains(answer.status), "\(method) \(path) answered \(answer.status)")
                }
            }
            #expect(try await get(port, "/api/anything").status == 404)
            #expect(source.calls == 0)
        }
    }

    @Test func theEventStreamGivesTheBacklogThenLiveEntriesAndResumesAfterTheLastSeen() async throws {
        // A reader that went is noticed at the next write: a keep-alive, often here.
        try await withServer(keepAlive: .milliseconds(200)) { port, _, feed in
            await feed.publish(kind: "convention", json: "{\"sequence\":1}")
            await feed.publish(kind: "notice", json: "{\"state\":\"following\"}")
            let publisher = Task {
                // Published while the reader waits: it comes as it happens.
                try await Task.sleep(for: .milliseconds(300))
                await feed.publish(kind: "convention", json: "{\"sequence\":2}")
            }
            let stream = try await HTTPProbe.onThread {
                try HTTPProbe.stream(port: port, path: "/api/events", timeout: 20) { $0.contains("\"sequence\":2}\n\n") }
            }
            try await publisher.value
            #expect(stream.status == 200)
            #expect(stream.headers["content-type"] == "text/event-stream; charset=utf-8")
            #expect(stream.body.replacingOccurrences(of: ServerSentEvent.keepAlive, with: "") == """
                id: 1
                event: convention
                data: {"sequence":1}

                id: 2
                event: notice
                data: {"state":"following"}

                id: 3
                event: convention
                data: {"sequence":2}


                """)
            // A page that reconnects says the last id it saw, and gets only what came after.
            let resumed = try await HTTPProbe.onThread {
                try HTTPProbe.stream(port: port, path: "/api/events", headers: ["Last-Event-ID": "2"], timeout: 20) {
                    $0.contains("id: 3")
                }
            }
            #expect(resumed.body.replacingOccurrences(of: ServerSentEvent.keepAlive, with: "") == "id: 3\nevent: convention\ndata: {\"sequence\":2}\n\n")
            // The readers went: their streams end and they are unsubscribed.
            #expect(await eventually { await feed.subscriberCount == 0 })
        }
    }

    @Test func aQuietStreamGetsKeepAlivesAndPagesBeyondTheLimitAreRefused() async throws {
        try await withServer(feed: EventFeed(capacity: 8, maxSubscribers: 1), keepAlive: .milliseconds(100)) { port, _, feed in
            let secondAnswered = Mutex(false)
            // The first page holds the feed's one place until the second has been refused.
            async let first = HTTPProbe.onThread {
                try HTTPProbe.stream(port: port, path: "/api/events", timeout: 30) {
                    $0.contains(": keep-alive\n\n: keep-alive\n\n") && secondAnswered.withLock { $0 }
                }
            }
            #expect(await eventually { await feed.subscriberCount == 1 })
            let second = try await get(port, "/api/events")
            secondAnswered.withLock { $0 = true }
            #expect(second.status == 503)
            #expect(second.body == "too many pages follow the events; try again later\n")
            let quiet = try await first
            #expect(quiet.status == 200)
            #expect(quiet.body.hasPrefix(": keep-alive\n\n: keep-alive\n\n"))
            #expect(quiet.body.replacingOccurrences(of: ": keep-alive\n\n", with: "").isEmpty)
            #expect(await eventually { await feed.subscriberCount == 0 })
        }
    }

    // MARK: Support

    private func get(_ port: Int, _ path: String) async throws -> HTTPAnswer {
        try await HTTPProbe.onThread { try HTTPProbe.request(port: port, path: path) }
    }

    private func withServer(
        feed: EventFeed = EventFeed(), keepAlive: Duration = .seconds(15),
        _ body: (Int, FakeSource, EventFeed) async throws -> Void
    ) async throws {
        let source = FakeSource()
        let server = DashboardServer(source: source, feed: feed, keepAliveInterval: keepAlive)
        let listening = Mutex<Int?>(nil)
        var logger = Logger(label: "dashboard-test")
        logger.logLevel = .critical
        let running = Task {
            try await server.run(host: "127.0.0.1", port: 0, shutdownSignals: [], logger: logger) { port in
                listening.withLock { $0 = port }
            }
        }
        defer { running.cancel() }
        #expect(await eventually(within: .seconds(60)) { listening.withLock { $0 } != nil })
        let port = try #require(listening.withLock { $0 })
        try await body(port, source, feed)
    }

    /// The values of `names` attributes in `html`.
    static func attributes(_ names: [String], in html: String) -> [String] {
        var found: [String] = []
        for name in names {
            var rest = html[...]
            while let range = rest.range(of: " \(name)=\"") {
                let value = rest[range.upperBound...].prefix { $0 != "\"" }
                found.append(String(value))
                rest = rest[range.upperBound...]
            }
        }
        return found
    }

    /// Every absolute URL in `text`.
    static func urls(in text: String) -> [String] {
        var found: [String] = []
        var rest = text[...]
        while let range = rest.range(of: "://") {
            let start = rest[..<range.lowerBound].lastIndex { !($0.isLetter) }.map { rest.index(after: $0) } ?? rest.startIndex
            let end = rest[range.upperBound...].firstIndex { $0 == "\"" || $0 == "'" || $0 == " " || $0 == ")" } ?? rest.endIndex
            found.append(String(rest[start..<end]))
            rest = rest[end...]
        }
        return found
    }
}

/// A source whose documents, or failure, the test sets; it counts the calls.
final class FakeSource: DashboardSource {
    private struct State {
        var status = "{}"
        var metrics = ""
        var failure: String?
        var calls = 0
    }

    private let state = Mutex(State())

    func set(status: String, metrics: String) {
        state.withLock {
            $0.status = status
            $0.metrics = metrics
            $0.failure = nil
        }
    }

    func set(failure: String) { state.withLock { $0.failure = failure } }

    var calls: Int { state.withLock { $0.calls } }

    func statusDocument() async throws -> String {
        let (text, failure) = state.withLock { state in
            state.calls += 1
            return (state.status, state.failure)
        }
        if let failure { throw DashboardUnavailable(failure) }
        return text
    }

    func metricsExposition() async throws -> String {
        let (text, failure) = state.withLock { state in
            state.calls += 1
            return (state.metrics, state.failure)
        }
        if let failure { throw DashboardUnavailable(failure) }
        return text
    }
}
