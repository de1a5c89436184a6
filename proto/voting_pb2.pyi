from proto import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Elector(_message.Message):
    __slots__ = ("person_id", "name", "expected")
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    CLASS_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_FIELD_NUMBER: _ClassVar[int]
    person_id: str
    name: str
    expected: bool
    def __init__(self, person_id: _Optional[str] = ..., name: _Optional[str] = ..., expected: _Optional[bool] = ..., **kwargs) -> None: ...

class Candidate(_message.Message):
    __slots__ = ("person_id", "name")
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    person_id: str
    name: str
    def __init__(self, person_id: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class OpenMeetingRequest(_message.Message):
    __slots__ = ("idempotency_key", "actor", "election_id", "kind", "session", "electorate", "workflow_id", "profile", "overrides_json")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    ELECTION_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    SESSION_FIELD_NUMBER: _ClassVar[int]
    ELECTORATE_FIELD_NUMBER: _ClassVar[int]
    WORKFLOW_ID_FIELD_NUMBER: _ClassVar[int]
    PROFILE_FIELD_NUMBER: _ClassVar[int]
    OVERRIDES_JSON_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    actor: _common_pb2.Actor
    election_id: str
    kind: str
    session: int
    electorate: _containers.RepeatedCompositeFieldContainer[Elector]
    workflow_id: str
    profile: str
    overrides_json: str
    def __init__(self, idempotency_key: _Optional[str] = ..., actor: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ..., election_id: _Optional[str] = ..., kind: _Optional[str] = ..., session: _Optional[int] = ..., electorate: _Optional[_Iterable[_Union[Elector, _Mapping]]] = ..., workflow_id: _Optional[str] = ..., profile: _Optional[str] = ..., overrides_json: _Optional[str] = ...) -> None: ...

class Meeting(_message.Message):
    __slots__ = ("meeting_id", "election_id", "kind", "session", "status", "expected", "present_members", "present_others", "quorum_met", "quorum_rule", "rounds", "details")
    MEETING_ID_FIELD_NUMBER: _ClassVar[int]
    ELECTION_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    SESSION_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_FIELD_NUMBER: _ClassVar[int]
    PRESENT_MEMBERS_FIELD_NUMBER: _ClassVar[int]
    PRESENT_OTHERS_FIELD_NUMBER: _ClassVar[int]
    QUORUM_MET_FIELD_NUMBER: _ClassVar[int]
    QUORUM_RULE_FIELD_NUMBER: _ClassVar[int]
    ROUNDS_FIELD_NUMBER: _ClassVar[int]
    DETAILS_FIELD_NUMBER: _ClassVar[int]
    meeting_id: str
    election_id: str
    kind: str
    session: int
    status: str
    expected: int
    present_members: int
    present_others: int
    quorum_met: bool
    quorum_rule: str
    rounds: _containers.RepeatedCompositeFieldContainer[Round]
    details: MeetingDetails
    def __init__(self, meeting_id: _Optional[str] = ..., election_id: _Optional[str] = ..., kind: _Optional[str] = ..., session: _Optional[int] = ..., status: _Optional[str] = ..., expected: _Optional[int] = ..., present_members: _Optional[int] = ..., present_others: _Optional[int] = ..., quorum_met: _Optional[bool] = ..., quorum_rule: _Optional[str] = ..., rounds: _Optional[_Iterable[_Union[Round, _Mapping]]] = ..., details: _Optional[_Union[MeetingDetails, _Mapping]] = ...) -> None: ...

class MeetingDetails(_message.Message):
    __slots__ = ("presided_by", "recorded_by", "place", "held_at")
    PRESIDED_BY_FIELD_NUMBER: _ClassVar[int]
    RECORDED_BY_FIELD_NUMBER: _ClassVar[int]
    PLACE_FIELD_NUMBER: _ClassVar[int]
    HELD_AT_FIELD_NUMBER: _ClassVar[int]
    presided_by: str
    recorded_by: str
    place: str
    held_at: str
    def __init__(self, presided_by: _Optional[str] = ..., recorded_by: _Optional[str] = ..., place: _Optional[str] = ..., held_at: _Optional[str] = ...) -> None: ...

class SetMeetingDetailsRequest(_message.Message):
    __slots__ = ("idempotency_key", "actor", "meeting_id", "details")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    MEETING_ID_FIELD_NUMBER: _ClassVar[int]
    DETAILS_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    actor: _common_pb2.Actor
    meeting_id: str
    details: MeetingDetails
    def __init__(self, idempotency_key: _Optional[str] = ..., actor: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ..., meeting_id: _Optional[str] = ..., details: _Optional[_Union[MeetingDetails, _Mapping]] = ...) -> None: ...

class GetMeetingRequest(_message.Message):
    __slots__ = ("meeting_id",)
    MEETING_ID_FIELD_NUMBER: _ClassVar[int]
    meeting_id: str
    def __init__(self, meeting_id: _Optional[str] = ...) -> None: ...

class ListMeetingsRequest(_message.Message):
    __slots__ = ("election_id", "kind")
    ELECTION_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    election_id: str
    kind: str
    def __init__(self, election_id: _Optional[str] = ..., kind: _Optional[str] = ...) -> None: ...

class ListMeetingsResponse(_message.Message):
    __slots__ = ("meetings",)
    MEETINGS_FIELD_NUMBER: _ClassVar[int]
    meetings: _containers.RepeatedCompositeFieldContainer[Meeting]
    def __init__(self, meetings: _Optional[_Iterable[_Union[Meeting, _Mapping]]] = ...) -> None: ...

class CheckInRequest(_message.Message):
    __slots__ = ("idempotency_key", "actor", "meeting_id", "person_ids", "committee_size", "headcount")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    MEETING_ID_FIELD_NUMBER: _ClassVar[int]
    PERSON_IDS_FIELD_NUMBER: _ClassVar[int]
    COMMITTEE_SIZE_FIELD_NUMBER: _ClassVar[int]
    HEADCOUNT_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    actor: _common_pb2.Actor
    meeting_id: str
    person_ids: _containers.RepeatedScalarFieldContainer[str]
    committee_size: int
    headcount: int
    def __init__(self, idempotency_key: _Optional[str] = ..., actor: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ..., meeting_id: _Optional[str] = ..., person_ids: _Optional[_Iterable[str]] = ..., committee_size: _Optional[int] = ..., headcount: _Optional[int] = ...) -> None: ...

class CheckInResponse(_message.Message):
    __slots__ = ("meeting", "checked_in")
    MEETING_FIELD_NUMBER: _ClassVar[int]
    CHECKED_IN_FIELD_NUMBER: _ClassVar[int]
    meeting: Meeting
    checked_in: int
    def __init__(self, meeting: _Optional[_Union[Meeting, _Mapping]] = ..., checked_in: _Optional[int] = ...) -> None: ...

class MeetingActionRequest(_message.Message):
    __slots__ = ("idempotency_key", "actor", "meeting_id")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    MEETING_ID_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    actor: _common_pb2.Actor
    meeting_id: str
    def __init__(self, idempotency_key: _Optional[str] = ..., actor: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ..., meeting_id: _Optional[str] = ...) -> None: ...

class TallyLine(_message.Message):
    __slots__ = ("person_id", "name", "votes_for", "votes_against", "votes_abstain")
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    VOTES_FOR_FIELD_NUMBER: _ClassVar[int]
    VOTES_AGAINST_FIELD_NUMBER: _ClassVar[int]
    VOTES_ABSTAIN_FIELD_NUMBER: _ClassVar[int]
    person_id: str
    name: str
    votes_for: int
    votes_against: int
    votes_abstain: int
    def __init__(self, person_id: _Optional[str] = ..., name: _Optional[str] = ..., votes_for: _Optional[int] = ..., votes_against: _Optional[int] = ..., votes_abstain: _Optional[int] = ...) -> None: ...

class WriteIn(_message.Message):
    __slots__ = ("name", "votes")
    NAME_FIELD_NUMBER: _ClassVar[int]
    VOTES_FIELD_NUMBER: _ClassVar[int]
    name: str
    votes: int
    def __init__(self, name: _Optional[str] = ..., votes: _Optional[int] = ...) -> None: ...

class Round(_message.Message):
    __slots__ = ("round_id", "meeting_id", "election_id", "post", "kind", "number", "seats", "candidates", "status", "issued", "returned", "valid", "invalid", "void", "tally", "elected", "tied", "unfilled", "rules", "ballot_box_digest", "write_ins", "source", "confirmed_by", "official", "casting", "tally_status", "tally_entered_by", "tally_confirmed_by", "tally_note", "codes_cast", "codes_unused", "codes_void")
    ROUND_ID_FIELD_NUMBER: _ClassVar[int]
    MEETING_ID_FIELD_NUMBER: _ClassVar[int]
    ELECTION_ID_FIELD_NUMBER: _ClassVar[int]
    POST_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    SEATS_FIELD_NUMBER: _ClassVar[int]
    CANDIDATES_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ISSUED_FIELD_NUMBER: _ClassVar[int]
    RETURNED_FIELD_NUMBER: _ClassVar[int]
    VALID_FIELD_NUMBER: _ClassVar[int]
    INVALID_FIELD_NUMBER: _ClassVar[int]
    VOID_FIELD_NUMBER: _ClassVar[int]
    TALLY_FIELD_NUMBER: _ClassVar[int]
    ELECTED_FIELD_NUMBER: _ClassVar[int]
    TIED_FIELD_NUMBER: _ClassVar[int]
    UNFILLED_FIELD_NUMBER: _ClassVar[int]
    RULES_FIELD_NUMBER: _ClassVar[int]
    BALLOT_BOX_DIGEST_FIELD_NUMBER: _ClassVar[int]
    WRITE_INS_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    CONFIRMED_BY_FIELD_NUMBER: _ClassVar[int]
    OFFICIAL_FIELD_NUMBER: _ClassVar[int]
    CASTING_FIELD_NUMBER: _ClassVar[int]
    TALLY_STATUS_FIELD_NUMBER: _ClassVar[int]
    TALLY_ENTERED_BY_FIELD_NUMBER: _ClassVar[int]
    TALLY_CONFIRMED_BY_FIELD_NUMBER: _ClassVar[int]
    TALLY_NOTE_FIELD_NUMBER: _ClassVar[int]
    CODES_CAST_FIELD_NUMBER: _ClassVar[int]
    CODES_UNUSED_FIELD_NUMBER: _ClassVar[int]
    CODES_VOID_FIELD_NUMBER: _ClassVar[int]
    round_id: str
    meeting_id: str
    election_id: str
    post: str
    kind: str
    number: int
    seats: int
    candidates: _containers.RepeatedCompositeFieldContainer[Candidate]
    status: str
    issued: int
    returned: int
    valid: int
    invalid: int
    void: bool
    tally: _containers.RepeatedCompositeFieldContainer[TallyLine]
    elected: _containers.RepeatedScalarFieldContainer[str]
    tied: _containers.RepeatedScalarFieldContainer[str]
    unfilled: int
    rules: _containers.RepeatedScalarFieldContainer[str]
    ballot_box_digest: str
    write_ins: _containers.RepeatedCompositeFieldContainer[WriteIn]
    source: str
    confirmed_by: _containers.RepeatedScalarFieldContainer[str]
    official: bool
    casting: bool
    tally_status: str
    tally_entered_by: str
    tally_confirmed_by: str
    tally_note: str
    codes_cast: int
    codes_unused: int
    codes_void: int
    def __init__(self, round_id: _Optional[str] = ..., meeting_id: _Optional[str] = ..., election_id: _Optional[str] = ..., post: _Optional[str] = ..., kind: _Optional[str] = ..., number: _Optional[int] = ..., seats: _Optional[int] = ..., candidates: _Optional[_Iterable[_Union[Candidate, _Mapping]]] = ..., status: _Optional[str] = ..., issued: _Optional[int] = ..., returned: _Optional[int] = ..., valid: _Optional[int] = ..., invalid: _Optional[int] = ..., void: _Optional[bool] = ..., tally: _Optional[_Iterable[_Union[TallyLine, _Mapping]]] = ..., elected: _Optional[_Iterable[str]] = ..., tied: _Optional[_Iterable[str]] = ..., unfilled: _Optional[int] = ..., rules: _Optional[_Iterable[str]] = ..., ballot_box_digest: _Optional[str] = ..., write_ins: _Optional[_Iterable[_Union[WriteIn, _Mapping]]] = ..., source: _Optional[str] = ..., confirmed_by: _Optional[_Iterable[str]] = ..., official: _Optional[bool] = ..., casting: _Optional[bool] = ..., tally_status: _Optional[str] = ..., tally_entered_by: _Optional[str] = ..., tally_confirmed_by: _Optional[str] = ..., tally_note: _Optional[str] = ..., codes_cast: _Optional[int] = ..., codes_unused: _Optional[int] = ..., codes_void: _Optional[int] = ...) -> None: ...

class OpenRoundRequest(_message.Message):
    __slots__ = ("idempotency_key", "actor", "meeting_id", "post", "kind", "seats", "candidates")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    MEETING_ID_FIELD_NUMBER: _ClassVar[int]
    POST_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    SEATS_FIELD_NUMBER: _ClassVar[int]
    CANDIDATES_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    actor: _common_pb2.Actor
    meeting_id: str
    post: str
    kind: str
    seats: int
    candidates: _containers.RepeatedCompositeFieldContainer[Candidate]
    def __init__(self, idempotency_key: _Optional[str] = ..., actor: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ..., meeting_id: _Optional[str] = ..., post: _Optional[str] = ..., kind: _Optional[str] = ..., seats: _Optional[int] = ..., candidates: _Optional[_Iterable[_Union[Candidate, _Mapping]]] = ...) -> None: ...

class GetRoundRequest(_message.Message):
    __slots__ = ("round_id",)
    ROUND_ID_FIELD_NUMBER: _ClassVar[int]
    round_id: str
    def __init__(self, round_id: _Optional[str] = ...) -> None: ...

class IssueBallotsRequest(_message.Message):
    __slots__ = ("idempotency_key", "actor", "round_id", "person_ids")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    ROUND_ID_FIELD_NUMBER: _ClassVar[int]
    PERSON_IDS_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    actor: _common_pb2.Actor
    round_id: str
    person_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, idempotency_key: _Optional[str] = ..., actor: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ..., round_id: _Optional[str] = ..., person_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class IssueBallotsResponse(_message.Message):
    __slots__ = ("codes", "issued_total", "sealed_codes")
    CODES_FIELD_NUMBER: _ClassVar[int]
    ISSUED_TOTAL_FIELD_NUMBER: _ClassVar[int]
    SEALED_CODES_FIELD_NUMBER: _ClassVar[int]
    codes: _containers.RepeatedScalarFieldContainer[str]
    issued_total: int
    sealed_codes: bytes
    def __init__(self, codes: _Optional[_Iterable[str]] = ..., issued_total: _Optional[int] = ..., sealed_codes: _Optional[bytes] = ...) -> None: ...

class Mark(_message.Message):
    __slots__ = ("person_id", "choice", "write_in")
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    CHOICE_FIELD_NUMBER: _ClassVar[int]
    WRITE_IN_FIELD_NUMBER: _ClassVar[int]
    person_id: str
    choice: str
    write_in: str
    def __init__(self, person_id: _Optional[str] = ..., choice: _Optional[str] = ..., write_in: _Optional[str] = ...) -> None: ...

class CastBallotRequest(_message.Message):
    __slots__ = ("round_id", "code", "marks")
    ROUND_ID_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    MARKS_FIELD_NUMBER: _ClassVar[int]
    round_id: str
    code: str
    marks: _containers.RepeatedCompositeFieldContainer[Mark]
    def __init__(self, round_id: _Optional[str] = ..., code: _Optional[str] = ..., marks: _Optional[_Iterable[_Union[Mark, _Mapping]]] = ...) -> None: ...

class CastBallotResponse(_message.Message):
    __slots__ = ("receipt", "valid", "invalid_rule")
    RECEIPT_FIELD_NUMBER: _ClassVar[int]
    VALID_FIELD_NUMBER: _ClassVar[int]
    INVALID_RULE_FIELD_NUMBER: _ClassVar[int]
    receipt: str
    valid: bool
    invalid_rule: str
    def __init__(self, receipt: _Optional[str] = ..., valid: _Optional[bool] = ..., invalid_rule: _Optional[str] = ...) -> None: ...

class EnterTallyRequest(_message.Message):
    __slots__ = ("idempotency_key", "actor", "round_id", "issued", "returned", "invalid", "lines", "write_ins", "valid")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    ROUND_ID_FIELD_NUMBER: _ClassVar[int]
    ISSUED_FIELD_NUMBER: _ClassVar[int]
    RETURNED_FIELD_NUMBER: _ClassVar[int]
    INVALID_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    WRITE_INS_FIELD_NUMBER: _ClassVar[int]
    VALID_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    actor: _common_pb2.Actor
    round_id: str
    issued: int
    returned: int
    invalid: int
    lines: _containers.RepeatedCompositeFieldContainer[TallyLine]
    write_ins: _containers.RepeatedCompositeFieldContainer[WriteIn]
    valid: int
    def __init__(self, idempotency_key: _Optional[str] = ..., actor: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ..., round_id: _Optional[str] = ..., issued: _Optional[int] = ..., returned: _Optional[int] = ..., invalid: _Optional[int] = ..., lines: _Optional[_Iterable[_Union[TallyLine, _Mapping]]] = ..., write_ins: _Optional[_Iterable[_Union[WriteIn, _Mapping]]] = ..., valid: _Optional[int] = ...) -> None: ...

class ConfirmTallyRequest(_message.Message):
    __slots__ = ("idempotency_key", "actor", "round_id", "approve", "reason")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    ROUND_ID_FIELD_NUMBER: _ClassVar[int]
    APPROVE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    actor: _common_pb2.Actor
    round_id: str
    approve: bool
    reason: str
    def __init__(self, idempotency_key: _Optional[str] = ..., actor: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ..., round_id: _Optional[str] = ..., approve: _Optional[bool] = ..., reason: _Optional[str] = ...) -> None: ...

class RoundActionRequest(_message.Message):
    __slots__ = ("idempotency_key", "actor", "round_id")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    ROUND_ID_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    actor: _common_pb2.Actor
    round_id: str
    def __init__(self, idempotency_key: _Optional[str] = ..., actor: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ..., round_id: _Optional[str] = ...) -> None: ...

class RoundBallot(_message.Message):
    __slots__ = ("round_id", "receipt", "salt", "marks_json")
    ROUND_ID_FIELD_NUMBER: _ClassVar[int]
    RECEIPT_FIELD_NUMBER: _ClassVar[int]
    SALT_FIELD_NUMBER: _ClassVar[int]
    MARKS_JSON_FIELD_NUMBER: _ClassVar[int]
    round_id: str
    receipt: str
    salt: str
    marks_json: str
    def __init__(self, round_id: _Optional[str] = ..., receipt: _Optional[str] = ..., salt: _Optional[str] = ..., marks_json: _Optional[str] = ...) -> None: ...

class ListRoundBallotsResponse(_message.Message):
    __slots__ = ("ballots",)
    BALLOTS_FIELD_NUMBER: _ClassVar[int]
    ballots: _containers.RepeatedCompositeFieldContainer[RoundBallot]
    def __init__(self, ballots: _Optional[_Iterable[_Union[RoundBallot, _Mapping]]] = ...) -> None: ...

class ReissueBallotsRequest(_message.Message):
    __slots__ = ("idempotency_key", "actor", "round_id", "issue_key", "reason")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    ROUND_ID_FIELD_NUMBER: _ClassVar[int]
    ISSUE_KEY_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    actor: _common_pb2.Actor
    round_id: str
    issue_key: str
    reason: str
    def __init__(self, idempotency_key: _Optional[str] = ..., actor: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ..., round_id: _Optional[str] = ..., issue_key: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class SpoilBallotRequest(_message.Message):
    __slots__ = ("idempotency_key", "actor", "round_id", "code", "reason")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    ROUND_ID_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    actor: _common_pb2.Actor
    round_id: str
    code: str
    reason: str
    def __init__(self, idempotency_key: _Optional[str] = ..., actor: _Optional[_Union[_common_pb2.Actor, _Mapping]] = ..., round_id: _Optional[str] = ..., code: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...
