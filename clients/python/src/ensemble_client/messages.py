"""Payload types by their wire names, and each request's reply as the schemas' services name it."""

from __future__ import annotations

from typing import Dict, Optional, Type

from google.protobuf import descriptor_pool, message_factory
from google.protobuf.message import DecodeError, Message

# Importing the generated modules registers every ensemble.v2 type with the default pool.
from ensemble.v2 import client_pb2, common_pb2, control_pb2, encoder_app_pb2, membership_pb2, system_pb2  # noqa: F401


def message_class(type_name: str) -> Optional[Type[Message]]:
    """The generated class of the proto message named `type_name` (e.g. ensemble.v2.Pong), if known."""
    try:
        descriptor = descriptor_pool.Default().FindMessageTypeByName(type_name)
    except KeyError:
        return None
    return message_factory.GetMessageClass(descriptor)


def type_name(message: Message) -> str:
    """The wire type name of a protobuf message: its full proto name."""
    return message.DESCRIPTOR.full_name


def decode(type_name: str, payload: bytes) -> Optional[Message]:
    """The payload as the message `type_name` names; None for a type this client does not know
    (another application's, or a Swift-only Codable one) or a payload that does not parse."""
    cls = message_class(type_name)
    if cls is None:
        return None
    message = cls()
    try:
        message.ParseFromString(payload)
    except DecodeError:
        return None
    return message


def _replies() -> Dict[str, str]:
    replies = {}
    for module in (control_pb2, client_pb2):
        for service in module.DESCRIPTOR.services_by_name.values():
            for method in service.methods:
                replies[method.input_type.full_name] = method.output_type.full_name
    return replies


#: For each request's full name, the full name of its reply (any request may also be
#: answered with ensemble.v2.Refused).
REPLY_FOR: Dict[str, str] = _replies()
