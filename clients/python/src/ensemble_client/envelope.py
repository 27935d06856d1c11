"""The Ensemble envelope, version 2 (docs/protocol.md, "The envelope").

A ZeroMQ frame holds one or more envelopes back to back. Each has a fixed
little-endian header, the sender (optional) and recipient addresses, a type
name and the payload (a proto3 message for everything the runtime defines).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import List, Optional

MAGIC = 0xE5
VERSION = 2
HEADER_SIZE = 16
VERSION_REFUSAL_KIND = 0xFF

TELL, CONTROL, REPLY, UPDATE = 1, 2, 3, 4
KINDS = {TELL, CONTROL, REPLY, UPDATE}


class MalformedEnvelope(ValueError):
    """Bytes that are not a well-formed version-2 envelope batch."""


@dataclass(frozen=True)
class Address:
    """An actor (or, with id 0, a node's system endpoint): HOST:PORT@INCARNATION/ID."""

    host: str
    port: int
    incarnation: int = 0
    id: int = 0

    def __str__(self) -> str:
        return f"{self.host}:{self.port}@{self.incarnation:x}/{self.id}"

    @property
    def node(self) -> str:
        """HOST:PORT of the node it lives on."""
        return f"{self.host}:{self.port}"

    @classmethod
    def from_proto(cls, proto) -> "Address":
        """From an ensemble.v2.ActorAddress (or NodeId: id 0)."""
        return cls(proto.host, proto.port, proto.incarnation, getattr(proto, "id", 0))

    def to_proto(self):
        from ensemble.v2 import common_pb2

        return common_pb2.ActorAddress(host=self.host, port=self.port, incarnation=self.incarnation, id=self.id)


@dataclass(frozen=True)
class Envelope:
    kind: int
    recipient: Address
    type_name: str
    payload: bytes = b""
    sender: Optional[Address] = None
    correlation_id: int = 0


def _address_bytes(address: Address) -> bytes:
    host = address.host.encode("utf-8")
    if not 1 <= len(host) <= 255:
        raise ValueError(f"a host is 1-255 UTF-8 bytes, not {len(host)}")
    return bytes([len(host)]) + host + struct.pack("<HQQ", address.port, address.incarnation, address.id)


def encode(envelope: Envelope) -> bytes:
    """One envelope's bytes (a frame of one; concatenate several for a batch)."""
    type_name = envelope.type_name.encode("utf-8")
    if len(type_name) > 0xFFFF:
        raise ValueError("a type name is at most 65535 UTF-8 bytes")
    body = b""
    if envelope.sender is not None:
        body += _address_bytes(envelope.sender)
    body += _address_bytes(envelope.recipient)
    body += struct.pack("<H", len(type_name)) + type_name + bytes(envelope.payload)
    flags = 1 if envelope.sender is not None else 0
    length = HEADER_SIZE + len(body)
    header = struct.pack("<BBBBIQ", MAGIC, VERSION, envelope.kind, flags, length, envelope.correlation_id)
    return header + body


class _Reader:
    def __init__(self, data: bytes, offset: int, end: int):
        self.data, self.offset, self.end = data, offset, end

    def take(self, count: int) -> bytes:
        if count < 0 or self.offset + count > self.end:
            raise MalformedEnvelope("truncated envelope")
        chunk = self.data[self.offset:self.offset + count]
        self.offset += count
        return chunk

    def text(self, count: int, what: str) -> str:
        try:
            return self.take(count).decode("utf-8")
        except UnicodeDecodeError:
            raise MalformedEnvelope(f"{what} is not UTF-8") from None

    def address(self) -> Address:
        host = self.text(self.take(1)[0], "a host")
        if not host:
            raise MalformedEnvelope("bad host")
        port, incarnation, actor = struct.unpack("<HQQ", self.take(18))
        return Address(host, port, incarnation, actor)


def version_refusal(frame: bytes) -> Optional[str]:
    """The text of a version refusal frame (of any protocol version), if `frame` is one."""
    if len(frame) >= 4 and frame[0] == MAGIC and frame[2] == VERSION_REFUSAL_KIND:
        return frame[4:].decode("utf-8", errors="replace")
    return None


def decode_batch(frame: bytes) -> List[Envelope]:
    """Every envelope of a frame; raises MalformedEnvelope on the first bad one."""
    if not frame:
        raise MalformedEnvelope("truncated envelope")
    envelopes = []
    offset = 0
    while offset < len(frame):
        if len(frame) - offset < HEADER_SIZE:
            raise MalformedEnvelope("truncated envelope")
        magic, version, kind, flags, length, correlation = struct.unpack_from("<BBBBIQ", frame, offset)
        if magic != MAGIC:
            raise MalformedEnvelope(f"not an Ensemble envelope (first byte {magic})")
        if version != VERSION:
            raise MalformedEnvelope(f"protocol version {version} is not supported (this client speaks {VERSION})")
        if kind not in KINDS:
            raise MalformedEnvelope(f"unknown envelope kind {kind}")
        if flags & ~1:
            raise MalformedEnvelope(f"unknown flags {flags}")
        if length < HEADER_SIZE or length > len(frame) - offset:
            raise MalformedEnvelope("inconsistent envelope length")
        reader = _Reader(frame, offset + HEADER_SIZE, offset + length)
        sender = reader.address() if flags & 1 else None
        recipient = reader.address()
        type_name = reader.text(struct.unpack("<H", reader.take(2))[0], "a type name")
        payload = reader.take(reader.end - reader.offset)
        envelopes.append(Envelope(kind, recipient, type_name, payload, sender, correlation))
        offset += length
    return envelopes
