import CZMQ

/// An error from libzmq, keeping the `errno` it reported and the call that failed.
public struct ZMQError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The `errno` value libzmq reported.
    public let errno: Int32
    /// The libzmq function that failed.
    public let function: String

    /// Creates an error for `function` with the given `errno`.
    public init(errno: Int32, function: String) {
        self.errno = errno
        self.function = function
    }

    /// The error text from `zmq_strerror`, prefixed with the failing call.
    public var description: String {
        "\(function): \(String(cString: zmq_strerror(errno)))"
    }

    /// True when the failure says the address is already bound.
    public var isAddressInUse: Bool { errno == EADDRINUSE }
    /// True when a ROUTER_MANDATORY send names a peer it does not know.
    public var isHostUnreachable: Bool { errno == EHOSTUNREACH }
}

/// The outcome of a non-blocking call: done, or it would have blocked (EAGAIN).
public enum ZMQOutcome: Sendable, Equatable {
    /// The call completed.
    case done
    /// The call would have blocked (EAGAIN); nothing happened.
    case wouldBlock
}

/// Every libzmq call that returns an `int` goes through here: EINTR is retried,
/// EAGAIN becomes `nil`, anything else throws a `ZMQError` keeping errno.
@inline(__always)
func zmqCall(_ function: StaticString, _ body: () -> Int32) throws(ZMQError) -> Int32? {
    while true {
        let result = body()
        if result >= 0 { return result }
        let code = zmq_errno()
        if code == EINTR { continue }
        if code == EAGAIN { return nil }
        throw ZMQError(errno: code, function: "\(function)")
    }
}
