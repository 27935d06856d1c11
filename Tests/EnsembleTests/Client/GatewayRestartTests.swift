import NodeLauncher
#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import Testing
import ZMQ

@testable import Ensemble

/// A failing-over client whose gateway starts a new life (a node restarted between two of the
/// client's reconnects, or given a new life by the convention in the same process) learns it
/// from the life the gateway's envelopes name, and says so with a `GatewayChanged`.
struct GatewayRestartTests {
    /// A stand-in gateway on a raw ROUTER: it answers every control request with a pong from
    /// its life, addressed to the client's relay at that life, as a node does.
    final class StandInGateway: Sendable {
        private let state: State
        /// Fulfilled once its thread closed the socket.
        private let served = OneShot<Bool>()
        /// Kept as long as the gateway: a context ends only once its sockets are closed.
        private let context: ZMQContext
        let address: NodeAddress

        private final class State: Sendable {
            let incarnation: Mutex<UInt64>
            let stopped = Mutex(false)
            /// Replies name the relay of "whichever life" (incarnation 0), as anyone's mail to it may.
            let toAnyLife = Mutex(false)
            init(_ incarnation: UInt64) { self.incarnation = Mutex(incarnation) }
        }

        init(incarnation: UInt64, context: ZMQContext) throws {
            self.context = context
            let socket = try ZMQSocket(context: context, type: .router)
            try socket.set(.linger, 0)
            try socket.bind("tcp://127.0.0.1:*")
            let port = try #require(UInt16(try socket.lastEndpoint().split(separator: ":").last ?? ""))
            let address = NodeAddress(host: "127.0.0.1", port: port)
            self.address = address
            let state = State(incarnation)
            self.state = state
            // The socket is used by this task alone, from here to its close.
            nonisolated(unsafe) let owned = socket
            let served = self.served
            // Its own thread: a task on the cooperative pool waits behind whatever else the tests run.
            try OSThread.spawn(name: "stand-in") {
                while !state.stopped.withLock({ $0 }) {
                    guard let frames = try? owned.receive() else {
                        usleep(1000)
                        continue
                    }
                    let life = NodeID(address: address, incarnation: state.incarnation.withLock { $0 })
                    guard frames.count == 2, let envelopes = try? Envelope.decodeBatch(frames[1]) else { continue }
                    for request in envelopes where request.kind == .control {
                        guard let (typeName, payload) = try? ControlCodec.encode(ControlReply.pong(life)) else { continue }
                        let relayLife = state.toAnyLife.withLock { $0 } ? NodeID(address: address, incarnation: 0) : life
                        let reply = Envelope(
                            kind: .reply, sender: .system(life), recipient: ActorAddress(node: relayLife, id: 7),
                            typeName: typeName, correlationID: request.correlationID, payload: payload)
                        _ = try? owned.send([frames[0], reply.encoded()])
                    }
                }
                owned.close()
                served.fulfil(true)
            }
        }

        /// Addresses its answers to the relay of any life (incarnation 0) from now on, or no longer.
        func addressAnyLife(_ on: Bool) { state.toAnyLife.withLock { $0 = on } }

        /// Answers as a new life from now on.
        func startLife(_ incarnation: UInt64) { state.incarnation.withLock { $0 = incarnation } }

        func stop() async {
            state.stopped.withLock { $0 = true }
            _ = await served.wait(timeout: .seconds(10))
        }
    }

    /// Runs `body` with a failing-over client of a stand-in gateway at `incarnation` 1, stopping both after.
    static func withStandIn(_ body: (StandInGateway, EnsembleClient) async throws -> Void) async throws {
        let gateway = try StandInGateway(incarnation: 1, context: try ZMQContext())
        var settings = GatewayFailover()
        settings.learnsMembers = false
        do {
            let nowhere = NodeAddress(host: "127.0.0.1", port: try FreePorts.one())
            let client = try EnsembleClient(gateways: [gateway.address, nowhere], failover: settings)
            try await client.connect(timeout: .seconds(5))
            do {
                try await body(gateway, client)
            } catch {
                await client.close()
                throw error
            }
            await client.close()
        } catch {
            await gateway.stop()
            throw error
        }
        await gateway.stop()
    }

    /// Mail to a client's relay may name "whichever life" (incarnation 0): that is no restart,
    /// or anyone who can write to the relay could make the client give up what it waits for.
    @Test func mailToTheRelayOfAnyLifeIsNoRestart() async throws {
        try await Self.withStandIn { gateway, client async throws in
            let life = NodeID(address: gateway.address, incarnation: 1)
            #expect(try await Self.answeringLife(client) == life)
            gateway.addressAnyLife(true)
            #expect(try await Self.answeringLife(client) == life)
            gateway.addressAnyLife(false)
            #expect(try await Self.answeringLife(client) == life)
            #expect(await client.nextMessage(GatewayChanged.self, timeout: .milliseconds(500)) == nil)
        }
    }

    static func answeringLife(_ client: EnsembleClient) async throws -> NodeID? {
        guard case .pong(let life) = try await client.request(.ping, timeout: .seconds(10)) else { return nil }
        return life
    }

    @Test func aNewLifeBehindTheSameConnectionIsAGatewayChange() async throws {
        try await Self.withStandIn { gateway, client async throws in
            let first = NodeID(address: gateway.address, incarnation: 1)
            #expect(try await Self.answeringLife(client) == first)
            #expect(try await Self.answeringLife(client) == first)
            gateway.startLife(2)
            // The answer of the new life is an answer: the request it answers succeeds.
            #expect(try await Self.answeringLife(client) == NodeID(address: gateway.address, incarnation: 2))
            let change = await client.nextMessage(GatewayChanged.self, timeout: .seconds(10))
            #expect(change?.from == gateway.address)
            #expect(change?.to == gateway.address)
            #expect(change?.reason == "\(gateway.address) restarted (life \(first) ended)")
            #expect(client.gateway == gateway.address)
            // One change, said once.
            #expect(try await Self.answeringLife(client) == NodeID(address: gateway.address, incarnation: 2))
            #expect(await client.nextMessage(GatewayChanged.self, timeout: .milliseconds(500)) == nil)
        }
    }
}
