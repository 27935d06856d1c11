from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class NodeAddress(_message.Message):
    __slots__ = ("host", "port")
    HOST_FIELD_NUMBER: _ClassVar[int]
    PORT_FIELD_NUMBER: _ClassVar[int]
    host: str
    port: int
    def __init__(self, host: _Optional[str] = ..., port: _Optional[int] = ...) -> None: ...

class NodeId(_message.Message):
    __slots__ = ("host", "port", "incarnation")
    HOST_FIELD_NUMBER: _ClassVar[int]
    PORT_FIELD_NUMBER: _ClassVar[int]
    INCARNATION_FIELD_NUMBER: _ClassVar[int]
    host: str
    port: int
    incarnation: int
    def __init__(self, host: _Optional[str] = ..., port: _Optional[int] = ..., incarnation: _Optional[int] = ...) -> None: ...

class ActorAddress(_message.Message):
    __slots__ = ("host", "port", "incarnation", "id")
    HOST_FIELD_NUMBER: _ClassVar[int]
    PORT_FIELD_NUMBER: _ClassVar[int]
    INCARNATION_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    host: str
    port: int
    incarnation: int
    id: int
    def __init__(self, host: _Optional[str] = ..., port: _Optional[int] = ..., incarnation: _Optional[int] = ..., id: _Optional[int] = ...) -> None: ...

class NamedActor(_message.Message):
    __slots__ = ("name", "address", "born_ms")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    BORN_MS_FIELD_NUMBER: _ClassVar[int]
    name: str
    address: ActorAddress
    born_ms: int
    def __init__(self, name: _Optional[str] = ..., address: _Optional[_Union[ActorAddress, _Mapping]] = ..., born_ms: _Optional[int] = ...) -> None: ...
