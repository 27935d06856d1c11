from ensemble.v2 import common_pb2 as _common_pb2
from ensemble.v2 import membership_pb2 as _membership_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Refused(_message.Message):
    __slots__ = ("reason", "placement")
    REASON_FIELD_NUMBER: _ClassVar[int]
    PLACEMENT_FIELD_NUMBER: _ClassVar[int]
    reason: str
    placement: PlacementFailure
    def __init__(self, reason: _Optional[str] = ..., placement: _Optional[_Union[PlacementFailure, _Mapping]] = ...) -> None: ...

class PlacementFailure(_message.Message):
    __slots__ = ("type_name", "requirement", "nodes", "preferred_node", "preferred_capability")
    class NodeReason(_message.Message):
        __slots__ = ("node", "missing", "refusal")
        NODE_FIELD_NUMBER: _ClassVar[int]
        MISSING_FIELD_NUMBER: _ClassVar[int]
        REFUSAL_FIELD_NUMBER: _ClassVar[int]
        node: _common_pb2.NodeAddress
        missing: _containers.RepeatedScalarFieldContainer[str]
        refusal: str
        def __init__(self, node: _Optional[_Union[_common_pb2.NodeAddress, _Mapping]] = ..., missing: _Optional[_Iterable[str]] = ..., refusal: _Optional[str] = ...) -> None: ...
    TYPE_NAME_FIELD_NUMBER: _ClassVar[int]
    REQUIREMENT_FIELD_NUMBER: _ClassVar[int]
    NODES_FIELD_NUMBER: _ClassVar[int]
    PREFERRED_NODE_FIELD_NUMBER: _ClassVar[int]
    PREFERRED_CAPABILITY_FIELD_NUMBER: _ClassVar[int]
    type_name: str
    requirement: _containers.RepeatedScalarFieldContainer[str]
    nodes: _containers.RepeatedCompositeFieldContainer[PlacementFailure.NodeReason]
    preferred_node: _common_pb2.NodeAddress
    preferred_capability: str
    def __init__(self, type_name: _Optional[str] = ..., requirement: _Optional[_Iterable[str]] = ..., nodes: _Optional[_Iterable[_Union[PlacementFailure.NodeReason, _Mapping]]] = ..., preferred_node: _Optional[_Union[_common_pb2.NodeAddress, _Mapping]] = ..., preferred_capability: _Optional[str] = ...) -> None: ...

