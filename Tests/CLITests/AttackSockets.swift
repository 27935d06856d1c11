import Foundation
import Testing
import ZMQ
@testable import Ensemble

/// Envelopes as an attacker writes them.
enum Forge {
    /// A control request for `node`'s system endpoint (an attacker may give it another kind).
    static func control(
        _ request: ControlRequest, from sender: ActorAddress?, to node: NodeID, id: UInt64 = 0, kind: EnvelopeKind = .control
    ) throws -> Envelope {
        try Envelope(control: request, kind: kind, sender: sender, recipient: .system(node), correlationID: id)
    }

    /// A control reply for `node`'s system endpoint, as an answer (`kind: .reply`) or posing as
    /// a request (`kind: .control`): the kind is always said.
    static func control(
        _ reply: ControlReply, from sender: ActorAddress?, to node: NodeID, id: UInt64 = 0, kind: EnvelopeKind
    ) throws -> Envelope {
        try Envelope(control: reply, kind: kind, sender: sender, recipient: .system(node), correlationID: id)
    }

    /// The same answer under each correlation id of `ids` (the payload encoded once).
    static func replies(_ control: ControlReply, from sender: ActorAddress, to node: NodeID, ids: [UInt64]) throws -> [Envelope] {
        let (typeName, payload) = try ControlCodec.encode(control)
        return ids.map {
            Envelope(kind: .reply, sender: sender, recipient: .system(node), typeName: typeName, correlationID: $0, payload: payload)
        }
    }

    /// A tell of `message` to `recipient`.
    static func tell<M: Message>(_ message: M, from sender: ActorAddress?, to recipient: ActorAddress) throws -> Envelope {
        Envelope(kind: .tell, sender: sender, recipient: recipient, typeName: M.messageType, payload: try message.encodedPayload())
    }

    /// A tell of an application message the runtime does not look into (it is dropped or bounced before any actor reads it).
    static func mail(from sender: ActorAddress?, to recipient: ActorAddress) -> Envelope {
        Envelope(kind: .tell, sender: sender, recipient: recipient, typeName: "EncodeRequest", payload: [8, 9])
    }
}

/// A raw ZeroMQ DEALER an attack speaks through: a client (`C` + random bytes) or a
/// node (`N` + a life of the test's choosing), in plain text or as a CurveZMQ client
/// with any key pair. What comes back is collected in `inbox`.
final class RawPeer {
    let context: ZMQContext
    let socket: ZMQSocket
    let identity: [UInt8]
    private let ownsContext: Bool
    private(set) var inbox: [Envelope] = []

    /// A DEALER named `identity` connected to `endpoint`; in a context of its own unless `context` is given
    /// (many peers then share one context's threads; whoever made it terminates it after closing them).
    /// `immediate`: as `EnsembleClient`'s DEALER is, which drops what it has not read when its
    /// connection closes.
    init(identity: [UInt8], to endpoint: String, curve: (serverKey: CurveKey, keys: CurveKeyPair)? = nil,
         context shared: ZMQContext? = nil, immediate: Bool = false) throws {
        ownsContext = shared == nil
        context = try shared ?? ZMQContext()
        socket = try ZMQSocket(context: context, type: .dealer)
        self.identity = identity
        try socket.set(.linger, 200)
        try socket.set(.routingID, identity)
        if immediate { try socket.set(.immediate, 1) }
        if let curve {
            try socket.makeCurveClient(
                serverKey: curve.serverKey.z85, publicKey: curve.keys.publicKey.z85, secretKey: curve.keys.secretKey.z85)
        }
        try socket.connect(endpoint)
    }

    /// A client connection to the node on `port` of 127.0.0.1.
    static func client(_ port: UInt16, curve: (serverKey: CurveKey, keys: CurveKeyPair)? = nil, immediate: Bool = false) throws -> RawPeer {
        let letters = Array("abcdefghijklmnopqrstuvwxyz0123456789".utf8)
        let identity = [UInt8(ascii: "C")] + (0..<15).map { _ in letters.randomElement()! }
        return try RawPeer(identity: identity, to: "tcp://127.0.0.1:\(port)", curve: curve, immediate: immediate)
    }

    /// A connection presenting itself as node life `life`, to the node on `port` of 127.0.0.1.
    static func node(
        _ life: NodeID, to port: UInt16, curve: (serverKey: CurveKey, keys: CurveKeyPair)? = nil, context: ZMQContext? = nil
    ) throws -> RawPeer {
        try RawPeer(identity: Array("N\(life)".utf8), to: "tcp://127.0.0.1:\(port)", curve: curve, context: context)
    }

