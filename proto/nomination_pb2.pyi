from proto import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class RecordElectionEventRequest(_message.Message):
    __slots__ = ("idempotency_key", "actor", "election_id", "kind", "payload_json")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    ELECTION_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_JSON_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    actor: _common_pb2.Actor
    election_id: str
    kind: str
    payload_json: str
    def __init__(self, idempotency_key: _Optional[str] = ..., actor: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ..., election_id: _Optional[str] = ..., kind: _Optional[str] = ..., payload_json: _Optional[str] = ...) -> None: ...

class Election(_message.Message):
    __slots__ = ("election_id", "community_id", "community_name", "org_type", "street_id", "district_id", "profile", "overrides_json", "workflow_id", "window_status", "created_at")
    ELECTION_ID_FIELD_NUMBER: _ClassVar[int]
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    COMMUNITY_NAME_FIELD_NUMBER: _ClassVar[int]
    ORG_TYPE_FIELD_NUMBER: _ClassVar[int]
    STREET_ID_FIELD_NUMBER: _ClassVar[int]
    DISTRICT_ID_FIELD_NUMBER: _ClassVar[int]
    PROFILE_FIELD_NUMBER: _ClassVar[int]
    OVERRIDES_JSON_FIELD_NUMBER: _ClassVar[int]
    WORKFLOW_ID_FIELD_NUMBER: _ClassVar[int]
    WINDOW_STATUS_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    election_id: str
    community_id: str
    community_name: str
    org_type: str
    street_id: str
    district_id: str
    profile: str
    overrides_json: str
    workflow_id: str
    window_status: str
    created_at: str
    def __init__(self, election_id: _Optional[str] = ..., community_id: _Optional[str] = ..., community_name: _Optional[str] = ..., org_type: _Optional[str] = ..., street_id: _Optional[str] = ..., district_id: _Optional[str] = ..., profile: _Optional[str] = ..., overrides_json: _Optional[str] = ..., workflow_id: _Optional[str] = ..., window_status: _Optional[str] = ..., created_at: _Optional[str] = ...) -> None: ...

class CreateElectionRequest(_message.Message):
    __slots__ = ("idempotency_key", "actor", "election")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    ELECTION_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    actor: _common_pb2.Actor
    election: Election
    def __init__(self, idempotency_key: _Optional[str] = ..., actor: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ..., election: _Optional[_Union[Election, _Mapping]] = ...) -> None: ...

class GetElectionRequest(_message.Message):
    __slots__ = ("election_id",)
    ELECTION_ID_FIELD_NUMBER: _ClassVar[int]
    election_id: str
    def __init__(self, election_id: _Optional[str] = ...) -> None: ...

class Person(_message.Message):
    __slots__ = ("person_id", "name", "status", "excluded_reason", "party_years", "age", "resides_in_community", "exclusion_consent", "exclusion_decided_by")
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    EXCLUDED_REASON_FIELD_NUMBER: _ClassVar[int]
    PARTY_YEARS_FIELD_NUMBER: _ClassVar[int]
    AGE_FIELD_NUMBER: _ClassVar[int]
    RESIDES_IN_COMMUNITY_FIELD_NUMBER: _ClassVar[int]
    EXCLUSION_CONSENT_FIELD_NUMBER: _ClassVar[int]
    EXCLUSION_DECIDED_BY_FIELD_NUMBER: _ClassVar[int]
    person_id: str
    name: str
    status: str
    excluded_reason: str
    party_years: float
    age: int
    resides_in_community: bool
    exclusion_consent: str
    exclusion_decided_by: str
    def __init__(self, person_id: _Optional[str] = ..., name: _Optional[str] = ..., status: _Optional[str] = ..., excluded_reason: _Optional[str] = ..., party_years: _Optional[float] = ..., age: _Optional[int] = ..., resides_in_community: _Optional[bool] = ..., exclusion_consent: _Optional[str] = ..., exclusion_decided_by: _Optional[str] = ...) -> None: ...

