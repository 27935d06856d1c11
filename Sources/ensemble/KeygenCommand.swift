import ArgumentParser
import Ensemble
import NodeLauncher

#if canImport(Glibc)
import Glibc
#endif

/// `ensemble keygen DIR`: make a CurveZMQ key pair for a node or an operator.
struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Make a CurveZMQ key pair in DIR: secret.key (mode 0600) and public.key.",
        discussion: """
            DIR is then given to every command as --curve DIR. Copy public.key into the key directory \
            of every node that must accept it, by role: members/ for a node's key, clients/ for a \
            program's or an operator's, admin/ to also allow stop, chgcap, kill and stopping actors; \
            and the leader's public.key to DIR/leader.pub. Existing keys are never overwritten.
            """)

    @Argument(help: ArgumentHelp("The key directory (created if missing).", valueName: "dir"))
    var directory: String

    func run() throws {
        do {
            try generate()
        } catch let failure as CommandFailure {
            printErrorLine("ensemble keygen: \(failure.message)")
            throw ExitCode(1)
        }
    }

    private func generate() throws {
        let directory = self.directory.count > 1 && self.directory.hasSuffix("/") ? String(self.directory.dropLast()) : self.directory
        let secretPath = "\(directory)/secret.key", publicPath = "\(directory)/public.key"
        for path in [secretPath, publicPath] where access(path, F_OK) == 0 {
            throw CommandFailure("\(path) already exists; not overwriting it (remove the old key pair first to make a new one)")
        }
        try makeDirectory(directory, mode: 0o700)
        for subdirectory in ["members", "clients", "admin"] { try makeDirectory("\(directory)/\(subdirectory)", mode: 0o755) }
        let pair: CurveKeyPair
        do {
            pair = try CurveKeyPair.generate()
        } catch {
            throw CommandFailure("cannot make a key pair: \(error)")
        }
        try writeNewFile(secretPath, pair.secretKey.z85 + "\n", mode: 0o600)
        try writeNewFile(publicPath, pair.publicKey.z85 + "\n", mode: 0o644)
        printLine("public key \(pair.publicKey) written to \(publicPath); secret key to \(secretPath) (mode 0600)")
    }

    /// Creates `path` and its missing parents.
    private func makeDirectory(_ path: String, mode: mode_t) throws {
        if let failure = makeDirectories(path, mode: mode) { throw CommandFailure("cannot create \(failure)") }
    }

    /// Writes a file that must not exist yet (O_EXCL: no race with another keygen, no following a planted link).
    private func writeNewFile(_ path: String, _ text: String, mode: mode_t) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode)
        guard fd >= 0 else {
            throw CommandFailure("cannot create \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        // The mode asked for, whatever the umask.
        _ = fchmod(fd, mode)
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else {
            throw CommandFailure("cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }
}
