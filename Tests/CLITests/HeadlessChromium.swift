import Foundation
import Testing
import ZMQ

/// Debian's Chromium without a screen, driven over the DevTools protocol on a pipe
/// (`--remote-debugging-pipe`: requests on its fd 3, answers on its fd 4, each JSON message
/// ended by a NUL byte), so a test can load a page and read it as it changes.
///
/// The browser runs in a process group of its own, which `close()` kills whatever happened.
final class HeadlessChromium {
    /// Why the browser cannot be used.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static let candidates = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]

    /// The browser, or the test skipped saying why: Chromium is not installed (`deploy/test.sh`
    /// installs Debian's package; it is missing only where it could not be installed).
    static func forTest() throws -> HeadlessChromium {
        guard let path = candidates.first(where: FileManager.default.isExecutableFile) else {
            try Test.cancel("skipped: Chromium is not installed (deploy/test.sh installs Debian's chromium; here it could not be)")
        }
        return try HeadlessChromium(path: path)
    }

    private let pid: pid_t
    private let toBrowser: Int32
    private let fromBrowser: Int32
    private let profile: String
    private var received: [UInt8] = []
    private var nextID = 0
    private var session: String?
    private var closed = false

    init(path: String) throws {
        profile = FileManager.default.temporaryDirectory.appendingPathComponent("ensemble-chromium-\(UUID().uuidString)").path
        var requests: [Int32] = [0, 0], answers: [Int32] = [0, 0]
        guard pipe(&requests) == 0, pipe(&answers) == 0 else { throw Failure(description: "pipe: errno \(errno)") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, profile + ".log", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, requests[0], 3)
        posix_spawn_file_actions_adddup2(&actions, answers[1], 4)
        _ = SystemShim.addCloseFrom(&actions, 5)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)
        let argv = [
            path, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe", "--no-first-run",
            "--disable-extensions", "--disable-dev-shm-usage", "--hide-scrollbars", "--window-size=1280,1000",
            "--user-data-dir=\(profile)", "about:blank",
        ]
        let cArguments = argv.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        var child: pid_t = 0
        let result = posix_spawn(&child, path, &actions, &attributes, cArguments, environ)
        Glibc.close(requests[0])
        Glibc.close(answers[1])
        guard result == 0 else {
            Glibc.close(requests[1])
            Glibc.close(answers[0])
            throw Failure(description: "posix_spawn \(path): \(result)")
        }
        pid = child
        toBrowser = requests[1]
        fromBrowser = answers[0]
    }

    deinit { close() }

    /// Opens `url` in a new page and attaches to it; later calls act on that page.
    func open(_ url: String, timeout: Double = 60) throws {
        let target = try call("Target.createTarget", ["url": url], timeout: timeout)
        let targetID = try require(target["targetId"] as? String, "no targetId in \(target)")
        let attached = try call("Target.attachToTarget", ["targetId": targetID, "flatten": true], timeout: timeout)
        session = try require(attached["sessionId"] as? String, "no sessionId in \(attached)")
    }

    /// The value of a JavaScript expression in the page (JSON types).
    func evaluate(_ expression: String, timeout: Double = 20) throws -> Any? {
        let answer = try call("Runtime.evaluate", ["expression": expression, "returnByValue": true], timeout: timeout)
        if let exception = answer["exceptionDetails"] { throw Failure(description: "\(expression) threw: \(exception)") }
        return (answer["result"] as? [String: Any])?["value"]
    }

    /// Whether `expression` becomes true within `timeout` seconds, asked every 100 ms.
    func becomes(_ expression: String, timeout: Double = 30) throws -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        repeat {
            if try evaluate(expression) as? Bool == true { return true }
            Thread.sleep(forTimeInterval: 0.1)
        } while Date() < deadline
        return try evaluate(expression) as? Bool == true
    }

    /// A PNG of the page as it is.
    func screenshot() throws -> Data {
        let answer = try call("Page.captureScreenshot", ["format": "png", "captureBeyondViewport": true], timeout: 30)
        let text = try require(answer["data"] as? String, "no screenshot data")
        return try require(Data(base64Encoded: text), "the screenshot is not base64")
    }

    /// Ends the browser and its process group, and removes its profile.
    func close() {
        guard !closed else { return }
        closed = true
        Glibc.close(toBrowser)
        Glibc.close(fromBrowser)
        kill(-pid, SIGKILL)
        var status: Int32 = 0
        _ = waitpid(pid, &status, 0)
        try? FileManager.default.removeItem(atPath: profile)
        try? FileManager.default.removeItem(atPath: profile + ".log")
    }

    /// Sends one request and waits for its answer (events that come meanwhile are dropped).
    private func call(_ method: String, _ parameters: [String: Any], timeout: Double) throws -> [String: Any] {
        nextID += 1
        let id = nextID
        var message: [String: Any] = ["id": id, "method": method, "params": parameters]
        if let session, !method.hasPrefix("Target.") { message["sessionId"] = session }
        var bytes = [UInt8](try JSONSerialization.data(withJSONObject: message))
        bytes.append(0)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(toBrowser, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { throw Failure(description: "the browser closed its pipe (\(method))") }
            offset += written
        }
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            while let end = received.firstIndex(of: 0) {
                let text = Data(received[..<end])
                received.removeSubrange(...end)
                guard let answer = try JSONSerialization.jsonObject(with: text) as? [String: Any], answer["id"] as? Int == id else { continue }
                if let error = answer["error"] { throw Failure(description: "\(method): \(error)") }
                return answer["result"] as? [String: Any] ?? [:]
            }
            let left = deadline.timeIntervalSinceNow
            guard left > 0 else { throw Failure(description: "no answer to \(method) within \(timeout) s") }
            var descriptor = pollfd(fd: fromBrowser, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, Int32(min(left, 1) * 1000) + 1)
            if ready <= 0 { continue }
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            let count = read(fromBrowser, &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw Failure(description: "the browser exited (\(method))") }
            received += buffer[..<count]
        }
    }

    private func require<T>(_ value: T?, _ why: @autoclosure () -> String) throws -> T {
        guard let value else { throw Failure(description: why()) }
        return value
    }
}