class ImportRosterRequest(_message.Message):
    __slots__ = ("idempotency_key", "actor", "election_id", "people")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    ELECTION_ID_FIELD_NUMBER: _ClassVar[int]
    PEOPLE_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    actor: _common_pb2.Actor
    election_id: str
    people: _containers.RepeatedCompositeFieldContainer[Person]
    def __init__(self, idempotency_key: _Optional[str] = ..., actor: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ..., election_id: _Optional[str] = ..., people: _Optional[_Iterable[_Union[Person, _Mapping]]] = ...) -> None: ...

class ImportRosterResponse(_message.Message):
    __slots__ = ("imported",)
    IMPORTED_FIELD_NUMBER: _ClassVar[int]
    imported: int
    def __init__(self, imported: _Optional[int] = ...) -> None: ...

class ListRosterRequest(_message.Message):
    __slots__ = ("election_id",)
    ELECTION_ID_FIELD_NUMBER: _ClassVar[int]
    election_id: str
    def __init__(self, election_id: _Optional[str] = ...) -> None: ...

class DecideExclusionsRequest(_message.Message):
    __slots__ = ("idempotency_key", "actor", "election_id", "person_ids", "consent", "reason")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    ELECTION_ID_FIELD_NUMBER: _ClassVar[int]
    PERSON_IDS_FIELD_NUMBER: _ClassVar[int]
    CONSENT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    actor: _common_pb2.Actor
    election_id: str
    person_ids: _containers.RepeatedScalarFieldContainer[str]
    consent: bool
    reason: str
    def __init__(self, idempotency_key: _Optional[str] = ..., actor: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ..., election_id: _Optional[str] = ..., person_ids: _Optional[_Iterable[str]] = ..., consent: _Optional[bool] = ..., reason: _Optional[str] = ...) -> None: ...

class ListRosterResponse(_message.Message):
    __slots__ = ("people",)
    PEOPLE_FIELD_NUMBER: _ClassVar[int]
    people: _containers.RepeatedCompositeFieldContainer[Person]
    def __init__(self, people: _Optional[_Iterable[_Union[Person, _Mapping]]] = ...) -> None: ...

class PostPlan(_message.Message):
    __slots__ = ("post", "seats", "shortlist", "inspected", "candidates")
    POST_FIELD_NUMBER: _ClassVar[int]
    SEATS_FIELD_NUMBER: _ClassVar[int]
    SHORTLIST_FIELD_NUMBER: _ClassVar[int]
    INSPECTED_FIELD_NUMBER: _ClassVar[int]
    CANDIDATES_FIELD_NUMBER: _ClassVar[int]
    post: str
    seats: int
    shortlist: int
    inspected: int
    candidates: int
    def __init__(self, post: _Optional[str] = ..., seats: _Optional[int] = ..., shortlist: _Optional[int] = ..., inspected: _Optional[int] = ..., candidates: _Optional[int] = ...) -> None: ...

class Plan(_message.Message):
    __slots__ = ("election_id", "posts", "status", "decided_reason", "full_members")
    ELECTION_ID_FIELD_NUMBER: _ClassVar[int]
    POSTS_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    DECIDED_REASON_FIELD_NUMBER: _ClassVar[int]
    FULL_MEMBERS_FIELD_NUMBER: _ClassVar[int]
    election_id: str
    posts: _containers.RepeatedCompositeFieldContainer[PostPlan]
    status: str
    decided_reason: str
    full_members: int
    def __init__(self, election_id: _Optional[str] = ..., posts: _Optional[_Iterable[_Union[PostPlan, _Mapping]]] = ..., status: _Optional[str] = ..., decided_reason: _Optional[str] = ..., full_members: _Optional[int] = ...) -> None: ...

class SubmitPlanRequest(_message.Message):
    __slots__ = ("idempotency_key", "actor", "election_id", "posts")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    ELECTION_ID_FIELD_NUMBER: _ClassVar[int]
    POSTS_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    actor: _common_pb2.Actor
    election_id: str
    posts: _containers.RepeatedCompositeFieldContainer[PostPlan]
    def __init__(self, idempotency_key: _Optional[str] = ..., actor: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ..., election_id: _Optional[str] = ..., posts: _Optional[_Iterable[_Union[PostPlan, _Mapping]]] = ...) -> None: ...

