"""A client of one Ensemble node (its gateway), over a ZeroMQ DEALER socket.

Requests (`request`, `status`, `create_actor`, ...) go to the gateway's system endpoint as
`control` envelopes and are answered by `reply` envelopes with the same correlation id.
Mail to actors goes as `tell` envelopes without a sender: the gateway names this client's
relay address as the sender, and what actors send back arrives here. Every wait has a
timeout; every failure is an exception from `errors` carrying one line saying why.
"""

from __future__ import annotations

import os
import time
from collections import deque
from dataclasses import dataclass
from typing import Deque, Dict, Optional

import zmq
from google.protobuf.message import Message

from . import envelope as wire
from . import messages
from .curve import CurveKeys
from .errors import EnsembleError, NotLeader, Refused, RemoteError, Timeout, Undeliverable, Unreachable
from .envelope import Address, Envelope

from ensemble.v2 import client_pb2, control_pb2

REFUSED = "ensemble.v2.Refused"
DEAD_LETTER = "ensemble.v2.DeadLetter"
POISON = "ensemble.v2.PoisonMessage"
_MONITORED = (zmq.EVENT_HANDSHAKE_FAILED_AUTH | zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL
              | zmq.EVENT_HANDSHAKE_FAILED_NO_DETAIL | zmq.EVENT_HANDSHAKE_SUCCEEDED | zmq.EVENT_CONNECT_RETRIED)
_MECHANISM_MISMATCH = getattr(zmq, "PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH", 0x11000001)


def parse_node(text: str) -> tuple:
    """`PORT` or `HOST:PORT` as (host, port); ValueError otherwise."""
    host, _, port = text.strip().rpartition(":")
    host = host or "127.0.0.1"
    if not port.isdigit() or not 1 <= int(port) <= 65535 or not host:
        raise ValueError(f"must be HOST:PORT or PORT, not '{text}'")
    return host, int(port)


def _seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


@dataclass(frozen=True)
class Received:
    """Mail for this client: its wire type name, the decoded message (None for a type this
    client does not know), the sending actor, and the correlation id of the ask it answers."""

    type_name: str
    message: Optional[Message]
    sender: Optional[Address]
    correlation_id: int
    payload: bytes


