import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// What an HTTP server answered.
public struct HTTPAnswer: Sendable {
    /// The status code.
    public var status: Int
    /// The header fields, names in lower case.
    public var headers: [String: String]
    /// The body, de-chunked.
    public var body: String
}

/// A plain HTTP/1.1 client over a TCP socket, for tests of the dashboard: every call has a
/// deadline, and an event stream is read as it comes.
public enum HTTPProbe {
    /// Why a request failed.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String

        public init(description: String) { self.description = description }
    }

    /// `METHOD path` to `host:port` (a 127.0.0.1-style address), read to the end of the answer.
    public static func request(
        _ method: String = "GET", host: String = "127.0.0.1", port: Int, path: String, headers: [String: String] = [:],
        timeout: Double = 10
    ) throws -> HTTPAnswer {
        try exchange(method, host: host, port: port, path: path, headers: headers, timeout: timeout) { _ in false }
    }

    /// `GET path` of an event stream, read until `enough` holds of the body read so far
    /// (de-chunked) or `timeout` seconds pass; the answer has what was read.
    public static func stream(
        host: String = "127.0.0.1", port: Int, path: String, headers: [String: String] = [:], timeout: Double,
        until enough: (String) -> Bool
    ) throws -> HTTPAnswer {
        try exchange("GET", host: host, port: port, path: path, headers: headers, timeout: timeout, stopWhen: enough)
    }

    /// Runs blocking `work` (a request) on a thread of its own, so that waiting for the answer
    /// holds no thread of Swift's cooperative pool, where the server under test may run.
    public static func onThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try work() }) }.start()
        }
    }

    private static func exchange(
        _ method: String, host: String, port: Int, path: String, headers: [String: String], timeout: Double,
        stopWhen enough: (String) -> Bool
    ) throws -> HTTPAnswer {
        let deadline = Date().addingTimeInterval(timeout)
        let socket = try connect(host: host, port: port)
        defer { close(socket) }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nConnection: close\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += "\r\n"
        let sent = head.utf8CString.withUnsafeBufferPointer { send(socket, $0.baseAddress, $0.count - 1, Int32(MSG_NOSIGNAL)) }
        guard sent == head.utf8.count else { throw Failure(description: "cannot send to \(host):\(port)") }

        var received: [UInt8] = []
        var answer: HTTPAnswer?
        var bodyStart = 0
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            if answer == nil, let end = headerEnd(received) {
                answer = try parseHead(Array(received[..<end]))
                bodyStart = end + 4
            }
            if let answer {
                let body = decodeBody(Array(received[bodyStart...]), chunked: answer.headers["transfer-encoding"] == "chunked")
                if enough(body) { return HTTPAnswer(status: answer.status, headers: answer.headers, body: body) }
            }
            let left = deadline.timeIntervalSinceNow
            guard left > 0 else { break }
            var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, Int32(min(left, 1) * 1000) + 1)
            if ready < 0 && errno != EINTR { break }
            if ready <= 0 { continue }
            let count = recv(socket, &buffer, buffer.count, 0)
            if count < 0 && (errno == EINTR || errno == EAGAIN) { continue }
            if count <= 0 { break }
            received += buffer[..<count]
        }
        guard let answer else { throw Failure(description: "no answer from \(host):\(port)\(path) within \(timeout) s") }
        let body = decodeBody(Array(received[bodyStart...]), chunked: answer.headers["transfer-encoding"] == "chunked")
        return HTTPAnswer(status: answer.status, headers: answer.headers, body: body)
    }

    private static func connect(host: String, port: Int) throws -> Int32 {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
            close(socket)
            throw Failure(description: "'\(host)' is not an IPv4 address")
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            let code = errno
            close(socket)
            throw Failure(description: "cannot connect to \(host):\(port): \(String(cString: strerror(code)))")
        }
        return socket
    }

    private static func headerEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 0...(bytes.count - 4) where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
            return index
        }
        return nil
    }

    private static func parseHead(_ bytes: [UInt8]) throws -> HTTPAnswer {
        let lines = String(decoding: bytes, as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, statusParts[0].hasPrefix("HTTP/1."), let status = Int(statusParts[1]) else {
            throw Failure(description: "not an HTTP answer: \(lines[0])")
        }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return HTTPAnswer(status: status, headers: headers, body: "")
    }

    /// The body so far: chunks that arrived whole, in order (a partial last chunk is left out).
    private static func decodeBody(_ bytes: [UInt8], chunked: Bool) -> String {
        guard chunked else { return String(decoding: bytes, as: UTF8.self) }
        var body: [UInt8] = []
        var index = 0
        while let lineEnd = crlf(in: bytes, from: index) {
            let sizeText = String(decoding: bytes[index..<lineEnd], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16), size > 0 else { break }
            let start = lineEnd + 2
            guard start + size + 2 <= bytes.count else { break }
            body += bytes[start..<start + size]
            index = start + size + 2
        }
        return String(decoding: body, as: UTF8.self)
    }

    private static func crlf(in bytes: [UInt8], from start: Int) -> Int? {
        var index = start
        while index + 1 < bytes.count {
            if bytes[index] == 13 && bytes[index + 1] == 10 { return index }
            index += 1
        }
        return nil
    }
}