class DecidePlanRequest(_message.Message):
    __slots__ = ("idempotency_key", "actor", "election_id", "approve", "reason", "consent_exclusions")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    ELECTION_ID_FIELD_NUMBER: _ClassVar[int]
    APPROVE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    CONSENT_EXCLUSIONS_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    actor: _common_pb2.Actor
    election_id: str
    approve: bool
    reason: str
    consent_exclusions: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, idempotency_key: _Optional[str] = ..., actor: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ..., election_id: _Optional[str] = ..., approve: _Optional[bool] = ..., reason: _Optional[str] = ..., consent_exclusions: _Optional[_Iterable[str]] = ...) -> None: ...

class GetPlanRequest(_message.Message):
    __slots__ = ("election_id",)
    ELECTION_ID_FIELD_NUMBER: _ClassVar[int]
    election_id: str
    def __init__(self, election_id: _Optional[str] = ...) -> None: ...

class WindowRequest(_message.Message):
    __slots__ = ("idempotency_key", "actor", "election_id")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    ELECTION_ID_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    actor: _common_pb2.Actor
    election_id: str
    def __init__(self, idempotency_key: _Optional[str] = ..., actor: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ..., election_id: _Optional[str] = ...) -> None: ...

class NominationWindow(_message.Message):
    __slots__ = ("election_id", "status")
    ELECTION_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    election_id: str
    status: str
    def __init__(self, election_id: _Optional[str] = ..., status: _Optional[str] = ...) -> None: ...

class Registration(_message.Message):
    __slots__ = ("registration_id", "election_id", "person_id", "name", "post", "channel", "stage", "review", "rejected_rule", "reason", "cosigners", "member_cosigners", "rank", "held")
    REGISTRATION_ID_FIELD_NUMBER: _ClassVar[int]
    ELECTION_ID_FIELD_NUMBER: _ClassVar[int]
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    POST_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    STAGE_FIELD_NUMBER: _ClassVar[int]
    REVIEW_FIELD_NUMBER: _ClassVar[int]
    REJECTED_RULE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    COSIGNERS_FIELD_NUMBER: _ClassVar[int]
    MEMBER_COSIGNERS_FIELD_NUMBER: _ClassVar[int]
    RANK_FIELD_NUMBER: _ClassVar[int]
    HELD_FIELD_NUMBER: _ClassVar[int]
    registration_id: str
    election_id: str
    person_id: str
    name: str
    post: str
    channel: str
    stage: str
    review: str
    rejected_rule: str
    reason: str
    cosigners: int
    member_cosigners: int
    rank: int
    held: bool
    def __init__(self, registration_id: _Optional[str] = ..., election_id: _Optional[str] = ..., person_id: _Optional[str] = ..., name: _Optional[str] = ..., post: _Optional[str] = ..., channel: _Optional[str] = ..., stage: _Optional[str] = ..., review: _Optional[str] = ..., rejected_rule: _Optional[str] = ..., reason: _Optional[str] = ..., cosigners: _Optional[int] = ..., member_cosigners: _Optional[int] = ..., rank: _Optional[int] = ..., held: _Optional[bool] = ...) -> None: ...

class RegisterRequest(_message.Message):
    __slots__ = ("idempotency_key", "actor", "election_id", "person_id", "post", "channel")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    ELECTION_ID_FIELD_NUMBER: _ClassVar[int]
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    POST_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    actor: _common_pb2.Actor
    election_id: str
    person_id: str
    post: str
    channel: str
    def __init__(self, idempotency_key: _Optional[str] = ..., actor: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ..., election_id: _Optional[str] = ..., person_id: _Optional[str] = ..., post: _Optional[str] = ..., channel: _Optional[str] = ...) -> None: ...

class RegistrationEntry(_message.Message):
    __slots__ = ("person_id", "post", "channel")
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    POST_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    person_id: str
    post: str
    channel: str
    def __init__(self, person_id: _Optional[str] = ..., post: _Optional[str] = ..., channel: _Optional[str] = ...) -> None: ...

