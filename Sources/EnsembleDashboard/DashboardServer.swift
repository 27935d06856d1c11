import FoundationEssentials
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import UnixSignals

#if canImport(Glibc)
import Glibc
#endif

/// `ensemble dashboard`'s HTTP server: the page, `/api/status`, `/metrics` and the
/// `/api/events` stream. Read-only: it serves GET only, and nothing it serves acts on the
/// convention.
public struct DashboardServer: Sendable {
    /// Where the documents come from.
    public let source: any DashboardSource
    /// The live feed the page follows.
    public let feed: EventFeed
    /// How often a quiet event stream gets a comment line, so a reader that went away is noticed.
    public var keepAliveInterval: Duration

    /// Creates a server of `source`'s documents and `feed`'s events.
    public init(source: any DashboardSource, feed: EventFeed, keepAliveInterval: Duration = .seconds(15)) {
        self.source = source
        self.feed = feed
        self.keepAliveInterval = keepAliveInterval
    }

    /// Serves on `host:port` (port 0: one the system picks) until one of `shutdownSignals`
    /// comes (a graceful shutdown: open event streams end, then the server stops) or the task
    /// is cancelled, with `services` run beside the server and shut down after it.
    /// `onListening` is called with the port once the server accepts connections.
    /// - Throws: `DashboardListenError` when the address cannot be listened on.
    public func run(
        host: String, port: Int, services: [any Service] = [], shutdownSignals: [UnixSignal] = [.sigterm, .sigint],
        logger: Logger, onListening: @escaping @Sendable (Int) async -> Void
    ) async throws {
        var application = Application(
            router: router(),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "ensemble-dashboard"),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? port) },
            logger: logger)
        application.addServices(services)
        do {
            try await application.runService(gracefulShutdownSignals: shutdownSignals)
        } catch let error as IOError {
            throw DashboardListenError(host: host, port: port, errno: error.errnoCode)
        }
    }

    /// The routes.
    func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/") { _, _ in Self.document(DashboardPage.html, type: "text/html; charset=utf-8") }
        router.get("/app.js") { _, _ in Self.document(DashboardPage.script, type: "text/javascript; charset=utf-8") }
        router.get("/style.css") { _, _ in Self.document(DashboardPage.css, type: "text/css; charset=utf-8") }
        let source = self.source
        router.get("/api/status") { _, _ in
            do {
                return Self.document(try await source.statusDocument(), type: "application/json")
            } catch {
                return Self.unavailable(error, type: "application/json")
            }
        }
        router.get("/metrics") { _, _ in
            do {
                return Self.document(try await source.metricsExposition(), type: "text/plain; version=0.0.4; charset=utf-8")
            } catch {
                return Self.unavailable(error, type: "text/plain; charset=utf-8")
            }
        }
        let feed = self.feed, keepAlive = keepAliveInterval
        router.get("/api/events") { request, _ in
            let after = request.headers[Self.lastEventID].flatMap { UInt64($0.trimmingSpaces) }
                ?? request.uri.queryParameters.get("after").flatMap { UInt64($0) }
            guard let subscription = await feed.subscribe(after: after) else {
                return Self.unavailable(DashboardUnavailable("too many pages follow the events; try again later"), type: "text/plain; charset=utf-8")
            }
            return Self.eventStream(subscription, keepAlive: keepAlive)
        }
        return router
    }

    static let lastEventID = HTTPField.Name("Last-Event-ID")!
    private static let contentSecurityPolicy = HTTPField.Name("Content-Security-Policy")!
    private static let contentTypeOptions = HTTPField.Name("X-Content-Type-Options")!

    /// What every answer carries: nothing from elsewhere may be loaded, nothing may frame the page.
    private static func headers(type: String) -> HTTPFields {
        [
            .contentType: type,
            .cacheControl: "no-store",
            contentSecurityPolicy: "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
            contentTypeOptions: "nosniff",
        ]
    }

    private static func document(_ text: String, type: String) -> Response {
        Response(status: .ok, headers: headers(type: type), body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    private static func unavailable(_ error: any Error, type: String) -> Response {
        let reason = (error as? DashboardUnavailable)?.reason ?? "\(error)"
        let text = type == "application/json" ? Self.errorDocument(reason) : reason + "\n"
        return Response(status: .serviceUnavailable, headers: headers(type: type), body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// `{"error": reason}`.
    private static func errorDocument(_ reason: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        let data = (try? encoder.encode(["error": reason])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// The stream: the backlog, then each entry as it comes, with a comment line when quiet;
    /// it ends when the reader goes, the feed closes or the server shuts down.
    private static func eventStream(_ subscription: EventFeed.Subscription, keepAlive: Duration) -> Response {
        var headers = headers(type: "text/event-stream; charset=utf-8")
        headers[HTTPField.Name("X-Accel-Buffering")!] = "no"
        let body = ResponseBody { writer in
            let (buffers, continuation) = AsyncStream.makeStream(of: ByteBuffer.self, bufferingPolicy: .bufferingNewest(1024))
            let pump = Task {
                for entry in subscription.backlog { continuation.yield(Self.buffer(entry)) }
                await withTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for await entry in subscription.live { continuation.yield(Self.buffer(entry)) }
                    }
                    group.addTask {
                        while (try? await Task.sleep(for: keepAlive)) != nil {
                            continuation.yield(ByteBuffer(string: ServerSentEvent.keepAlive))
                        }
                    }
                    await group.next()
                    group.cancelAll()
                }
                continuation.finish()
            }
            defer { pump.cancel() }
            try await withGracefulShutdownHandler {
                for await buffer in buffers { try await writer.write(buffer) }
            } onGracefulShutdown: {
                continuation.finish()
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    private static func buffer(_ entry: EventFeed.Entry) -> ByteBuffer {
        ByteBuffer(string: ServerSentEvent(id: entry.id, event: entry.kind, data: entry.json).encoded)
    }
}

/// The dashboard could not listen where it was told.
public struct DashboardListenError: Error, Sendable, CustomStringConvertible {
    /// The address asked for.
    public let host: String
    /// The port asked for.
    public let port: Int
    /// The system's error number.
    public let errno: Int32

    public var description: String {
        "cannot listen on \(host):\(port): \(String(cString: strerror(errno)))"
    }
}

extension String {
    fileprivate var trimmingSpaces: Substring {
        let start = firstIndex { $0 != " " } ?? endIndex
        let end = lastIndex { $0 != " " }.map { index(after: $0) } ?? start
        return self[start..<end]
    }
}
