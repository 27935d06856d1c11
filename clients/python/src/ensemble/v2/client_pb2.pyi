from ensemble.v2 import common_pb2 as _common_pb2
from ensemble.v2 import control_pb2 as _control_pb2
from ensemble.v2 import membership_pb2 as _membership_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CreateActorRequest(_message.Message):
    __slots__ = ("type_name", "global_name", "preferred_node", "preferred_capability")
    TYPE_NAME_FIELD_NUMBER: _ClassVar[int]
    GLOBAL_NAME_FIELD_NUMBER: _ClassVar[int]
    PREFERRED_NODE_FIELD_NUMBER: _ClassVar[int]
    PREFERRED_CAPABILITY_FIELD_NUMBER: _ClassVar[int]
    type_name: str
    global_name: str
    preferred_node: _common_pb2.NodeAddress
    preferred_capability: str
    def __init__(self, type_name: _Optional[str] = ..., global_name: _Optional[str] = ..., preferred_node: _Optional[_Union[_common_pb2.NodeAddress, _Mapping]] = ..., preferred_capability: _Optional[str] = ...) -> None: ...

class StatusRequest(_message.Message):
    __slots__ = ("snapshot", "page")
    SNAPSHOT_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    snapshot: int
    page: int
    def __init__(self, snapshot: _Optional[int] = ..., page: _Optional[int] = ...) -> None: ...

class StatusReport(_message.Message):
    __slots__ = ("node", "leader", "members", "actors", "global_names", "unreachable", "counters", "term", "role", "snapshot", "page", "page_count", "actor_count")
    class GlobalNamesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: _common_pb2.ActorAddress
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[_common_pb2.ActorAddress, _Mapping]] = ...) -> None: ...
    class CountersEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    NODE_FIELD_NUMBER: _ClassVar[int]
    LEADER_FIELD_NUMBER: _ClassVar[int]
    MEMBERS_FIELD_NUMBER: _ClassVar[int]
    ACTORS_FIELD_NUMBER: _ClassVar[int]
    GLOBAL_NAMES_FIELD_NUMBER: _ClassVar[int]
    UNREACHABLE_FIELD_NUMBER: _ClassVar[int]
    COUNTERS_FIELD_NUMBER: _ClassVar[int]
    TERM_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    PAGE_COUNT_FIELD_NUMBER: _ClassVar[int]
    ACTOR_COUNT_FIELD_NUMBER: _ClassVar[int]
    node: _common_pb2.NodeId
    leader: _common_pb2.NodeId
    members: _containers.RepeatedCompositeFieldContainer[MemberStatus]
    actors: _containers.RepeatedCompositeFieldContainer[_control_pb2.ActorRecord]
    global_names: _containers.MessageMap[str, _common_pb2.ActorAddress]
    unreachable: _containers.RepeatedCompositeFieldContainer[_common_pb2.NodeAddress]
    counters: _containers.ScalarMap[str, int]
    term: int
    role: str
    snapshot: int
    page: int
    page_count: int
    actor_count: int
    def __init__(self, node: _Optional[_Union[_common_pb2.NodeId, _Mapping]] = ..., leader: _Optional[_Union[_common_pb2.NodeId, _Mapping]] = ..., members: _Optional[_Iterable[_Union[MemberStatus, _Mapping]]] = ..., actors: _Optional[_Iterable[_Union[_control_pb2.ActorRecord, _Mapping]]] = ..., global_names: _Optional[_Mapping[str, _common_pb2.ActorAddress]] = ..., unreachable: _Optional[_Iterable[_Union[_common_pb2.NodeAddress, _Mapping]]] = ..., counters: _Optional[_Mapping[str, int]] = ..., term: _Optional[int] = ..., role: _Optional[str] = ..., snapshot: _Optional[int] = ..., page: _Optional[int] = ..., page_count: _Optional[int] = ..., actor_count: _Optional[int] = ...) -> None: ...

class MemberStatus(_message.Message):
    __slots__ = ("node", "capabilities", "leader", "alive", "last_heard_ms", "public_key", "voter")
    NODE_FIELD_NUMBER: _ClassVar[int]
    CAPABILITIES_FIELD_NUMBER: _ClassVar[int]
    LEADER_FIELD_NUMBER: _ClassVar[int]
    ALIVE_FIELD_NUMBER: _ClassVar[int]
    LAST_HEARD_MS_FIELD_NUMBER: _ClassVar[int]
    PUBLIC_KEY_FIELD_NUMBER: _ClassVar[int]
    VOTER_FIELD_NUMBER: _ClassVar[int]
    node: _common_pb2.NodeId
    capabilities: _containers.RepeatedScalarFieldContainer[str]
    leader: bool
    alive: bool
    last_heard_ms: int
    public_key: str
    voter: bool
    def __init__(self, node: _Optional[_Union[_common_pb2.NodeId, _Mapping]] = ..., capabilities: _Optional[_Iterable[str]] = ..., leader: _Optional[bool] = ..., alive: _Optional[bool] = ..., last_heard_ms: _Optional[int] = ..., public_key: _Optional[str] = ..., voter: _Optional[bool] = ...) -> None: ...

class DescribeViewRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class DescribeViewReply(_message.Message):
    __slots__ = ("view",)
    VIEW_FIELD_NUMBER: _ClassVar[int]
    view: _membership_pb2.ViewSnapshot
    def __init__(self, view: _Optional[_Union[_membership_pb2.ViewSnapshot, _Mapping]] = ...) -> None: ...

class MetricsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class MetricsText(_message.Message):
    __slots__ = ("text",)
    TEXT_FIELD_NUMBER: _ClassVar[int]
    text: str
    def __init__(self, text: _Optional[str] = ...) -> None: ...

class StopRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class Done(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ChangeCapabilityRequest(_message.Message):
    __slots__ = ("add", "name")
    ADD_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    add: bool
    name: str
    def __init__(self, add: _Optional[bool] = ..., name: _Optional[str] = ...) -> None: ...

class CapabilitySet(_message.Message):
    __slots__ = ("capabilities",)
    CAPABILITIES_FIELD_NUMBER: _ClassVar[int]
    capabilities: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, capabilities: _Optional[_Iterable[str]] = ...) -> None: ...

class PromoteRequest(_message.Message):
    __slots__ = ("force",)
    FORCE_FIELD_NUMBER: _ClassVar[int]
    force: bool
    def __init__(self, force: _Optional[bool] = ...) -> None: ...

class KillRequest(_message.Message):
    __slots__ = ("actor",)
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    actor: _common_pb2.ActorAddress
    def __init__(self, actor: _Optional[_Union[_common_pb2.ActorAddress, _Mapping]] = ...) -> None: ...

class EventsRequest(_message.Message):
    __slots__ = ("after", "wait_ms")
    AFTER_FIELD_NUMBER: _ClassVar[int]
    WAIT_MS_FIELD_NUMBER: _ClassVar[int]
    after: int
    wait_ms: int
    def __init__(self, after: _Optional[int] = ..., wait_ms: _Optional[int] = ...) -> None: ...

class EventBatch(_message.Message):
    __slots__ = ("leader", "term", "events", "oldest", "latest")
    LEADER_FIELD_NUMBER: _ClassVar[int]
    TERM_FIELD_NUMBER: _ClassVar[int]
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    OLDEST_FIELD_NUMBER: _ClassVar[int]
    LATEST_FIELD_NUMBER: _ClassVar[int]
    leader: _common_pb2.NodeId
    term: int
    events: _containers.RepeatedCompositeFieldContainer[ConventionEvent]
    oldest: int
    latest: int
    def __init__(self, leader: _Optional[_Union[_common_pb2.NodeId, _Mapping]] = ..., term: _Optional[int] = ..., events: _Optional[_Iterable[_Union[ConventionEvent, _Mapping]]] = ..., oldest: _Optional[int] = ..., latest: _Optional[int] = ...) -> None: ...

class ConventionEvent(_message.Message):
    __slots__ = ("sequence", "time_ms", "kind", "node", "term", "capabilities", "actor", "actor_type", "restarts", "reason")
    class Kind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        KIND_UNSPECIFIED: _ClassVar[ConventionEvent.Kind]
        JOINED: _ClassVar[ConventionEvent.Kind]
        LEFT: _ClassVar[ConventionEvent.Kind]
        FAILED: _ClassVar[ConventionEvent.Kind]
        CAPABILITIES: _ClassVar[ConventionEvent.Kind]
        RESTARTED: _ClassVar[ConventionEvent.Kind]
        LEADER: _ClassVar[ConventionEvent.Kind]
    KIND_UNSPECIFIED: ConventionEvent.Kind
    JOINED: ConventionEvent.Kind
    LEFT: ConventionEvent.Kind
    FAILED: ConventionEvent.Kind
    CAPABILITIES: ConventionEvent.Kind
    RESTARTED: ConventionEvent.Kind
    LEADER: ConventionEvent.Kind
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    TIME_MS_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    NODE_FIELD_NUMBER: _ClassVar[int]
    TERM_FIELD_NUMBER: _ClassVar[int]
    CAPABILITIES_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    ACTOR_TYPE_FIELD_NUMBER: _ClassVar[int]
    RESTARTS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    sequence: int
    time_ms: int
    kind: ConventionEvent.Kind
    node: _common_pb2.NodeId
    term: int
    capabilities: _containers.RepeatedScalarFieldContainer[str]
    actor: _common_pb2.ActorAddress
    actor_type: str
    restarts: int
    reason: str
    def __init__(self, sequence: _Optional[int] = ..., time_ms: _Optional[int] = ..., kind: _Optional[_Union[ConventionEvent.Kind, str]] = ..., node: _Optional[_Union[_common_pb2.NodeId, _Mapping]] = ..., term: _Optional[int] = ..., capabilities: _Optional[_Iterable[str]] = ..., actor: _Optional[_Union[_common_pb2.ActorAddress, _Mapping]] = ..., actor_type: _Optional[str] = ..., restarts: _Optional[int] = ..., reason: _Optional[str] = ...) -> None: ...
