import ZMQ
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Which side of a convention a key directory is loaded for; it decides what the directory must hold.
public enum CurveRole: Sendable, Equatable {
    /// A command or program talking to nodes: its key pair, and `leader.pub` when it talks to the leader.
    case client
    /// A node that joins a leader: also `leader.pub` and `members/` (`clients/` and `admin/` if any).
    case member
    /// The leader: also `members/`; a `leader.pub`, if present, must be its own public key.
    case leader
}

/// What a `--curve DIR` directory holds: the own key pair (`secret.key`,
/// `public.key`); on a node, the keys it accepts by role, one per file: node keys
/// (`members/`), client keys (`clients/`) and admin keys (`admin/`); the leader's
/// public key (`leader.pub`) and, optionally, other nodes' public keys
/// (`nodes/HOST:PORT.pub`) for reaching them when the leader does not answer.
public struct CurveCredentials: Sendable, Equatable {
    /// This side's key pair.
    public var keyPair: CurveKeyPair
    /// Who may connect, and who may administer.
    public var authorization: Authorization
    /// The leader's public key: the one key trusted before any convention view.
    public var leaderKey: CurveKey?
    /// Public keys of nodes by address, from `nodes/`.
    public var nodeKeys: [NodeAddress: CurveKey]

    /// Credentials from keys already in memory.
    public init(keyPair: CurveKeyPair, authorization: Authorization = Authorization(), leaderKey: CurveKey? = nil,
                nodeKeys: [NodeAddress: CurveKey] = [:]) {
        self.keyPair = keyPair
        self.authorization = authorization
        self.leaderKey = leaderKey
        self.nodeKeys = nodeKeys
    }

    /// Reads a key directory for `role`.
    /// - Throws: `CurveKeyError` naming the first file or directory that is missing or wrong.
    public static func load(directory: String, role: CurveRole) throws(CurveKeyError) -> CurveCredentials {
        let directory = directory.count > 1 && directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        // Said here, naming the directory, rather than as a socket option error when the node starts.
        guard ZMQCurve.isAvailable else {
            throw CurveKeyError(path: directory, problem: "cannot be used: this libzmq was built without CurveZMQ")
        }
        let secretPath = "\(directory)/secret.key", publicPath = "\(directory)/public.key"
        let secretKey = try CurveKey.parse(keyFile: KeyFiles.readText(secretPath, private: true), path: secretPath)
        let publicKey = try CurveKey.parse(keyFile: KeyFiles.readText(publicPath, private: false), path: publicPath)
        guard let keyPair = CurveKeyPair(publicKey: publicKey, secretKey: secretKey) else {
            throw CurveKeyError(path: publicPath, problem: "is not the public key of \(secretPath)")
        }
        var credentials = CurveCredentials(keyPair: keyPair)
        let leaderPath = "\(directory)/leader.pub"
        if role == .member || KeyFiles.exists(leaderPath) {
            credentials.leaderKey = try CurveKey.parse(keyFile: KeyFiles.readText(leaderPath, private: false), path: leaderPath)
        }
        if role == .leader {
            if let leaderKey = credentials.leaderKey, leaderKey != publicKey {
                throw CurveKeyError(path: leaderPath, problem: "is not this node's public key, yet this node is the leader")
            }
            credentials.leaderKey = publicKey
        }
        if role != .client {
            // One list of everyone was replaced by a list per role: refuse rather than guess a role.
            if !(KeyFiles.entries(in: "\(directory)/authorized") ?? []).isEmpty {
                throw CurveKeyError(
                    path: "\(directory)/authorized/",
                    problem: "is no longer read: move node keys to members/, client keys to clients/ (admin keys stay in admin/), then remove it (docs/operations.md)")
            }
            let nodes = try KeyFiles.keys(in: "\(directory)/members", required: true)
            let clients = try KeyFiles.keys(in: "\(directory)/clients", required: false)
            let admins = try KeyFiles.keys(in: "\(directory)/admin", required: false)
            credentials.authorization = Authorization(
                nodeKeys: Set(nodes.map(\.key)), clientKeys: Set(clients.map(\.key)), adminKeys: Set(admins.map(\.key)))
        }
        for (name, key) in try KeyFiles.keys(in: "\(directory)/nodes", required: false) {
            let path = "\(directory)/nodes/\(name)"
            guard name.hasSuffix(".pub"), let address = NodeAddress(parsing: String(name.dropLast(4))) else {
                throw CurveKeyError(path: path, problem: "is not named HOST:PORT.pub after the node it belongs to")
            }
            credentials.nodeKeys[address] = key
        }
        return credentials
    }

