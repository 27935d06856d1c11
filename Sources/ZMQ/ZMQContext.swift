import CZMQ
import Synchronization

/// A libzmq context: the owner of libzmq's I/O threads.
///
/// `@unchecked Sendable` because libzmq documents contexts as thread safe
/// (zmq_ctx_new(3): "a ØMQ context is thread safe and may be shared among as
/// many application threads as necessary"); sockets made from it are not.
public final class ZMQContext: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer
    private let terminated = Atomic<Bool>(false)

    /// Creates a context with one libzmq I/O thread, for at most `maxSockets` sockets at once
    /// (libzmq's default, 1,023, when nil; capped at the largest this libzmq allows).
    public init(maxSockets: Int? = nil) throws(ZMQError) {
        guard let handle = zmq_ctx_new() else {
            throw ZMQError(errno: zmq_errno(), function: "zmq_ctx_new")
        }
        self.handle = handle
        _ = zmq_ctx_set(handle, ZMQ_BLOCKY, 0)
        if let maxSockets {
            // Only takes effect before the context's first socket, which is why it is set here.
            let ceiling = Int(zmq_ctx_get(handle, ZMQ_SOCKET_LIMIT))
            _ = zmq_ctx_set(handle, ZMQ_MAX_SOCKETS, Int32(clamping: max(1, ceiling > 0 ? min(maxSockets, ceiling) : maxSockets)))
        }
    }

    /// How many sockets this context allows at once.
    public var maxSockets: Int { Int(zmq_ctx_get(handle, ZMQ_MAX_SOCKETS)) }

    /// Makes blocking calls on every socket of this context fail with ETERM.
    public func shutdown() {
        _ = zmq_ctx_shutdown(handle)
    }

    /// Ends the context: waits until every socket made from it is closed and what
    /// they still had to send has left or their LINGER passed. Once only; later calls
    /// (and `deinit`) do nothing. Call it when the context's sockets are all closed:
    /// with one left open it waits for ever.
    public func terminate() {
        guard !terminated.exchange(true, ordering: .acquiringAndReleasing) else { return }
        while zmq_ctx_term(handle) != 0 && zmq_errno() == EINTR {}
    }

    deinit { terminate() }

    /// Whether this libzmq was built with `capability` ("curve", "ipc", ...).
    public static func has(_ capability: String) -> Bool {
        zmq_has(capability) == 1
    }

    /// The libzmq version as "major.minor.patch".
    public static var version: String {
        var major: Int32 = 0, minor: Int32 = 0, patch: Int32 = 0
        zmq_version(&major, &minor, &patch)
        return "\(major).\(minor).\(patch)"
    }
}