class NoReply(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class JoinRequest(_message.Message):
    __slots__ = ("node", "capabilities", "load", "protocol_version", "names", "public_key", "max_message_size", "term")
    NODE_FIELD_NUMBER: _ClassVar[int]
    CAPABILITIES_FIELD_NUMBER: _ClassVar[int]
    LOAD_FIELD_NUMBER: _ClassVar[int]
    PROTOCOL_VERSION_FIELD_NUMBER: _ClassVar[int]
    NAMES_FIELD_NUMBER: _ClassVar[int]
    PUBLIC_KEY_FIELD_NUMBER: _ClassVar[int]
    MAX_MESSAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    TERM_FIELD_NUMBER: _ClassVar[int]
    node: _common_pb2.NodeId
    capabilities: _containers.RepeatedScalarFieldContainer[str]
    load: int
    protocol_version: int
    names: _containers.RepeatedCompositeFieldContainer[_common_pb2.NamedActor]
    public_key: str
    max_message_size: int
    term: int
    def __init__(self, node: _Optional[_Union[_common_pb2.NodeId, _Mapping]] = ..., capabilities: _Optional[_Iterable[str]] = ..., load: _Optional[int] = ..., protocol_version: _Optional[int] = ..., names: _Optional[_Iterable[_Union[_common_pb2.NamedActor, _Mapping]]] = ..., public_key: _Optional[str] = ..., max_message_size: _Optional[int] = ..., term: _Optional[int] = ...) -> None: ...

class Admission(_message.Message):
    __slots__ = ("welcome", "declared_down", "join_later", "stale_life", "not_leader", "term")
    WELCOME_FIELD_NUMBER: _ClassVar[int]
    DECLARED_DOWN_FIELD_NUMBER: _ClassVar[int]
    JOIN_LATER_FIELD_NUMBER: _ClassVar[int]
    STALE_LIFE_FIELD_NUMBER: _ClassVar[int]
    NOT_LEADER_FIELD_NUMBER: _ClassVar[int]
    TERM_FIELD_NUMBER: _ClassVar[int]
    welcome: _membership_pb2.ViewSnapshot
    declared_down: _common_pb2.NodeId
    join_later: str
    stale_life: _common_pb2.NodeId
    not_leader: NotLeader
    term: int
    def __init__(self, welcome: _Optional[_Union[_membership_pb2.ViewSnapshot, _Mapping]] = ..., declared_down: _Optional[_Union[_common_pb2.NodeId, _Mapping]] = ..., join_later: _Optional[str] = ..., stale_life: _Optional[_Union[_common_pb2.NodeId, _Mapping]] = ..., not_leader: _Optional[_Union[NotLeader, _Mapping]] = ..., term: _Optional[int] = ...) -> None: ...

class NotLeader(_message.Message):
    __slots__ = ("term", "leader")
    TERM_FIELD_NUMBER: _ClassVar[int]
    LEADER_FIELD_NUMBER: _ClassVar[int]
    term: int
    leader: _common_pb2.NodeId
    def __init__(self, term: _Optional[int] = ..., leader: _Optional[_Union[_common_pb2.NodeId, _Mapping]] = ...) -> None: ...

class MemberHeartbeat(_message.Message):
    __slots__ = ("node", "load", "capabilities", "term", "sequence")
    NODE_FIELD_NUMBER: _ClassVar[int]
    LOAD_FIELD_NUMBER: _ClassVar[int]
    CAPABILITIES_FIELD_NUMBER: _ClassVar[int]
    TERM_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    node: _common_pb2.NodeId
    load: int
    capabilities: _containers.RepeatedScalarFieldContainer[str]
    term: int
    sequence: int
    def __init__(self, node: _Optional[_Union[_common_pb2.NodeId, _Mapping]] = ..., load: _Optional[int] = ..., capabilities: _Optional[_Iterable[str]] = ..., term: _Optional[int] = ..., sequence: _Optional[int] = ...) -> None: ...

class LeaveNotice(_message.Message):
    __slots__ = ("node",)
    NODE_FIELD_NUMBER: _ClassVar[int]
    node: _common_pb2.NodeId
    def __init__(self, node: _Optional[_Union[_common_pb2.NodeId, _Mapping]] = ...) -> None: ...

class LoadReport(_message.Message):
    __slots__ = ("node", "load")
    NODE_FIELD_NUMBER: _ClassVar[int]
    LOAD_FIELD_NUMBER: _ClassVar[int]
    node: _common_pb2.NodeId
    load: int
    def __init__(self, node: _Optional[_Union[_common_pb2.NodeId, _Mapping]] = ..., load: _Optional[int] = ...) -> None: ...

class CapabilitiesChanged(_message.Message):
    __slots__ = ("node", "capabilities")
    NODE_FIELD_NUMBER: _ClassVar[int]
    CAPABILITIES_FIELD_NUMBER: _ClassVar[int]
    node: _common_pb2.NodeId
    capabilities: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, node: _Optional[_Union[_common_pb2.NodeId, _Mapping]] = ..., capabilities: _Optional[_Iterable[str]] = ...) -> None: ...

class ActorRestarted(_message.Message):
    __slots__ = ("actor", "type_name", "restarts")
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    TYPE_NAME_FIELD_NUMBER: _ClassVar[int]
    RESTARTS_FIELD_NUMBER: _ClassVar[int]
    actor: _common_pb2.ActorAddress
    type_name: str
    restarts: int
    def __init__(self, actor: _Optional[_Union[_common_pb2.ActorAddress, _Mapping]] = ..., type_name: _Optional[str] = ..., restarts: _Optional[int] = ...) -> None: ...

class SnapshotRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ClaimNameRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class NameClaimReply(_message.Message):
    __slots__ = ("existing", "granted", "term")
    EXISTING_FIELD_NUMBER: _ClassVar[int]
    GRANTED_FIELD_NUMBER: _ClassVar[int]
    TERM_FIELD_NUMBER: _ClassVar[int]
    existing: _common_pb2.ActorAddress
    granted: Granted
    term: int
    def __init__(self, existing: _Optional[_Union[_common_pb2.ActorAddress, _Mapping]] = ..., granted: _Optional[_Union[Granted, _Mapping]] = ..., term: _Optional[int] = ...) -> None: ...