class RegisterManyRequest(_message.Message):
    __slots__ = ("idempotency_key", "actor", "election_id", "registrations")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    ELECTION_ID_FIELD_NUMBER: _ClassVar[int]
    REGISTRATIONS_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    actor: _common_pb2.Actor
    election_id: str
    registrations: _containers.RepeatedCompositeFieldContainer[RegistrationEntry]
    def __init__(self, idempotency_key: _Optional[str] = ..., actor: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ..., election_id: _Optional[str] = ..., registrations: _Optional[_Iterable[_Union[RegistrationEntry, _Mapping]]] = ...) -> None: ...

class CosignRequest(_message.Message):
    __slots__ = ("idempotency_key", "actor", "registration_id", "cosigner_person_id")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    REGISTRATION_ID_FIELD_NUMBER: _ClassVar[int]
    COSIGNER_PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    actor: _common_pb2.Actor
    registration_id: str
    cosigner_person_id: str
    def __init__(self, idempotency_key: _Optional[str] = ..., actor: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ..., registration_id: _Optional[str] = ..., cosigner_person_id: _Optional[str] = ...) -> None: ...

class CosignManyRequest(_message.Message):
    __slots__ = ("idempotency_key", "actor", "registration_id", "cosigner_person_ids")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    REGISTRATION_ID_FIELD_NUMBER: _ClassVar[int]
    COSIGNER_PERSON_IDS_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    actor: _common_pb2.Actor
    registration_id: str
    cosigner_person_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, idempotency_key: _Optional[str] = ..., actor: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ..., registration_id: _Optional[str] = ..., cosigner_person_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class CosignManyResponse(_message.Message):
    __slots__ = ("cosignatures",)
    COSIGNATURES_FIELD_NUMBER: _ClassVar[int]
    cosignatures: _containers.RepeatedCompositeFieldContainer[Cosignature]
    def __init__(self, cosignatures: _Optional[_Iterable[_Union[Cosignature, _Mapping]]] = ...) -> None: ...

class WithdrawCosignatureRequest(_message.Message):
    __slots__ = ("idempotency_key", "actor", "registration_id", "cosigner_person_id")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    REGISTRATION_ID_FIELD_NUMBER: _ClassVar[int]
    COSIGNER_PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    actor: _common_pb2.Actor
    registration_id: str
    cosigner_person_id: str
    def __init__(self, idempotency_key: _Optional[str] = ..., actor: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ..., registration_id: _Optional[str] = ..., cosigner_person_id: _Optional[str] = ...) -> None: ...

class Cosignature(_message.Message):
    __slots__ = ("registration_id", "cosigner_person_id", "withdrawn")
    REGISTRATION_ID_FIELD_NUMBER: _ClassVar[int]
    COSIGNER_PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    WITHDRAWN_FIELD_NUMBER: _ClassVar[int]
    registration_id: str
    cosigner_person_id: str
    withdrawn: bool
    def __init__(self, registration_id: _Optional[str] = ..., cosigner_person_id: _Optional[str] = ..., withdrawn: _Optional[bool] = ...) -> None: ...

class AutomaticReviewRequest(_message.Message):
    __slots__ = ("idempotency_key", "actor", "election_id")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    ELECTION_ID_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    actor: _common_pb2.Actor
    election_id: str
    def __init__(self, idempotency_key: _Optional[str] = ..., actor: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ..., election_id: _Optional[str] = ...) -> None: ...

class DecideReviewRequest(_message.Message):
    __slots__ = ("idempotency_key", "actor", "registration_id", "approve", "reason")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    REGISTRATION_ID_FIELD_NUMBER: _ClassVar[int]
    APPROVE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    actor: _common_pb2.Actor
    registration_id: str
    approve: bool
    reason: str
    def __init__(self, idempotency_key: _Optional[str] = ..., actor: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ..., registration_id: _Optional[str] = ..., approve: _Optional[bool] = ..., reason: _Optional[str] = ...) -> None: ...

