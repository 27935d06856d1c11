import Ensemble
import NodeLauncher
import ZMQ

#if canImport(Glibc)
import Glibc
#endif

/// Starts a background node (`ensemble-node`, a `--node-binary`, or this executable again) in its own session.
///
/// A running Swift process must never `fork()`: `posix_spawn` with
/// `POSIX_SPAWN_SETSID` starts the binary directly, with stdin from
/// /dev/null, stdout and stderr to the node's log, the readiness pipe as fd 3,
/// and no other descriptor inherited.
struct BackgroundSpawner {
    let pid: pid_t
    private let readFD: Int32

    /// Starts a node: `binary` when given (a node binary of the user's, `--node-binary`), else
    /// `ensemble-node` beside this executable, else this executable's `start --foreground`.
    static func spawnNode(_ node: NodeArguments, binary: String? = nil, logPath: String) throws -> BackgroundSpawner {
        if let (binary, argv) = NodeBinary.invocation(node, binary: binary) {
            return try spawn(executable: binary, arguments: argv, logPath: logPath)
        }
        return try spawn(
            executable: NodeBinary.currentExecutable,
            arguments: ["ensemble", "start"] + node.vector + ["--foreground"], logPath: logPath)
    }

    private static func spawn(executable: String, arguments: [String], logPath: String) throws -> BackgroundSpawner {
        var pipeFDs: [Int32] = [0, 0]
        guard pipe(&pipeFDs) == 0 else { throw CommandFailure("pipe: \(String(cString: strerror(errno)))") }
        let (readFD, writeFD) = (pipeFDs[0], pipeFDs[1])
        _ = fcntl(readFD, F_SETFD, FD_CLOEXEC)

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        posix_spawn_file_actions_adddup2(&actions, writeFD, 3)
        _ = SystemShim.addCloseFrom(&actions, 4)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, SystemShim.spawnSetSIDFlag)

        var environmentLines = NodeEnvironment.forNode.filter { !$0.hasPrefix("ENSEMBLE_READY_FD=") }
        environmentLines.append("ENSEMBLE_READY_FD=3")
        var pid: pid_t = 0
        let result = withCStrings(arguments) { argv in
            withCStrings(environmentLines) { envp in
                posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
            }
        }
        close(writeFD)
        guard result == 0 else {
            close(readFD)
            throw CommandFailure("cannot launch the node: \(String(cString: strerror(result)))")
        }
        return BackgroundSpawner(pid: pid, readFD: readFD)
    }

    /// Reads the child's one readiness line, or says why none came.
    func awaitReadiness(timeout: Double) -> NodeReadiness {
        defer { close(readFD) }
        var bytes: [UInt8] = []
        let deadline = monotonicSeconds() + timeout
        var buffer = [UInt8](repeating: 0, count: 512)
        while !bytes.contains(UInt8(ascii: "\n")) {
            let left = deadline - monotonicSeconds()
            guard left > 0 else { return .failed("the node did not report within \(Int(timeout)) s") }
            var poll = pollfd(fd: readFD, events: Int16(POLLIN), revents: 0)
            let ready = Glibc.poll(&poll, 1, Int32(min(left, 1) * 1000))
            if ready < 0 && errno == EINTR { continue }
            if ready <= 0 { continue }
            let count = read(readFD, &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            bytes.append(contentsOf: buffer[0..<count])
        }
        let line = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: "\n ")
        if line == "READY" { return .ready }
        if line == "WAITING" { return .waitingForLeader }
        if line.hasPrefix("ERROR ") { return .failed(String(line.dropFirst(6))) }
        var status: Int32 = 0
        _ = waitpid(pid, &status, WNOHANG)
        return .failed("the node exited during start")
    }
}

func monotonicSeconds() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}

/// `strings` as a nil-terminated C string array (argv, envp) for the length of `body`.
func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
    var pointers = strings.map { strdup($0) }
    pointers.append(nil)
    defer { for pointer in pointers { free(pointer) } }
    return body(pointers)
}

/// Replaces this process with the node binary at `path`, in the environment a node starts
/// with (`NodeEnvironment`); returns only when the exec failed (errno says why).
@discardableResult
func execNode(_ path: String, _ argv: [UnsafeMutablePointer<CChar>?]) -> Int32 {
    withCStrings(NodeEnvironment.forNode) { envp in execve(path, argv, envp) }
}
