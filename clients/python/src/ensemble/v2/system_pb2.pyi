from ensemble.v2 import common_pb2 as _common_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ActorExitRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ExitReason(_message.Message):
    __slots__ = ("kind", "lost_node")
    class Kind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        KIND_UNSPECIFIED: _ClassVar[ExitReason.Kind]
        KIND_STOPPED: _ClassVar[ExitReason.Kind]
        KIND_CRASHED: _ClassVar[ExitReason.Kind]
        KIND_CAPABILITY_LOST: _ClassVar[ExitReason.Kind]
        KIND_NODE_LOST: _ClassVar[ExitReason.Kind]
    KIND_UNSPECIFIED: ExitReason.Kind
    KIND_STOPPED: ExitReason.Kind
    KIND_CRASHED: ExitReason.Kind
    KIND_CAPABILITY_LOST: ExitReason.Kind
    KIND_NODE_LOST: ExitReason.Kind
    KIND_FIELD_NUMBER: _ClassVar[int]
    LOST_NODE_FIELD_NUMBER: _ClassVar[int]
    kind: ExitReason.Kind
    lost_node: _common_pb2.NodeAddress
    def __init__(self, kind: _Optional[_Union[ExitReason.Kind, str]] = ..., lost_node: _Optional[_Union[_common_pb2.NodeAddress, _Mapping]] = ...) -> None: ...

class ChildActorExited(_message.Message):
    __slots__ = ("child", "reason")
    CHILD_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    child: _common_pb2.ActorAddress
    reason: ExitReason
    def __init__(self, child: _Optional[_Union[_common_pb2.ActorAddress, _Mapping]] = ..., reason: _Optional[_Union[ExitReason, _Mapping]] = ...) -> None: ...

class ChildActorReplaced(_message.Message):
    __slots__ = ("child", "replacement", "reason")
    CHILD_FIELD_NUMBER: _ClassVar[int]
    REPLACEMENT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    child: _common_pb2.ActorAddress
    replacement: _common_pb2.ActorAddress
    reason: ExitReason
    def __init__(self, child: _Optional[_Union[_common_pb2.ActorAddress, _Mapping]] = ..., replacement: _Optional[_Union[_common_pb2.ActorAddress, _Mapping]] = ..., reason: _Optional[_Union[ExitReason, _Mapping]] = ...) -> None: ...

class PoisonMessage(_message.Message):
    __slots__ = ("original_type", "original_payload", "details", "kind")
    class Kind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        HANDLER_FAILED: _ClassVar[PoisonMessage.Kind]
        UNKNOWN_MESSAGE_TYPE: _ClassVar[PoisonMessage.Kind]
        UNDECODABLE: _ClassVar[PoisonMessage.Kind]
        NOT_TAKEN: _ClassVar[PoisonMessage.Kind]
    HANDLER_FAILED: PoisonMessage.Kind
    UNKNOWN_MESSAGE_TYPE: PoisonMessage.Kind
    UNDECODABLE: PoisonMessage.Kind
    NOT_TAKEN: PoisonMessage.Kind
    ORIGINAL_TYPE_FIELD_NUMBER: _ClassVar[int]
    ORIGINAL_PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    DETAILS_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    original_type: str
    original_payload: bytes
    details: str
    kind: PoisonMessage.Kind
    def __init__(self, original_type: _Optional[str] = ..., original_payload: _Optional[bytes] = ..., details: _Optional[str] = ..., kind: _Optional[_Union[PoisonMessage.Kind, str]] = ...) -> None: ...

class DeadLetter(_message.Message):
    __slots__ = ("recipient", "original_type", "original_payload", "reason", "too_large")
    RECIPIENT_FIELD_NUMBER: _ClassVar[int]
    ORIGINAL_TYPE_FIELD_NUMBER: _ClassVar[int]
    ORIGINAL_PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    TOO_LARGE_FIELD_NUMBER: _ClassVar[int]
    recipient: _common_pb2.ActorAddress
    original_type: str
    original_payload: bytes
    reason: str
    too_large: MessageTooLarge
    def __init__(self, recipient: _Optional[_Union[_common_pb2.ActorAddress, _Mapping]] = ..., original_type: _Optional[str] = ..., original_payload: _Optional[bytes] = ..., reason: _Optional[str] = ..., too_large: _Optional[_Union[MessageTooLarge, _Mapping]] = ...) -> None: ...

class MessageTooLarge(_message.Message):
    __slots__ = ("size", "limit")
    SIZE_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    size: int
    limit: int
    def __init__(self, size: _Optional[int] = ..., limit: _Optional[int] = ...) -> None: ...

class WakeupMessage(_message.Message):
    __slots__ = ("payload",)
    PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    payload: str
    def __init__(self, payload: _Optional[str] = ...) -> None: ...