class ReviewDecision(_message.Message):
    __slots__ = ("registration_id", "approve", "reason")
    REGISTRATION_ID_FIELD_NUMBER: _ClassVar[int]
    APPROVE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    registration_id: str
    approve: bool
    reason: str
    def __init__(self, registration_id: _Optional[str] = ..., approve: _Optional[bool] = ..., reason: _Optional[str] = ...) -> None: ...

class DecideReviewsRequest(_message.Message):
    __slots__ = ("idempotency_key", "actor", "decisions")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    DECISIONS_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    actor: _common_pb2.Actor
    decisions: _containers.RepeatedCompositeFieldContainer[ReviewDecision]
    def __init__(self, idempotency_key: _Optional[str] = ..., actor: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ..., decisions: _Optional[_Iterable[_Union[ReviewDecision, _Mapping]]] = ...) -> None: ...

class ListRegistrationsRequest(_message.Message):
    __slots__ = ("election_id", "post", "stage")
    ELECTION_ID_FIELD_NUMBER: _ClassVar[int]
    POST_FIELD_NUMBER: _ClassVar[int]
    STAGE_FIELD_NUMBER: _ClassVar[int]
    election_id: str
    post: str
    stage: str
    def __init__(self, election_id: _Optional[str] = ..., post: _Optional[str] = ..., stage: _Optional[str] = ...) -> None: ...

class ListRegistrationsResponse(_message.Message):
    __slots__ = ("registrations",)
    REGISTRATIONS_FIELD_NUMBER: _ClassVar[int]
    registrations: _containers.RepeatedCompositeFieldContainer[Registration]
    def __init__(self, registrations: _Optional[_Iterable[_Union[Registration, _Mapping]]] = ...) -> None: ...

class AdvanceStageRequest(_message.Message):
    __slots__ = ("idempotency_key", "actor", "election_id", "post", "stage", "person_ids", "rules", "from_stage")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    ELECTION_ID_FIELD_NUMBER: _ClassVar[int]
    POST_FIELD_NUMBER: _ClassVar[int]
    STAGE_FIELD_NUMBER: _ClassVar[int]
    PERSON_IDS_FIELD_NUMBER: _ClassVar[int]
    RULES_FIELD_NUMBER: _ClassVar[int]
    FROM_STAGE_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    actor: _common_pb2.Actor
    election_id: str
    post: str
    stage: str
    person_ids: _containers.RepeatedScalarFieldContainer[str]
    rules: _containers.RepeatedScalarFieldContainer[str]
    from_stage: str
    def __init__(self, idempotency_key: _Optional[str] = ..., actor: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ..., election_id: _Optional[str] = ..., post: _Optional[str] = ..., stage: _Optional[str] = ..., person_ids: _Optional[_Iterable[str]] = ..., rules: _Optional[_Iterable[str]] = ..., from_stage: _Optional[str] = ...) -> None: ...

class RecordInspectionRequest(_message.Message):
    __slots__ = ("idempotency_key", "actor", "election_id", "post", "person_id", "passed", "report")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    ELECTION_ID_FIELD_NUMBER: _ClassVar[int]
    POST_FIELD_NUMBER: _ClassVar[int]
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    PASSED_FIELD_NUMBER: _ClassVar[int]
    REPORT_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    actor: _common_pb2.Actor
    election_id: str
    post: str
    person_id: str
    passed: bool
    report: str
    def __init__(self, idempotency_key: _Optional[str] = ..., actor: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ..., election_id: _Optional[str] = ..., post: _Optional[str] = ..., person_id: _Optional[str] = ..., passed: _Optional[bool] = ..., report: _Optional[str] = ...) -> None: ...

class Inspection(_message.Message):
    __slots__ = ("election_id", "post", "person_id", "passed", "report")
    ELECTION_ID_FIELD_NUMBER: _ClassVar[int]
    POST_FIELD_NUMBER: _ClassVar[int]
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    PASSED_FIELD_NUMBER: _ClassVar[int]
    REPORT_FIELD_NUMBER: _ClassVar[int]
    election_id: str
    post: str
    person_id: str
    passed: bool
    report: str
    def __init__(self, election_id: _Optional[str] = ..., post: _Optional[str] = ..., person_id: _Optional[str] = ..., passed: _Optional[bool] = ..., report: _Optional[str] = ...) -> None: ...

