from ensemble.v2 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class EncodeRequest(_message.Message):
    __slots__ = ("text", "request_id")
    TEXT_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    text: str
    request_id: int
    def __init__(self, text: _Optional[str] = ..., request_id: _Optional[int] = ...) -> None: ...

class EncodingDispatched(_message.Message):
    __slots__ = ("encoders", "unplaced", "request_id")
    ENCODERS_FIELD_NUMBER: _ClassVar[int]
    UNPLACED_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    encoders: _containers.RepeatedScalarFieldContainer[str]
    unplaced: _containers.RepeatedCompositeFieldContainer[UnplacedEncoder]
    request_id: int
    def __init__(self, encoders: _Optional[_Iterable[str]] = ..., unplaced: _Optional[_Iterable[_Union[UnplacedEncoder, _Mapping]]] = ..., request_id: _Optional[int] = ...) -> None: ...

class UnplacedEncoder(_message.Message):
    __slots__ = ("encoder", "reason")
    ENCODER_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    encoder: str
    reason: str
    def __init__(self, encoder: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class EncodeText(_message.Message):
    __slots__ = ("text", "analyzer", "requester", "encoder", "resends", "request_id")
    TEXT_FIELD_NUMBER: _ClassVar[int]
    ANALYZER_FIELD_NUMBER: _ClassVar[int]
    REQUESTER_FIELD_NUMBER: _ClassVar[int]
    ENCODER_FIELD_NUMBER: _ClassVar[int]
    RESENDS_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    text: str
    analyzer: _common_pb2.ActorAddress
    requester: _common_pb2.ActorAddress
    encoder: str
    resends: int
    request_id: int
    def __init__(self, text: _Optional[str] = ..., analyzer: _Optional[_Union[_common_pb2.ActorAddress, _Mapping]] = ..., requester: _Optional[_Union[_common_pb2.ActorAddress, _Mapping]] = ..., encoder: _Optional[str] = ..., resends: _Optional[int] = ..., request_id: _Optional[int] = ...) -> None: ...

class AnalyzeEncoding(_message.Message):
    __slots__ = ("encoder", "input", "output", "requester", "request_id")
    ENCODER_FIELD_NUMBER: _ClassVar[int]
    INPUT_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_FIELD_NUMBER: _ClassVar[int]
    REQUESTER_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    encoder: str
    input: str
    output: str
    requester: _common_pb2.ActorAddress
    request_id: int
    def __init__(self, encoder: _Optional[str] = ..., input: _Optional[str] = ..., output: _Optional[str] = ..., requester: _Optional[_Union[_common_pb2.ActorAddress, _Mapping]] = ..., request_id: _Optional[int] = ...) -> None: ...

class EncodingReport(_message.Message):
    __slots__ = ("encoder", "density", "output", "request_id")
    ENCODER_FIELD_NUMBER: _ClassVar[int]
    DENSITY_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    encoder: str
    density: float
    output: str
    request_id: int
    def __init__(self, encoder: _Optional[str] = ..., density: _Optional[float] = ..., output: _Optional[str] = ..., request_id: _Optional[int] = ...) -> None: ...

class EncodingFailed(_message.Message):
    __slots__ = ("encoder", "reason", "request_id")
    ENCODER_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    encoder: str
    reason: str
    request_id: int
    def __init__(self, encoder: _Optional[str] = ..., reason: _Optional[str] = ..., request_id: _Optional[int] = ...) -> None: ...

class EncodingUnplaced(_message.Message):
    __slots__ = ("unplaced", "request_id")
    UNPLACED_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    unplaced: UnplacedEncoder
    request_id: int
    def __init__(self, unplaced: _Optional[_Union[UnplacedEncoder, _Mapping]] = ..., request_id: _Optional[int] = ...) -> None: ...
