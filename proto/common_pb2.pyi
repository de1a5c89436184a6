from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Actor(_message.Message):
    __slots__ = ("role", "scope", "name", "token_id")
    ROLE_FIELD_NUMBER: _ClassVar[int]
    SCOPE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    TOKEN_ID_FIELD_NUMBER: _ClassVar[int]
    role: str
    scope: str
    name: str
    token_id: str
    def __init__(self, role: _Optional[str] = ..., scope: _Optional[str] = ..., name: _Optional[str] = ..., token_id: _Optional[str] = ...) -> None: ...

class AuditRequest(_message.Message):
    __slots__ = ("election_id", "page_size", "page_token")
    ELECTION_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    election_id: str
    page_size: int
    page_token: str
    def __init__(self, election_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class AuditReport(_message.Message):
    __slots__ = ("service", "election_id", "records", "head", "verified", "first_broken_seq", "problem")
    SERVICE_FIELD_NUMBER: _ClassVar[int]
    ELECTION_ID_FIELD_NUMBER: _ClassVar[int]
    RECORDS_FIELD_NUMBER: _ClassVar[int]
    HEAD_FIELD_NUMBER: _ClassVar[int]
    VERIFIED_FIELD_NUMBER: _ClassVar[int]
    FIRST_BROKEN_SEQ_FIELD_NUMBER: _ClassVar[int]
    PROBLEM_FIELD_NUMBER: _ClassVar[int]
    service: str
    election_id: str
    records: int
    head: str
    verified: bool
    first_broken_seq: int
    problem: str
    def __init__(self, service: _Optional[str] = ..., election_id: _Optional[str] = ..., records: _Optional[int] = ..., head: _Optional[str] = ..., verified: _Optional[bool] = ..., first_broken_seq: _Optional[int] = ..., problem: _Optional[str] = ...) -> None: ...

class AuditRecord(_message.Message):
    __slots__ = ("seq", "kind", "payload_json", "actor_role", "actor_scope", "prev_hash", "hash", "created_at")
    SEQ_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_JSON_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ROLE_FIELD_NUMBER: _ClassVar[int]
    ACTOR_SCOPE_FIELD_NUMBER: _ClassVar[int]
    PREV_HASH_FIELD_NUMBER: _ClassVar[int]
    HASH_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    seq: int
    kind: str
    payload_json: str
    actor_role: str
    actor_scope: str
    prev_hash: str
    hash: str
    created_at: str
    def __init__(self, seq: _Optional[int] = ..., kind: _Optional[str] = ..., payload_json: _Optional[str] = ..., actor_role: _Optional[str] = ..., actor_scope: _Optional[str] = ..., prev_hash: _Optional[str] = ..., hash: _Optional[str] = ..., created_at: _Optional[str] = ...) -> None: ...

class ListAuditResponse(_message.Message):
    __slots__ = ("records", "next_page_token")
    RECORDS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    records: _containers.RepeatedCompositeFieldContainer[AuditRecord]
    next_page_token: str
    def __init__(self, records: _Optional[_Iterable[_Union[AuditRecord, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class SignedHead(_message.Message):
    __slots__ = ("service", "election_id", "seq", "head", "signed_at", "public_key", "signature")
    SERVICE_FIELD_NUMBER: _ClassVar[int]
    ELECTION_ID_FIELD_NUMBER: _ClassVar[int]
    SEQ_FIELD_NUMBER: _ClassVar[int]
    HEAD_FIELD_NUMBER: _ClassVar[int]
    SIGNED_AT_FIELD_NUMBER: _ClassVar[int]
    PUBLIC_KEY_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    service: str
    election_id: str
    seq: int
    head: str
    signed_at: str
    public_key: str
    signature: str
    def __init__(self, service: _Optional[str] = ..., election_id: _Optional[str] = ..., seq: _Optional[int] = ..., head: _Optional[str] = ..., signed_at: _Optional[str] = ..., public_key: _Optional[str] = ..., signature: _Optional[str] = ...) -> None: ...

class PublicKeyRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class PublicKey(_message.Message):
    __slots__ = ("service", "algorithm", "public_key", "fingerprint")
    SERVICE_FIELD_NUMBER: _ClassVar[int]
    ALGORITHM_FIELD_NUMBER: _ClassVar[int]
    PUBLIC_KEY_FIELD_NUMBER: _ClassVar[int]
    FINGERPRINT_FIELD_NUMBER: _ClassVar[int]
    service: str
    algorithm: str
    public_key: str
    fingerprint: str
    def __init__(self, service: _Optional[str] = ..., algorithm: _Optional[str] = ..., public_key: _Optional[str] = ..., fingerprint: _Optional[str] = ...) -> None: ...
