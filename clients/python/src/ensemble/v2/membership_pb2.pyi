from ensemble.v2 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class MemberInfo(_message.Message):
    __slots__ = ("node", "capabilities", "load", "public_key")
    NODE_FIELD_NUMBER: _ClassVar[int]
    CAPABILITIES_FIELD_NUMBER: _ClassVar[int]
    LOAD_FIELD_NUMBER: _ClassVar[int]
    PUBLIC_KEY_FIELD_NUMBER: _ClassVar[int]
    node: _common_pb2.NodeId
    capabilities: _containers.RepeatedScalarFieldContainer[str]
    load: int
    public_key: str
    def __init__(self, node: _Optional[_Union[_common_pb2.NodeId, _Mapping]] = ..., capabilities: _Optional[_Iterable[str]] = ..., load: _Optional[int] = ..., public_key: _Optional[str] = ...) -> None: ...

class ViewSnapshot(_message.Message):
    __slots__ = ("leader", "sequence", "members", "names", "max_message_size", "term", "voters")
    class NamesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: _common_pb2.ActorAddress
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[_common_pb2.ActorAddress, _Mapping]] = ...) -> None: ...
    LEADER_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    MEMBERS_FIELD_NUMBER: _ClassVar[int]
    NAMES_FIELD_NUMBER: _ClassVar[int]
    MAX_MESSAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    TERM_FIELD_NUMBER: _ClassVar[int]
    VOTERS_FIELD_NUMBER: _ClassVar[int]
    leader: _common_pb2.NodeId
    sequence: int
    members: _containers.RepeatedCompositeFieldContainer[MemberInfo]
    names: _containers.MessageMap[str, _common_pb2.ActorAddress]
    max_message_size: int
    term: int
    voters: _containers.RepeatedCompositeFieldContainer[_common_pb2.NodeId]
    def __init__(self, leader: _Optional[_Union[_common_pb2.NodeId, _Mapping]] = ..., sequence: _Optional[int] = ..., members: _Optional[_Iterable[_Union[MemberInfo, _Mapping]]] = ..., names: _Optional[_Mapping[str, _common_pb2.ActorAddress]] = ..., max_message_size: _Optional[int] = ..., term: _Optional[int] = ..., voters: _Optional[_Iterable[_Union[_common_pb2.NodeId, _Mapping]]] = ...) -> None: ...

class SequencedUpdate(_message.Message):
    __slots__ = ("leader", "sequence", "member_up", "member_down", "capabilities", "load", "name_registered", "name_released", "voters", "term")
    LEADER_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    MEMBER_UP_FIELD_NUMBER: _ClassVar[int]
    MEMBER_DOWN_FIELD_NUMBER: _ClassVar[int]
    CAPABILITIES_FIELD_NUMBER: _ClassVar[int]
    LOAD_FIELD_NUMBER: _ClassVar[int]
    NAME_REGISTERED_FIELD_NUMBER: _ClassVar[int]
    NAME_RELEASED_FIELD_NUMBER: _ClassVar[int]
    VOTERS_FIELD_NUMBER: _ClassVar[int]
    TERM_FIELD_NUMBER: _ClassVar[int]
    leader: _common_pb2.NodeId
    sequence: int
    member_up: MemberInfo
    member_down: MemberDown
    capabilities: MemberCapabilities
    load: MemberLoad
    name_registered: NameRegistered
    name_released: str
    voters: Voters
    term: int
    def __init__(self, leader: _Optional[_Union[_common_pb2.NodeId, _Mapping]] = ..., sequence: _Optional[int] = ..., member_up: _Optional[_Union[MemberInfo, _Mapping]] = ..., member_down: _Optional[_Union[MemberDown, _Mapping]] = ..., capabilities: _Optional[_Union[MemberCapabilities, _Mapping]] = ..., load: _Optional[_Union[MemberLoad, _Mapping]] = ..., name_registered: _Optional[_Union[NameRegistered, _Mapping]] = ..., name_released: _Optional[str] = ..., voters: _Optional[_Union[Voters, _Mapping]] = ..., term: _Optional[int] = ...) -> None: ...

class Voters(_message.Message):
    __slots__ = ("voters",)
    VOTERS_FIELD_NUMBER: _ClassVar[int]
    voters: _containers.RepeatedCompositeFieldContainer[_common_pb2.NodeId]
    def __init__(self, voters: _Optional[_Iterable[_Union[_common_pb2.NodeId, _Mapping]]] = ...) -> None: ...

class MemberDown(_message.Message):
    __slots__ = ("node", "reason")
    NODE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    node: _common_pb2.NodeId
    reason: str
    def __init__(self, node: _Optional[_Union[_common_pb2.NodeId, _Mapping]] = ..., reason: _Optional[str] = ...) -> None: ...

class MemberCapabilities(_message.Message):
    __slots__ = ("node", "capabilities")
    NODE_FIELD_NUMBER: _ClassVar[int]
    CAPABILITIES_FIELD_NUMBER: _ClassVar[int]
    node: _common_pb2.NodeId
    capabilities: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, node: _Optional[_Union[_common_pb2.NodeId, _Mapping]] = ..., capabilities: _Optional[_Iterable[str]] = ...) -> None: ...

class MemberLoad(_message.Message):
    __slots__ = ("node", "load")
    NODE_FIELD_NUMBER: _ClassVar[int]
    LOAD_FIELD_NUMBER: _ClassVar[int]
    node: _common_pb2.NodeId
    load: int
    def __init__(self, node: _Optional[_Union[_common_pb2.NodeId, _Mapping]] = ..., load: _Optional[int] = ...) -> None: ...

class NameRegistered(_message.Message):
    __slots__ = ("name", "address")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    name: str
    address: _common_pb2.ActorAddress
    def __init__(self, name: _Optional[str] = ..., address: _Optional[_Union[_common_pb2.ActorAddress, _Mapping]] = ...) -> None: ...

class LeaderHeartbeat(_message.Message):
    __slots__ = ("leader", "sequence", "term")
    LEADER_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    TERM_FIELD_NUMBER: _ClassVar[int]
    leader: _common_pb2.NodeId
    sequence: int
    term: int
    def __init__(self, leader: _Optional[_Union[_common_pb2.NodeId, _Mapping]] = ..., sequence: _Optional[int] = ..., term: _Optional[int] = ...) -> None: ...