    /// The public key of the node at `address` as known without asking anyone: `nodes/HOST:PORT.pub`,
    /// which names the address, else `leader.pub` for the leader address (any node may lead now, so
    /// the leader address given to a command need not be the node whose key `leader.pub` holds).
    public func knownServerKey(for address: NodeAddress, leader: NodeAddress) -> CurveKey? {
        nodeKeys[address] ?? (address == leader ? leaderKey : nil)
    }
}

/// What a client needs to reach one node over CurveZMQ: its own key pair and that node's public key.
public struct CurveClientKeys: Sendable, Equatable {
    /// The client's key pair (the node must list its public key in `clients/` or `admin/`).
    public var keyPair: CurveKeyPair
    /// The public key of the node the client connects to.
    public var serverKey: CurveKey

    /// Creates the keys for one connection.
    public init(keyPair: CurveKeyPair, serverKey: CurveKey) {
        self.keyPair = keyPair
        self.serverKey = serverKey
    }
}

/// Small, bounded reads of key files and key directories.
enum KeyFiles {
    static let limit = 64 * 1024

    static func exists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0
    }

    /// A key file's text; a private one must not be readable by group or others.
    static func readText(_ path: String, private isPrivate: Bool) throws(CurveKeyError) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw CurveKeyError(path: path, problem: "cannot be read (\(String(cString: strerror(errno))))") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            throw CurveKeyError(path: path, problem: "is not a regular file")
        }
        if isPrivate && info.st_mode & 0o077 != 0 {
            let mode = String(info.st_mode & 0o777, radix: 8)
            throw CurveKeyError(path: path, problem: "is readable by other users (mode 0\(mode)); make it private with chmod 600")
        }
        guard info.st_size <= limit else { throw CurveKeyError(path: path, problem: "is too large for a key file") }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while bytes.count <= limit {
            let count = read(fd, &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            if count < 0 { throw CurveKeyError(path: path, problem: "cannot be read (\(String(cString: strerror(errno))))") }
            if count == 0 { break }
            bytes.append(contentsOf: buffer[0..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The names in a directory, hidden ones skipped; nil (with `errno` set) when it cannot be opened.
    static func entries(in directory: String) -> [String]? {
        guard let handle = opendir(directory) else { return nil }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
            if !name.hasPrefix(".") { names.append(name) }
        }
        return names
    }

    /// Every key in a directory, one per regular file (hidden files skipped), by file name.
    static func keys(in directory: String, required: Bool) throws(CurveKeyError) -> [(name: String, key: CurveKey)] {
        guard let names = entries(in: directory) else {
            if !required && errno == ENOENT { return [] }
            let why = errno == ENOENT ? "is missing: it holds the public keys of the nodes this node accepts, one per file"
                : "cannot be read (\(String(cString: strerror(errno))))"
            throw CurveKeyError(path: directory + "/", problem: why)
        }
        var keys: [(name: String, key: CurveKey)] = []
        for name in names.sorted() {
            let path = "\(directory)/\(name)"
            var info = stat()
            guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { continue }
            keys.append((name, try CurveKey.parse(keyFile: readText(path, private: false), path: path)))
        }
        return keys
    }
}

extension ZMQSocket {
    /// Makes this socket a CurveZMQ client with `keys`; before it connects.
    func makeCurveClient(_ keys: CurveClientKeys) throws(ZMQError) {
        try makeCurveClient(serverKey: keys.serverKey.z85, publicKey: keys.keyPair.publicKey.z85, secretKey: keys.keyPair.secretKey.z85)
    }
}
