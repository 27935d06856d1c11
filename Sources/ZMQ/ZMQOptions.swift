import CZMQ

/// Integer socket options.
public enum ZMQIntOption: Sendable {
    case linger, sendHighWaterMark, receiveHighWaterMark, routerMandatory, immediate
    case handshakeInterval, reconnectInterval, reconnectIntervalMax, routerHandover
    case heartbeatInterval, heartbeatTimeout, events, tcpKeepalive, curveServer

    var raw: Int32 {
        switch self {
        case .linger: return ZMQ_LINGER
        case .sendHighWaterMark: return ZMQ_SNDHWM
        case .receiveHighWaterMark: return ZMQ_RCVHWM
        case .routerMandatory: return ZMQ_ROUTER_MANDATORY
        case .immediate: return ZMQ_IMMEDIATE
        case .handshakeInterval: return ZMQ_HANDSHAKE_IVL
        case .reconnectInterval: return ZMQ_RECONNECT_IVL
        case .reconnectIntervalMax: return ZMQ_RECONNECT_IVL_MAX
        case .routerHandover: return ZMQ_ROUTER_HANDOVER
        case .heartbeatInterval: return ZMQ_HEARTBEAT_IVL
        case .heartbeatTimeout: return ZMQ_HEARTBEAT_TIMEOUT
        case .events: return ZMQ_EVENTS
        case .tcpKeepalive: return ZMQ_TCP_KEEPALIVE
        case .curveServer: return ZMQ_CURVE_SERVER
        }
    }
}

/// 64-bit integer socket options.
public enum ZMQInt64Option: Sendable {
    case maxMessageSize

    var raw: Int32 {
        switch self {
        case .maxMessageSize: return ZMQ_MAXMSGSIZE
        }
    }
}

/// Binary socket options.
public enum ZMQBytesOption: Sendable {
    case routingID, subscribe, unsubscribe, curvePublicKey, curveSecretKey, curveServerKey, zapDomain

    var raw: Int32 {
        switch self {
        case .routingID: return ZMQ_ROUTING_ID
        case .subscribe: return ZMQ_SUBSCRIBE
        case .unsubscribe: return ZMQ_UNSUBSCRIBE
        case .curvePublicKey: return ZMQ_CURVE_PUBLICKEY
        case .curveSecretKey: return ZMQ_CURVE_SECRETKEY
        case .curveServerKey: return ZMQ_CURVE_SERVERKEY
        case .zapDomain: return ZMQ_ZAP_DOMAIN
        }
    }
}
