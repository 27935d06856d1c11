import Synchronization
import ZMQ

#if canImport(Glibc)
import Glibc
#endif

/// The floor to compare actor messaging with: raw ZeroMQ DEALER→ROUTER
/// throughput over TCP loopback through this project's wrapper, no actors.
public enum ZMQThroughput {
    /// Sends `messages` messages of `size` bytes from a DEALER thread to a ROUTER
    /// thread on `port`; returns messages per second.
    public static func measure(messages: Int, size: Int, port: UInt16) async throws -> Double {
        let context = try ZMQContext()
        let endpoint = NodeAddress(host: "127.0.0.1", port: port).endpoint
        let bound = OneShot<String?>()
        let done = OneShot<Duration>()
        try OSThread.spawn(name: "zmq-floor-router") {
            do {
                let router = try ZMQSocket(context: context, type: .router)
                try router.set(.linger, 0)
                try router.set(.receiveHighWaterMark, 100_000)
                try router.bind(endpoint)
                bound.fulfil(nil)
                var received = 0
                var started: ContinuousClock.Instant?
                while received < messages {
                    var poller = ZMQPoller()
                    poller.add(router, .readable)
                    _ = try poller.poll(timeoutMs: 1000)
                    while received < messages, let frames = try router.receive() {
                        if started == nil { started = .now }
                        received += frames.count == 2 ? 1 : 0
                    }
                }
                done.fulfil(.now - (started ?? .now))
                router.close()
            } catch {
                bound.fulfil("\(error)")
                done.fulfil(.zero)
            }
        }
        if let failure = await bound.wait(timeout: .seconds(5)) ?? "the ROUTER did not bind" {
            throw EnsembleError.remote(failure)
        }
        try OSThread.spawn(name: "zmq-floor-dealer") {
            do {
                let dealer = try ZMQSocket(context: context, type: .dealer)
                try dealer.set(.linger, 1000)
                try dealer.set(.sendHighWaterMark, 100_000)
                try dealer.connect(endpoint)
                let payload = [UInt8](repeating: 0x61, count: size)
                var sent = 0
                while sent < messages {
                    if try dealer.send([payload]) == .done {
                        sent += 1
                    } else {
                        var poller = ZMQPoller()
                        poller.add(dealer, .writable)
                        _ = try poller.poll(timeoutMs: 100)
                    }
                }
                // Keep the socket open until the ROUTER has everything (LINGER covers the rest).
                let deadline = ContinuousClock.now + .seconds(60)
                while done.value == nil && ContinuousClock.now < deadline { usleep(1000) }
                dealer.close()
            } catch {
                done.fulfil(.zero)
            }
        }
        guard let elapsed = await done.wait(timeout: .seconds(60)), elapsed > .zero else {
            throw EnsembleError.timeout("the ZeroMQ floor measurement")
        }
        return Double(messages - 1) / (Double(elapsed.components.attoseconds) / 1e18 + Double(elapsed.components.seconds))
    }
}