class Client:
    """One connection to the node at `gateway` ("HOST:PORT" or "PORT").

    With `curve`, the connection uses CurveZMQ with the client's key pair and `server_key`,
    the gateway's public key (see `open_client`, which finds it)."""

    def __init__(self, gateway: str, curve: Optional[CurveKeys] = None, server_key: Optional[str] = None,
                 context: Optional[zmq.Context] = None, max_message_size: int = 64 << 20):
        self.host, self.port = parse_node(gateway)
        self.gateway = f"{self.host}:{self.port}"
        self._curve, self._server_key = curve, server_key
        self._context = context or zmq.Context.instance()
        self._socket = self._context.socket(zmq.DEALER)
        self._socket.setsockopt(zmq.IDENTITY, b"C" + os.urandom(15))
        self._socket.setsockopt(zmq.LINGER, 0)
        self._socket.setsockopt(zmq.RECONNECT_IVL, 100)
        self._socket.setsockopt(zmq.RECONNECT_IVL_MAX, 1000)
        self._socket.setsockopt(zmq.HANDSHAKE_IVL, 5000)
        self._socket.setsockopt(zmq.MAXMSGSIZE, max_message_size)
        if curve is not None:
            if server_key is None:
                raise ValueError("a CurveZMQ client needs the gateway's public key")
            self._socket.curve_secretkey = curve.secret_key.encode()
            self._socket.curve_publickey = curve.public_key.encode()
            self._socket.curve_serverkey = server_key.encode()
        self._monitor = self._socket.get_monitor_socket(_MONITORED)
        self._socket.connect(f"tcp://{self.gateway}")
        self._poller = zmq.Poller()
        self._poller.register(self._socket, zmq.POLLIN)
        self._poller.register(self._monitor, zmq.POLLIN)
        self._waiting: set = set()
        # Asks under way, by correlation id: what a DeadLetter bouncing one would name.
        self._asks: Dict[int, tuple] = {}
        self._answers: Dict[int, Envelope] = {}
        self._inbox: Deque[Envelope] = deque()
        self._refusal: Optional[Refused] = None
        self._trouble: Optional[Refused] = None
        # A connection attempt failed (refused, say) since the last handshake; with `_give_up`,
        # waits end then instead of at their timeout.
        self._retried = False
        self._give_up = False
        self._closed = False

    # Requests to the gateway

    def request(self, message: Message, timeout: float = 2.0) -> Message:
        """Sends a request to the gateway and returns its reply, the type the schemas name for it.
        Raises Refused (the node's reason), Timeout, Unreachable."""
        correlation = self._new_id()
        self._send(Envelope(wire.CONTROL, self._system(), messages.type_name(message),
                            message.SerializeToString(), None, correlation))
        answer = self._wait_for(correlation, timeout)
        if answer.type_name == REFUSED:
            raise Refused(self._decode(answer).reason)
        expected = messages.REPLY_FOR.get(messages.type_name(message))
        if expected is not None and answer.type_name != expected:
            raise EnsembleError(f"{self.gateway} answered {answer.type_name} to {messages.type_name(message)}")
        return self._decode(answer)

    def connect(self, timeout: float = 2.0, give_up_when_refused: bool = False) -> Address:
        """Waits until the gateway answers a ping; returns its life (id 0). With
        `give_up_when_refused`, a connection attempt that fails (a node that is not there
        refuses at once) raises Unreachable then rather than at the timeout."""
        self._give_up = give_up_when_refused
        try:
            return Address.from_proto(self.request(control_pb2.PingRequest(), timeout).node)
        finally:
            self._give_up = False

    def create_actor(self, type_name: str, global_name: Optional[str] = None, timeout: float = 2.0) -> Address:
        """Places an actor of a registered type (with `global_name`: that name's actor, made if absent)."""
        request = client_pb2.CreateActorRequest(type_name=type_name)
        if global_name is not None:
            request.global_name = global_name
        return Address.from_proto(self.request(request, timeout).address)

    def status(self, timeout: float = 10.0) -> client_pb2.StatusReport:
        """The convention as the gateway sees it."""
        return self.request(client_pb2.StatusRequest(), timeout)

    def describe_view(self, timeout: float = 2.0):
        """The gateway's view (an ensemble.v2.ViewSnapshot), or None before it was welcomed."""
        reply = self.request(client_pb2.DescribeViewRequest(), timeout)
        return reply.view if reply.HasField("view") else None

    def events(self, after: int = 0, wait: float = 0.0, timeout: float = 2.0) -> client_pb2.EventBatch:
        """The leader's events after sequence `after` (0: all it still holds), an
        ensemble.v2.EventBatch. When there are none yet, the leader holds the request up to
        `wait` seconds (at most 30) and answers as soon as one happens. Raises NotLeader,
        naming the leader, when the gateway does not lead; Refused, Timeout, Unreachable."""
        request = client_pb2.EventsRequest(after=after, wait_ms=max(0, min(int(wait * 1000), 30_000)))
        correlation = self._new_id()
        self._send(Envelope(wire.CONTROL, self._system(), messages.type_name(request),
                            request.SerializeToString(), None, correlation))
        answer = self._wait_for(correlation, timeout + wait)
        reply = self._decode(answer)
        if answer.type_name == REFUSED:
            raise Refused(reply.reason)
        if answer.type_name == "ensemble.v2.Admission" and reply.HasField("not_leader"):
            named = reply.not_leader.leader if reply.not_leader.HasField("leader") else None
            leader = f"{named.host}:{named.port}" if named is not None else None
            raise NotLeader(f"{self.gateway} does not lead" + (f"; {leader} does" if leader else ", and knows no leader yet"),
                            leader)
        if answer.type_name != "ensemble.v2.EventBatch":
            raise EnsembleError(f"{self.gateway} answered {answer.type_name} to ensemble.v2.EventsRequest")
        return reply

    # Mail to actors

    def tell(self, message: Message, to: Address) -> None:
        """Sends `message` to the actor `to` (fire and forget); what comes back arrives in `receive`."""
        self._send(Envelope(wire.TELL, to, messages.type_name(message), message.SerializeToString()))

    def ask(self, message: Message, to: Address, timeout: float = 2.0) -> Message:
        """Sends `message` and returns the actor's reply. Raises Undeliverable (a DeadLetter came
        back), RemoteError (the handler failed), Timeout."""
        correlation = self._new_id()
        payload = message.SerializeToString()
        self._send(Envelope(wire.TELL, to, messages.type_name(message), payload, None, correlation))
        # Undeliverable mail comes back as a DeadLetter without the ask's correlation id: it is
        # matched by what it names (recipient, type, payload).
        self._asks[correlation] = (to, messages.type_name(message), payload)
        try:
            answer = self._wait_for(correlation, timeout, what=str(to))
        finally:
            self._asks.pop(correlation, None)
        decoded = self._decode(answer)
        if answer.type_name == DEAD_LETTER:
            raise Undeliverable(decoded.reason)
        if answer.type_name == POISON:
            raise RemoteError(decoded.details)
        return decoded

    def receive(self, timeout: float) -> Received:
        """The next mail for this client that no ask waits for; Timeout when none comes in time."""
        deadline = time.monotonic() + timeout
        while not self._inbox:
            if not self._pump(deadline):
                raise Timeout(f"no message within {_seconds(timeout)} s")
        envelope = self._inbox.popleft()
        return Received(envelope.type_name, messages.decode(envelope.type_name, envelope.payload),
                        envelope.sender, envelope.correlation_id, envelope.payload)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._socket.disable_monitor()
        self._monitor.close(0)
        self._socket.close(0)

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # The socket

    def _system(self) -> Address:
        return Address(self.host, self.port, 0, 0)

    @staticmethod
    def _new_id() -> int:
        return int.from_bytes(os.urandom(8), "little") or 1

    def _send(self, envelope: Envelope) -> None:
        if self._closed:
            raise EnsembleError("the client is closed")
        if self._refusal is not None:
            raise self._refusal
        try:
            self._socket.send(wire.encode(envelope), zmq.NOBLOCK)
        except zmq.Again:
            raise Unreachable(f"no node answers at {self.gateway}") from None

    def _decode(self, envelope: Envelope) -> Message:
        decoded = messages.decode(envelope.type_name, envelope.payload)
        if decoded is None:
            raise EnsembleError(f"{self.gateway} sent {envelope.type_name}, which this client cannot read")
        return decoded

    def _wait_for(self, correlation: int, timeout: float, what: Optional[str] = None) -> Envelope:
        deadline = time.monotonic() + timeout
        self._waiting.add(correlation)
        try:
            while correlation not in self._answers:
                if not self._pump(deadline):
                    if self._trouble is not None:
                        raise self._trouble
                    if what is None:
                        raise Unreachable(f"no node answers at {self.gateway}")
                    raise Timeout(f"no answer from {what} within {_seconds(timeout)} s")
            return self._answers.pop(correlation)
        finally:
            self._waiting.discard(correlation)

    def _pump(self, deadline: float) -> bool:
        """Reads what has arrived, waiting until `deadline` for something; False at the deadline."""
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or (self._give_up and self._retried):
                return False
            ready = dict(self._poller.poll(max(1, int(left * 1000))))
            if self._monitor in ready:
                self._read_monitor()
            if self._socket in ready:
                self._read_socket()
                return True

    def _read_socket(self) -> None:
        while True:
            try:
                frame = self._socket.recv(zmq.NOBLOCK)
            except zmq.Again:
                return
            refusal = wire.version_refusal(frame)
            if refusal is not None:
                self._refusal = Refused(refusal)
                raise self._refusal
            try:
                envelopes = wire.decode_batch(frame)
            except wire.MalformedEnvelope:
                continue
            for envelope in envelopes:
                if envelope.correlation_id in self._waiting and envelope.kind in (wire.REPLY, wire.TELL):
                    self._answers[envelope.correlation_id] = envelope
                elif envelope.kind == wire.TELL and not self._bounced_ask(envelope):
                    self._inbox.append(envelope)

    def _bounced_ask(self, envelope: Envelope) -> bool:
        """Whether `envelope` is a DeadLetter returning the mail of an ask under way (then its answer)."""
        if envelope.type_name != DEAD_LETTER or not self._asks:
            return False
        letter = messages.decode(DEAD_LETTER, envelope.payload)
        if letter is None:
            return False
        named = (Address.from_proto(letter.recipient), letter.original_type, letter.original_payload)
        for correlation, ask in self._asks.items():
            if ask == named and correlation not in self._answers:
                self._answers[correlation] = envelope
                return True
        return False

    def _read_monitor(self) -> None:
        from zmq.utils.monitor import recv_monitor_message

        while True:
            try:
                event = recv_monitor_message(self._monitor, zmq.NOBLOCK)
            except zmq.Again:
                return
            kind, value = event["event"], event["value"]
            if kind == zmq.EVENT_CONNECT_RETRIED:
                self._retried = True
            elif kind == zmq.EVENT_HANDSHAKE_SUCCEEDED:
                self._retried = False
            elif kind == zmq.EVENT_HANDSHAKE_FAILED_AUTH:
                key = f" {self._curve.public_key}" if self._curve else ""
                self._refuse(f"refused: {self.gateway} does not accept key{key} "
                             "(it is in none of its members/, clients/ and admin/)")
            elif kind == zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL and value == _MECHANISM_MISMATCH:
                self._refuse(f"refused: {self.gateway} requires CurveZMQ keys and this client has none"
                             if self._curve is None else
                             f"refused: {self.gateway} does not use CurveZMQ and this client does")
            elif kind in (zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL, zmq.EVENT_HANDSHAKE_FAILED_NO_DETAIL):
                question = (f"is {self._server_key} its public key?" if self._curve
                            else "does it require CurveZMQ keys? this client has none")
                self._trouble = Refused(f"refused: the handshake with {self.gateway} failed ({question})")

    def _refuse(self, why: str) -> None:
        self._refusal = Refused(why)
        raise self._refusal