class ListInspectionsRequest(_message.Message):
    __slots__ = ("election_id",)
    ELECTION_ID_FIELD_NUMBER: _ClassVar[int]
    election_id: str
    def __init__(self, election_id: _Optional[str] = ...) -> None: ...

class ListInspectionsResponse(_message.Message):
    __slots__ = ("inspections",)
    INSPECTIONS_FIELD_NUMBER: _ClassVar[int]
    inspections: _containers.RepeatedCompositeFieldContainer[Inspection]
    def __init__(self, inspections: _Optional[_Iterable[_Union[Inspection, _Mapping]]] = ...) -> None: ...

class Notice(_message.Message):
    __slots__ = ("notice_id", "election_id", "kind", "title", "body", "names", "days", "published_at", "community_name", "closed_at", "heads", "digests")
    NOTICE_ID_FIELD_NUMBER: _ClassVar[int]
    ELECTION_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    NAMES_FIELD_NUMBER: _ClassVar[int]
    DAYS_FIELD_NUMBER: _ClassVar[int]
    PUBLISHED_AT_FIELD_NUMBER: _ClassVar[int]
    COMMUNITY_NAME_FIELD_NUMBER: _ClassVar[int]
    CLOSED_AT_FIELD_NUMBER: _ClassVar[int]
    HEADS_FIELD_NUMBER: _ClassVar[int]
    DIGESTS_FIELD_NUMBER: _ClassVar[int]
    notice_id: str
    election_id: str
    kind: str
    title: str
    body: str
    names: _containers.RepeatedScalarFieldContainer[str]
    days: int
    published_at: str
    community_name: str
    closed_at: str
    heads: _containers.RepeatedCompositeFieldContainer[_common_pb2.SignedHead]
    digests: _containers.RepeatedCompositeFieldContainer[RoundDigest]
    def __init__(self, notice_id: _Optional[str] = ..., election_id: _Optional[str] = ..., kind: _Optional[str] = ..., title: _Optional[str] = ..., body: _Optional[str] = ..., names: _Optional[_Iterable[str]] = ..., days: _Optional[int] = ..., published_at: _Optional[str] = ..., community_name: _Optional[str] = ..., closed_at: _Optional[str] = ..., heads: _Optional[_Iterable[_Union[_common_pb2.SignedHead, _Mapping]]] = ..., digests: _Optional[_Iterable[_Union[RoundDigest, _Mapping]]] = ...) -> None: ...

class RoundDigest(_message.Message):
    __slots__ = ("round_id", "post", "number", "source", "digest")
    ROUND_ID_FIELD_NUMBER: _ClassVar[int]
    POST_FIELD_NUMBER: _ClassVar[int]
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    DIGEST_FIELD_NUMBER: _ClassVar[int]
    round_id: str
    post: str
    number: int
    source: str
    digest: str
    def __init__(self, round_id: _Optional[str] = ..., post: _Optional[str] = ..., number: _Optional[int] = ..., source: _Optional[str] = ..., digest: _Optional[str] = ...) -> None: ...

class PublishNoticeRequest(_message.Message):
    __slots__ = ("idempotency_key", "actor", "election_id", "kind", "title", "body", "names", "days", "heads", "digests")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    ELECTION_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    NAMES_FIELD_NUMBER: _ClassVar[int]
    DAYS_FIELD_NUMBER: _ClassVar[int]
    HEADS_FIELD_NUMBER: _ClassVar[int]
    DIGESTS_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    actor: _common_pb2.Actor
    election_id: str
    kind: str
    title: str
    body: str
    names: _containers.RepeatedScalarFieldContainer[str]
    days: int
    heads: _containers.RepeatedCompositeFieldContainer[_common_pb2.SignedHead]
    digests: _containers.RepeatedCompositeFieldContainer[RoundDigest]
    def __init__(self, idempotency_key: _Optional[str] = ..., actor: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ..., election_id: _Optional[str] = ..., kind: _Optional[str] = ..., title: _Optional[str] = ..., body: _Optional[str] = ..., names: _Optional[_Iterable[str]] = ..., days: _Optional[int] = ..., heads: _Optional[_Iterable[_Union[_common_pb2.SignedHead, _Mapping]]] = ..., digests: _Optional[_Iterable[_Union[RoundDigest, _Mapping]]] = ...) -> None: ...