class Granted(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class RegisterNameRequest(_message.Message):
    __slots__ = ("name", "address", "born_ms")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    BORN_MS_FIELD_NUMBER: _ClassVar[int]
    name: str
    address: _common_pb2.ActorAddress
    born_ms: int
    def __init__(self, name: _Optional[str] = ..., address: _Optional[_Union[_common_pb2.ActorAddress, _Mapping]] = ..., born_ms: _Optional[int] = ...) -> None: ...

class ReleaseNameNotice(_message.Message):
    __slots__ = ("name", "address")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    name: str
    address: _common_pb2.ActorAddress
    def __init__(self, name: _Optional[str] = ..., address: _Optional[_Union[_common_pb2.ActorAddress, _Mapping]] = ...) -> None: ...

class AbandonNameNotice(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class CreateRequest(_message.Message):
    __slots__ = ("type_name", "parent", "global_name", "name_unsettled")
    TYPE_NAME_FIELD_NUMBER: _ClassVar[int]
    PARENT_FIELD_NUMBER: _ClassVar[int]
    GLOBAL_NAME_FIELD_NUMBER: _ClassVar[int]
    NAME_UNSETTLED_FIELD_NUMBER: _ClassVar[int]
    type_name: str
    parent: _common_pb2.ActorAddress
    global_name: str
    name_unsettled: bool
    def __init__(self, type_name: _Optional[str] = ..., parent: _Optional[_Union[_common_pb2.ActorAddress, _Mapping]] = ..., global_name: _Optional[str] = ..., name_unsettled: _Optional[bool] = ...) -> None: ...

class Created(_message.Message):
    __slots__ = ("address", "load")
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    LOAD_FIELD_NUMBER: _ClassVar[int]
    address: _common_pb2.ActorAddress
    load: int
    def __init__(self, address: _Optional[_Union[_common_pb2.ActorAddress, _Mapping]] = ..., load: _Optional[int] = ...) -> None: ...

class ListActorsRequest(_message.Message):
    __slots__ = ("after_id",)
    AFTER_ID_FIELD_NUMBER: _ClassVar[int]
    after_id: int
    def __init__(self, after_id: _Optional[int] = ...) -> None: ...

class ActorList(_message.Message):
    __slots__ = ("actors", "more")
    ACTORS_FIELD_NUMBER: _ClassVar[int]
    MORE_FIELD_NUMBER: _ClassVar[int]
    actors: _containers.RepeatedCompositeFieldContainer[ActorRecord]
    more: bool
    def __init__(self, actors: _Optional[_Iterable[_Union[ActorRecord, _Mapping]]] = ..., more: _Optional[bool] = ...) -> None: ...

class ActorRecord(_message.Message):
    __slots__ = ("address", "type", "parent", "global_name", "restarts")
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    PARENT_FIELD_NUMBER: _ClassVar[int]
    GLOBAL_NAME_FIELD_NUMBER: _ClassVar[int]
    RESTARTS_FIELD_NUMBER: _ClassVar[int]
    address: _common_pb2.ActorAddress
    type: str
    parent: _common_pb2.ActorAddress
    global_name: str
    restarts: int
    def __init__(self, address: _Optional[_Union[_common_pb2.ActorAddress, _Mapping]] = ..., type: _Optional[str] = ..., parent: _Optional[_Union[_common_pb2.ActorAddress, _Mapping]] = ..., global_name: _Optional[str] = ..., restarts: _Optional[int] = ...) -> None: ...

class ProbeRequest(_message.Message):
    __slots__ = ("suspect",)
    SUSPECT_FIELD_NUMBER: _ClassVar[int]
    suspect: _common_pb2.NodeId
    def __init__(self, suspect: _Optional[_Union[_common_pb2.NodeId, _Mapping]] = ...) -> None: ...

class ProbeAnswered(_message.Message):
    __slots__ = ("suspect",)
    SUSPECT_FIELD_NUMBER: _ClassVar[int]
    suspect: _common_pb2.NodeId
    def __init__(self, suspect: _Optional[_Union[_common_pb2.NodeId, _Mapping]] = ...) -> None: ...

class PingRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class Pong(_message.Message):
    __slots__ = ("node",)
    NODE_FIELD_NUMBER: _ClassVar[int]
    node: _common_pb2.NodeId
    def __init__(self, node: _Optional[_Union[_common_pb2.NodeId, _Mapping]] = ...) -> None: ...

class PreVoteRequest(_message.Message):
    __slots__ = ("term", "sequence")
    TERM_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    term: int
    sequence: int
    def __init__(self, term: _Optional[int] = ..., sequence: _Optional[int] = ...) -> None: ...

class VoteRequest(_message.Message):
    __slots__ = ("term", "sequence")
    TERM_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    term: int
    sequence: int
    def __init__(self, term: _Optional[int] = ..., sequence: _Optional[int] = ...) -> None: ...

class VoteAnswer(_message.Message):
    __slots__ = ("granted", "term", "leader")
    GRANTED_FIELD_NUMBER: _ClassVar[int]
    TERM_FIELD_NUMBER: _ClassVar[int]
    LEADER_FIELD_NUMBER: _ClassVar[int]
    granted: bool
    term: int
    leader: _common_pb2.NodeId
    def __init__(self, granted: _Optional[bool] = ..., term: _Optional[int] = ..., leader: _Optional[_Union[_common_pb2.NodeId, _Mapping]] = ...) -> None: ...

class LeaderAnnouncement(_message.Message):
    __slots__ = ("term", "leader")
    TERM_FIELD_NUMBER: _ClassVar[int]
    LEADER_FIELD_NUMBER: _ClassVar[int]
    term: int
    leader: _common_pb2.NodeId
    def __init__(self, term: _Optional[int] = ..., leader: _Optional[_Union[_common_pb2.NodeId, _Mapping]] = ...) -> None: ...