    /// Sends `envelopes` in one frame (a batch), retrying while libzmq cannot take it yet.
    func send(_ envelopes: [Envelope]) {
        let frame = Envelope.encodeBatch(envelopes)
        for _ in 0..<2000 {
            if (try? socket.send([frame])) == .done { return }
            usleep(1000)
        }
        Issue.record("could not hand a message to libzmq within 2 s")
    }

    /// Sends each envelope in a frame of its own.
    func sendEach(_ envelopes: [Envelope]) {
        for envelope in envelopes { send([envelope]) }
    }

    /// Reads what arrived until `done(inbox)` holds or `timeout` passes; returns whether it held.
    @discardableResult
    func receive(timeout: Double = 10, until done: ([Envelope]) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            while let frames = try? socket.receive() {
                guard let frame = frames.last, let envelopes = try? Envelope.decodeBatch(frame) else {
                    Issue.record("an undecodable frame came back: \(frames.map(\.count)) bytes")
                    continue
                }
                inbox.append(contentsOf: envelopes)
            }
            if done(inbox) { return true }
            if Date() > deadline { return false }
            usleep(5_000)
        }
    }

    /// The dead letters received so far.
    var deadLetters: [DeadLetter] {
        inbox.filter { $0.kind == .tell && $0.typeName == DeadLetter.messageType }
            .compactMap { try? DeadLetter.decodePayload($0.payload) }
    }

    /// The control replies received so far, with their correlation ids.
    var replies: [(id: UInt64, control: ControlReply)] {
        inbox.filter { $0.kind == .reply }.compactMap { envelope in
            (try? ControlCodec.decodeReply(envelope.typeName, envelope.payload)).map { (envelope.correlationID, $0) }
        }
    }

    func close() {
        socket.close()
        if ownsContext { context.terminate() }
    }
}

/// A node made of raw sockets that joins a plain-text convention for real (plain text admits
/// any node) and stays a member: a thread of its own heartbeats to the leader every 250 ms
/// and answers pings and `listActors`. What it sends otherwise is up to the test.
final class RawMember: @unchecked Sendable {
    /// A raw member of `cluster`'s plain-text convention on an unused port, joined and heartbeating;
    /// nil, with the issue recorded, when the leader does not let it in. The caller closes it.
    static func joined(_ cluster: TestCluster, sourceLocation: SourceLocation = #_sourceLocation) throws -> RawMember? {
        let port = try unusedPort(avoiding: Set(cluster.ports + [cluster.leaderPort + 1]))
        let member = try RawMember(port: port, leaderPort: cluster.leaderPort)
        let welcome = try member.join()
        guard case .welcome? = welcome else {
            Issue.record("a raw node was not let into a plain-text convention: \(String(describing: welcome))",
                         sourceLocation: sourceLocation)
            member.close()
            return nil
        }
        member.keepAlive()
        return member
    }

    let life: NodeID
    let leaderPort: UInt16
    private let lock = NSLock()
    private let context: ZMQContext
    private let listener: ZMQSocket
    private var links: [UInt16: ZMQSocket] = [:]
    private var received: [Envelope] = []
    /// The correlation ids of what came back over this life's own links, and of what came to its ROUTER
    /// (over a link the sender opened to it).
    private var overOwnLinks: Set<UInt64> = []
    private var toListener: Set<UInt64> = []
    /// The type names of the requests that came, and whether each came over this life's own link.
    private var requests: [(typeName: String, overOwnLink: Bool)] = []
    private var running = false
    private let finished = DispatchSemaphore(value: 0)
    /// What it answers a request for its actors with, given the id it is to list past (none by default).
    var actorList: @Sendable (UInt64) -> ControlReply {
        get { lock.withLock { answerActors } }
        set { lock.withLock { answerActors = newValue } }
    }
    private var answerActors: @Sendable (UInt64) -> ControlReply = { _ in .actors([]) }

    /// Binds its ROUTER on 127.0.0.1:`port`, where the convention's answers will come.
    init(port: UInt16, leaderPort: UInt16) throws {
        life = NodeID(address: NodeAddress(host: "127.0.0.1", port: port), incarnation: UInt64(Date().timeIntervalSince1970 * 1000))
        self.leaderPort = leaderPort
        context = try ZMQContext()
        listener = try ZMQSocket(context: context, type: .router)
        try listener.set(.linger, 0)
        try listener.bind("tcp://127.0.0.1:\(port)")
    }

    /// Sends `envelopes` in one frame to the node on `port`, over this life's connection to it.
    func send(_ envelopes: [Envelope], to port: UInt16) {
        lock.withLock { sendLocked(envelopes, to: port) }
    }