class CloseNoticeRequest(_message.Message):
    __slots__ = ("idempotency_key", "actor", "election_id", "kind")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    ELECTION_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    actor: _common_pb2.Actor
    election_id: str
    kind: str
    def __init__(self, idempotency_key: _Optional[str] = ..., actor: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ..., election_id: _Optional[str] = ..., kind: _Optional[str] = ...) -> None: ...

class ListNoticesRequest(_message.Message):
    __slots__ = ("election_id", "limit")
    ELECTION_ID_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    election_id: str
    limit: int
    def __init__(self, election_id: _Optional[str] = ..., limit: _Optional[int] = ...) -> None: ...

class ListNoticesResponse(_message.Message):
    __slots__ = ("notices",)
    NOTICES_FIELD_NUMBER: _ClassVar[int]
    notices: _containers.RepeatedCompositeFieldContainer[Notice]
    def __init__(self, notices: _Optional[_Iterable[_Union[Notice, _Mapping]]] = ...) -> None: ...

class Objection(_message.Message):
    __slots__ = ("objection_id", "election_id", "notice_kind", "person_id", "post", "reason", "status", "decision_reason")
    OBJECTION_ID_FIELD_NUMBER: _ClassVar[int]
    ELECTION_ID_FIELD_NUMBER: _ClassVar[int]
    NOTICE_KIND_FIELD_NUMBER: _ClassVar[int]
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    POST_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    DECISION_REASON_FIELD_NUMBER: _ClassVar[int]
    objection_id: str
    election_id: str
    notice_kind: str
    person_id: str
    post: str
    reason: str
    status: str
    decision_reason: str
    def __init__(self, objection_id: _Optional[str] = ..., election_id: _Optional[str] = ..., notice_kind: _Optional[str] = ..., person_id: _Optional[str] = ..., post: _Optional[str] = ..., reason: _Optional[str] = ..., status: _Optional[str] = ..., decision_reason: _Optional[str] = ...) -> None: ...

class FileObjectionRequest(_message.Message):
    __slots__ = ("idempotency_key", "actor", "election_id", "notice_kind", "person_id", "post", "reason")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    ELECTION_ID_FIELD_NUMBER: _ClassVar[int]
    NOTICE_KIND_FIELD_NUMBER: _ClassVar[int]
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    POST_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    actor: _common_pb2.Actor
    election_id: str
    notice_kind: str
    person_id: str
    post: str
    reason: str
    def __init__(self, idempotency_key: _Optional[str] = ..., actor: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ..., election_id: _Optional[str] = ..., notice_kind: _Optional[str] = ..., person_id: _Optional[str] = ..., post: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class DecideObjectionRequest(_message.Message):
    __slots__ = ("idempotency_key", "actor", "objection_id", "upheld", "reason")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    OBJECTION_ID_FIELD_NUMBER: _ClassVar[int]
    UPHELD_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    actor: _common_pb2.Actor
    objection_id: str
    upheld: bool
    reason: str
    def __init__(self, idempotency_key: _Optional[str] = ..., actor: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ..., objection_id: _Optional[str] = ..., upheld: _Optional[bool] = ..., reason: _Optional[str] = ...) -> None: ...

class ListObjectionsRequest(_message.Message):
    __slots__ = ("election_id",)
    ELECTION_ID_FIELD_NUMBER: _ClassVar[int]
    election_id: str
    def __init__(self, election_id: _Optional[str] = ...) -> None: ...

class ListObjectionsResponse(_message.Message):
    __slots__ = ("objections",)
    OBJECTIONS_FIELD_NUMBER: _ClassVar[int]
    objections: _containers.RepeatedCompositeFieldContainer[Objection]
    def __init__(self, objections: _Optional[_Iterable[_Union[Objection, _Mapping]]] = ...) -> None: ...
