#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// How a node binds, advertises itself, finds its leader, and bounds its resources.
public struct NodeConfiguration: Sendable {
    /// The interface and port the ROUTER binds.
    public var bindHost: String
    /// The port the ROUTER binds (the node's port).
    public var port: UInt16
    /// The host other nodes and clients reach this node at.
    public var advertiseHost: String
    /// The leader's address; the node advertised there is the leader.
    public var leader: NodeAddress
    /// The node's starting capabilities.
    public var capabilities: Capabilities
    /// Where the leader binds its PUB socket, relative to its port.
    public var publishPortOffset: Int = 1
    /// How often a member repeats JOIN until welcomed.
    public var joinRetryInterval: Duration = .milliseconds(250)
    /// How long a node-to-node request waits for its reply.
    public var requestTimeout: Duration = .seconds(2)
    /// How often a node reports its load to the leader, at most.
    public var loadReportInterval: Duration = .milliseconds(100)
    /// ZMQ_LINGER on every socket, in milliseconds.
    public var lingerMs: Int32 = 200
    /// The largest message (one envelope, header included) in bytes: one setting for the
    /// whole convention (the leader refuses a JOIN with another), and ZMQ_MAXMSGSIZE on
    /// every socket. A larger message is not sent: its sender gets a `DeadLetter` naming
    /// the size and the limit.
    public var maxMessageSize: Int = MessageSize.defaultLimit
    /// Send and receive high-water marks, in messages.
    public var highWaterMark: Int32 = 10_000
    /// Messages a mailbox holds before further mail is refused.
    public var mailboxCapacity: Int = 10_000
    /// Bytes of mail from other nodes and clients a mailbox holds before further mail is
    /// refused (never less than `maxMessageSize`, so any one message fits an empty mailbox).
    public var mailboxByteLimit: Int = 256 << 20
    /// Messages an actor handles in a row before the other actors waiting for its
    /// thread get a turn. The mail its turn sent to other nodes leaves between turns, so
    /// a large backlog flows on in pieces (the next node starts on the first piece while
    /// this one handles the rest) and no actor holds a thread for long.
    public var messagesPerTurn: Int = 32
    /// Envelopes waiting for a peer connection before further ones are refused.
    public var peerBacklogLimit: Int = 10_000
    /// Bytes waiting for a peer connection before further mail is refused (never less than
    /// `maxMessageSize`, so any one message fits an empty backlog).
    public var peerBacklogByteLimit: Int = 256 << 20
    /// The most members a leader admits, itself included; later JOINs are put off.
    public var maxMembers: Int = 255
    /// The size of the voting set a leader works towards (the longest-lived members vote).
    public var maxVoters: Int = 5
    /// Other nodes of the convention that answered at the start: a node JOINs through them
    /// (they name the leader) when the leader address does not answer, and a node at the
    /// leader address joins the convention they belong to instead of founding one.
    public var seeds: [NodeAddress] = []
    /// Found a new convention at the leader address without looking for a running one.
    public var bootstrap = false
    /// How long a node at the leader address that has seeds looks for their convention
    /// (no JOIN answered) before it founds one.
    public var lookTimeout: Duration = .seconds(3)
    /// The most actors this node hosts; placements past it are refused.
    public var maxActors: Int = 1_000_000
    /// The most `createActor` and `status` requests one client connection may have under way.
    public var maxRequestsPerClient: Int = 16
    /// The most actors one client connection may have its gateway create.
    public var maxActorsPerClient: Int = 10_000
    /// The most `status` requests this node collects at once (each asks every member); one per client.
    public var maxConcurrentStatus: Int = 4
    /// The most clients' `createActor` requests this node serves at once, all clients together.
    public var maxConcurrentCreations: Int = 256
    /// How long mail waits for a peer that does not connect before it is returned as dead letters.
    public var peerBacklogTimeout: Duration = .seconds(5)
    /// How long a link this node opened to another node may go unused (nothing sent, nothing
    /// answered over it) before it is closed; the next message opens it again. nil: never.
    /// The links failure detection and elections need stay open whatever their use: a
    /// member's to the leader (the leader watches its members over these), a voter's to the other voters.
    public var idleLinkTimeout: Duration? = .seconds(60)
    /// Heartbeat and failure-detection timers.
    public var detector = DetectorSettings()
    /// How long a freshly started leader holds back new name registrations, so
    /// rejoining members can bring back the named actors they host.
    public var nameGracePeriod: Duration = .milliseconds(1500)
    /// The supervisor's restart policy.
    public var restartPolicy: RestartPolicy = .default
    /// Worker threads of the node's actor executor, where actor handlers (and the child
    /// tasks they start) run, apart from the I/O thread: a handler busy for long holds one
    /// worker while heartbeats, control and the other actors go on. Defaults to the
    /// number of online CPUs (`defaultActorThreads`); at most `actorThreadLimit`.
    public var actorThreads: Int = NodeConfiguration.defaultActorThreads
    /// An expert and benchmarking switch: run actor handlers on the node's I/O thread
    /// itself (how nodes ran before the actor executor). It saves a thread hand-off
    /// per message, but a handler that computes for long then stalls the node's I/O and
    /// heartbeats, and the convention declares the node down. Off by default.
    public var actorsOnIOThread = false
    /// CurveZMQ keys (`CurveCredentials.load(directory:role:)`); nil: plain text, as for the local walkthrough.
    /// Every node of a convention uses CurveZMQ, or none does.
    public var curve: CurveCredentials?

    /// A node binding `bindHost:port`, advertised at `advertiseHost` (defaults to the bind host).
    public init(
        port: UInt16, capabilities: Capabilities = .none, leader: NodeAddress = NodeAddress(host: "127.0.0.1", port: 1900),
        bindHost: String = "127.0.0.1", advertiseHost: String? = nil
    ) {
        self.port = port
        self.capabilities = capabilities
        self.leader = leader
        self.bindHost = bindHost
        self.advertiseHost = advertiseHost ?? bindHost
    }

    /// The address other nodes reach this node at.
    public var advertisedAddress: NodeAddress { NodeAddress(host: advertiseHost, port: port) }

    /// Whether this node is the convention leader.
    public var isLeader: Bool { advertisedAddress == leader }

    /// Whether this node founds a convention at once: it is at the leader address, and was told
    /// to (`bootstrap`) or knows no other node that answers.
    public var founds: Bool { isLeader && (bootstrap || seeds.isEmpty) }

    /// The most worker threads a node's actor executor may have.
    public static let actorThreadLimit = 256

    /// The number of online CPUs (`sysconf(_SC_NPROCESSORS_ONLN)`), within 1...`actorThreadLimit`.
    public static var defaultActorThreads: Int {
        min(max(sysconf(Int32(_SC_NPROCESSORS_ONLN)), 1), actorThreadLimit)
    }
}