def open_client(gateway: str, leader: str = "127.0.0.1:1900", curve: Optional[CurveKeys] = None,
                timeout: float = 2.0) -> Client:
    """A client of `gateway`; over CurveZMQ with `curve`, the gateway's key taken from `leader.pub`
    or `nodes/`, else learnt from the leader's view (over a connection authenticated with
    `leader.pub`). Raises Refused when the key cannot be found."""
    gateway = "%s:%d" % parse_node(gateway)
    leader = "%s:%d" % parse_node(leader)
    if curve is None:
        return Client(gateway)
    known = curve.known_server_key(gateway, leader)
    if known is not None:
        return Client(gateway, curve, known)
    if curve.leader_key is None:
        raise Refused(f"no public key for {gateway}: the key directory has neither leader.pub "
                      f"nor nodes/{gateway}.pub")
    with Client(leader, curve, curve.leader_key) as asker:
        try:
            view = asker.describe_view(timeout)
        except EnsembleError as error:
            raise Refused(f"no public key for {gateway}: the leader {leader} cannot tell it ({error}) "
                          f"and there is no nodes/{gateway}.pub") from None
    for member in (view.members if view is not None else []):
        if f"{member.node.host}:{member.node.port}" == gateway and member.public_key:
            return Client(gateway, curve, member.public_key)
    raise Refused(f"no public key for {gateway}: the leader {leader} does not list it as a member")
