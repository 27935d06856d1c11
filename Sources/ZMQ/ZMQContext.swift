import CZMQ

/// A libzmq context: the owner of libzmq's I/O threads.
///
/// `@unchecked Sendable` because libzmq documents contexts as thread safe
/// (zmq_ctx_new(3): "a ØMQ context is thread safe and may be shared among as
/// many application threads as necessary"); sockets made from it are not.
public final class ZMQContext: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer

    /// Creates a context with one libzmq I/O thread.
    public init() throws(ZMQError) {
        guard let handle = zmq_ctx_new() else {
            throw ZMQError(errno: zmq_errno(), function: "zmq_ctx_new")
        }
        self.handle = handle
        _ = zmq_ctx_set(handle, ZMQ_BLOCKY, 0)
    }

    /// Makes blocking calls on every socket of this context fail with ETERM.
    public func shutdown() {
        _ = zmq_ctx_shutdown(handle)
    }

    deinit {
        while zmq_ctx_term(handle) != 0 && zmq_errno() == EINTR {}
    }

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
