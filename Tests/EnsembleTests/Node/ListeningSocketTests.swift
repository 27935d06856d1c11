import Ensemble
import NodeLauncher
import Testing
import ZMQ

#if canImport(Glibc)
import Glibc
#endif

/// Reading the kernel's socket tables: which process listens on a port.
struct ListeningSocketTests {
    // Lines as /proc/net/tcp prints them: port 1900 (076C) listening (inode 4242) and
    // connected (4343), another port listening (5151), a TIME_WAIT socket (inode 0).
    static let tcp = """
          sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
           0: 0100007F:076C 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 4242 1 0000000000000000 100 0 0 10 0
           1: 0100007F:076C 0100007F:D2F0 01 00000000:00000000 00:00000000 00000000  1000        0 4343 1 0000000000000000 20 4 30 10 -1
           2: 00000000:2710 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 5151 1 0000000000000000 100 0 0 10 0
           3: 0100007F:D2F2 0100007F:076C 06 00000000:00000000 03:00000F2B 00000000     0        0 0 3 0000000000000000
        """

    static let tcp6 = """
          sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
           0: 00000000000000000000000001000000:076C 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 6161 1 0000000000000000 100 0 0 10 0
           1: 00000000000000000000000000000000:2711 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 7171 1 0000000000000000 100 0 0 10 0
        """

    @Test func onlyListeningSocketsOnThePortCount() {
        #expect(ListeningSocket.listeningInodes(port: 1900, table: Self.tcp) == [4242])
        #expect(ListeningSocket.listeningInodes(port: 10000, table: Self.tcp) == [5151])
        // Connected to 1900 from 0xD2F2 is not listening on 0xD2F2 either.
        #expect(ListeningSocket.listeningInodes(port: 0xD2F2, table: Self.tcp).isEmpty)
        #expect(ListeningSocket.listeningInodes(port: 1901, table: Self.tcp).isEmpty)
    }

    @Test func ipv6TablesParseToo() {
        #expect(ListeningSocket.listeningInodes(port: 1900, table: Self.tcp6) == [6161])
        #expect(ListeningSocket.listeningInodes(port: 10001, table: Self.tcp6) == [7171])
    }

    @Test func malformedTablesYieldNothing() {
        for text in ["", "header only", "header\n0: garbage", "header\n 0: 0100007F:ZZZZ 00000000:0000 0A 0 0 0 0 0 42 1"] {
            #expect(ListeningSocket.listeningInodes(port: 1900, table: text).isEmpty)
        }
    }

    @Test(arguments: [
        ("socket:[4242]", UInt64(4242) as UInt64?), ("socket:[]", nil), ("socket:[x1]", nil),
        ("pipe:[4242]", nil), ("/dev/null", nil), ("anon_inode:[eventfd]", nil),
    ] as [(String, UInt64?)])
    func descriptorLinksNameSockets(link: String, inode: UInt64?) {
        #expect(ListeningSocket.socketInode(link: link) == inode)
    }

    /// This process listens on one port (a ZeroMQ ROUTER bound there) and not on another.
    @Test func thisProcessIsFoundListeningOnItsOwnPort() throws {
        let port = try FreePorts.one()
        let other = try FreePorts.one()
        let context = try ZMQContext()
        let socket = try ZMQSocket(context: context, type: .router)
        try socket.set(.linger, 0)
        try socket.bind("tcp://127.0.0.1:\(port)")
        defer { socket.close() }
        #expect(ListeningSocket.check(pid: getpid(), port: port) == .listening)
        #expect(ListeningSocket.check(pid: getpid(), port: other) == .notListening)
        // Another process does not hold this one's socket.
        #expect(ListeningSocket.check(pid: getppid(), port: port) != .listening)
    }
}