    /// JOINs the leader (again every 250 ms) until it answers; returns the answer.
    func join(timeout: Double = 10) throws -> ControlReply? {
        let id = UInt64.random(in: 1...UInt64.max)
        let request = JoinRequest(node: life, capabilities: Capabilities([]), load: 0, protocolVersion: Envelope.protocolVersion,
                                  maxMessageSize: 64 << 20)
        let join = try Forge.control(.join(request), from: .system(life), to: anyLife(leaderPort), id: id)
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            send([join], to: leaderPort)
            for _ in 0..<50 {
                if let answer = reply(to: id) { return answer }
                usleep(5_000)
            }
        }
        return nil
    }

    /// The answer with correlation id `id`, once it has arrived.
    func reply(to id: UInt64) -> ControlReply? {
        lock.withLock {
            readLocked()
            return received.last { $0.kind == .reply && $0.correlationID == id }
                .flatMap { try? ControlCodec.decodeReply($0.typeName, $0.payload) }
        }
    }

    /// Whether the envelope with correlation id `id` came back over this life's own connection
    /// (`overOwnLink`) or to its ROUTER, over a link its sender opened (`toListener`).
    func arrival(of id: UInt64) -> (overOwnLink: Bool, toListener: Bool) {
        lock.withLock {
            readLocked()
            return (overOwnLinks.contains(id), toListener.contains(id))
        }
    }

    /// How many requests of type `typeName` came over this life's own links, and to its ROUTER.
    /// Like a node of an earlier build, it answers only those that come to its ROUTER.
    func requests(ofType typeName: String) -> (overOwnLink: Int, toListener: Int) {
        lock.withLock {
            readLocked()
            let ofType = requests.filter { $0.typeName == typeName }
            return (ofType.count { $0.overOwnLink }, ofType.count { !$0.overOwnLink })
        }
    }

    /// Starts the thread that keeps this life a member.
    func keepAlive() {
        lock.withLock { running = true }
        let thread = Thread { [self] in
            var nextBeat = Date()
            while lock.withLock({ running }) {
                lock.withLock {
                    readLocked()
                    if Date() >= nextBeat {
                        nextBeat = Date().addingTimeInterval(0.25)
                        let beat = ControlRequest.heartbeat(life, load: 0, capabilities: Capabilities([]))
                        if let envelope = try? Forge.control(beat, from: .system(life), to: anyLife(leaderPort)) {
                            sendLocked([envelope], to: leaderPort)
                        }
                    }
                }
                usleep(10_000)
            }
            finished.signal()
        }
        thread.start()
    }

    /// Stops the thread (if it runs) and closes every socket.
    func close() {
        let wasRunning = lock.withLock {
            defer { running = false }
            return running
        }
        if wasRunning { finished.wait() }
        lock.withLock {
            for link in links.values { link.close() }
            links.removeAll()
            listener.close()
        }
        context.terminate()
    }

    /// Reads what arrived; answers pings and `listActors` at once (so status requests never wait on this life).
    /// Answers to its JOINs and heartbeats come back over its own link to the leader.
    private func readLocked() {
        for link in links.values {
            while let frames = try? link.receive() {
                if let frame = frames.last, let envelopes = try? Envelope.decodeBatch(frame) {
                    received.append(contentsOf: envelopes)
                    overOwnLinks.formUnion(envelopes.map(\.correlationID))
                    requests += envelopes.filter { $0.kind == .control }.map { ($0.typeName, true) }
                }
            }
        }
        while let frames = try? listener.receive() {
            guard frames.count == 2, let envelopes = try? Envelope.decodeBatch(frames[1]) else { continue }
            for envelope in envelopes {
                received.append(envelope)
                toListener.insert(envelope.correlationID)
                if envelope.kind == .control { requests.append((envelope.typeName, false)) }
                guard envelope.kind == .control, let sender = envelope.sender,
                    let control = try? ControlCodec.decodeRequest(envelope.typeName, envelope.payload)
                else { continue }
                let answer: ControlReply
                switch control {
                case .ping: answer = .pong(life)
                case .listActors(let afterID): answer = answerActors(afterID)
                default: continue
                }
                guard let reply = try? Envelope(control: answer, sender: .system(life), recipient: sender,
                                                correlationID: envelope.correlationID) else { continue }
                sendLocked([reply], to: sender.node.address.port)
            }
        }
    }

    private func sendLocked(_ envelopes: [Envelope], to port: UInt16) {
        guard let link = linkLocked(port) else { return }
        let frame = Envelope.encodeBatch(envelopes)
        for _ in 0..<2000 {
            if (try? link.send([frame])) == .done { return }
            usleep(1000)
        }
    }

    private func linkLocked(_ port: UInt16) -> ZMQSocket? {
        if let link = links[port] { return link }
        guard let link = try? ZMQSocket(context: context, type: .dealer) else { return nil }
        try? link.set(.linger, 200)
        try? link.set(.routingID, Array("N\(life)".utf8))
        try? link.connect("tcp://127.0.0.1:\(port)")
        links[port] = link
        return link
    }
}
