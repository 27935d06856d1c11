/// One message of a server-sent event stream (`text/event-stream`, the format a browser's
/// `EventSource` reads): an id the browser sends back as `Last-Event-ID` when it reconnects,
/// an event name, and data.
public struct ServerSentEvent: Sendable, Equatable {
    /// The message's id, or nil for none.
    public var id: UInt64?
    /// The event name (`EventSource` listeners by name), or nil for the default `message`.
    public var event: String?
    /// The data; each line becomes a `data:` line, so it may hold newlines.
    public var data: String

    /// Creates a message.
    public init(id: UInt64? = nil, event: String? = nil, data: String) {
        self.id = id
        self.event = event
        self.data = data
    }

    /// The message as it goes on the wire, with the blank line that ends it. Carriage returns
    /// and newlines in `event` would end the field early, so they become spaces.
    public var encoded: String {
        var text = ""
        if let id { text += "id: \(id)\n" }
        if let event { text += "event: \(Self.oneLine(event))\n" }
        // "\r\n", "\r" and "\n" all end a line of the stream: one data line each.
        let lines = data.replacingCarriageReturns().split(separator: "\n", omittingEmptySubsequences: false)
        for line in lines { text += "data: \(line)\n" }
        return text + "\n"
    }

    /// A comment line: ignored by `EventSource`, it keeps the connection from looking idle to
    /// proxies and tells the server whether the reader is still there.
    public static let keepAlive = ": keep-alive\n\n"

    private static func oneLine(_ text: String) -> String {
        String(text.map { $0 == "\n" || $0 == "\r" || $0 == "\r\n" ? " " : $0 })
    }
}

extension String {
    /// The text with "\r\n" and lone "\r" turned into "\n".
    fileprivate func replacingCarriageReturns() -> String {
        guard contains(where: { $0 == "\r" || $0 == "\r\n" }) else { return self }
        return String(map { $0 == "\r\n" || $0 == "\r" ? "\n" : $0 })
    }
}
