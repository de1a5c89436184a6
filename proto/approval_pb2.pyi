from proto import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ApprovalRequest(_message.Message):
    __slots__ = ("approval_id", "election_id", "community_id", "street_id", "committee_id", "post", "person_id", "name", "kind", "status", "reason", "attempt", "requested_at", "decided_at")
    APPROVAL_ID_FIELD_NUMBER: _ClassVar[int]
    ELECTION_ID_FIELD_NUMBER: _ClassVar[int]
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    STREET_ID_FIELD_NUMBER: _ClassVar[int]
    COMMITTEE_ID_FIELD_NUMBER: _ClassVar[int]
    POST_FIELD_NUMBER: _ClassVar[int]
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    ATTEMPT_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_AT_FIELD_NUMBER: _ClassVar[int]
    DECIDED_AT_FIELD_NUMBER: _ClassVar[int]
    approval_id: str
    election_id: str
    community_id: str
    street_id: str
    committee_id: str
    post: str
    person_id: str
    name: str
    kind: str
    status: str
    reason: str
    attempt: int
    requested_at: str
    decided_at: str
    def __init__(self, approval_id: _Optional[str] = ..., election_id: _Optional[str] = ..., community_id: _Optional[str] = ..., street_id: _Optional[str] = ..., committee_id: _Optional[str] = ..., post: _Optional[str] = ..., person_id: _Optional[str] = ..., name: _Optional[str] = ..., kind: _Optional[str] = ..., status: _Optional[str] = ..., reason: _Optional[str] = ..., attempt: _Optional[int] = ..., requested_at: _Optional[str] = ..., decided_at: _Optional[str] = ...) -> None: ...

class RequestApprovalRequest(_message.Message):
    __slots__ = ("idempotency_key", "actor", "election_id", "community_id", "street_id", "committee_id", "post", "person_id", "name", "attempt", "workflow_id")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    ELECTION_ID_FIELD_NUMBER: _ClassVar[int]
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    STREET_ID_FIELD_NUMBER: _ClassVar[int]
    COMMITTEE_ID_FIELD_NUMBER: _ClassVar[int]
    POST_FIELD_NUMBER: _ClassVar[int]
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    ATTEMPT_FIELD_NUMBER: _ClassVar[int]
    WORKFLOW_ID_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    actor: _common_pb2.Actor
    election_id: str
    community_id: str
    street_id: str
    committee_id: str
    post: str
    person_id: str
    name: str
    attempt: int
    workflow_id: str
    def __init__(self, idempotency_key: _Optional[str] = ..., actor: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ..., election_id: _Optional[str] = ..., community_id: _Optional[str] = ..., street_id: _Optional[str] = ..., committee_id: _Optional[str] = ..., post: _Optional[str] = ..., person_id: _Optional[str] = ..., name: _Optional[str] = ..., attempt: _Optional[int] = ..., workflow_id: _Optional[str] = ...) -> None: ...

class DecideRequest(_message.Message):
    __slots__ = ("idempotency_key", "actor", "approval_id", "decision", "reason")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    APPROVAL_ID_FIELD_NUMBER: _ClassVar[int]
    DECISION_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    actor: _common_pb2.Actor
    approval_id: str
    decision: str
    reason: str
    def __init__(self, idempotency_key: _Optional[str] = ..., actor: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ..., approval_id: _Optional[str] = ..., decision: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class GetApprovalRequest(_message.Message):
    __slots__ = ("approval_id",)
    APPROVAL_ID_FIELD_NUMBER: _ClassVar[int]
    approval_id: str
    def __init__(self, approval_id: _Optional[str] = ...) -> None: ...

class ListApprovalsRequest(_message.Message):
    __slots__ = ("election_id", "committee_id", "status")
    ELECTION_ID_FIELD_NUMBER: _ClassVar[int]
    COMMITTEE_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    election_id: str
    committee_id: str
    status: str
    def __init__(self, election_id: _Optional[str] = ..., committee_id: _Optional[str] = ..., status: _Optional[str] = ...) -> None: ...

class ListApprovalsResponse(_message.Message):
    __slots__ = ("approvals",)
    APPROVALS_FIELD_NUMBER: _ClassVar[int]
    approvals: _containers.RepeatedCompositeFieldContainer[ApprovalRequest]
    def __init__(self, approvals: _Optional[_Iterable[_Union[ApprovalRequest, _Mapping]]] = ...) -> None: ...
