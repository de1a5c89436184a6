"""Meetings (公推大会, 差额票决, 党员大会): check-in, attendance, ballot issue, paper tallies,
closing rounds; and casting a ballot with a one-time code.

Secret ballot: check-in records THAT a person is present; ``POST .../rounds/{id}/ballots``
records THAT each listed person received a ballot and hands out as many one-time codes, in an
order unrelated to the persons (the same request with the same ``Idempotency-Key`` answers the
same codes); ``POST .../rounds/{id}/casting`` ends the issuing and opens casting (then only a
lost batch is re-issued, ``.../ballots/reissue``, or a spoilt ballot replaced,
``.../ballots/spoil``); ``POST /api/v1/ballots`` casts with the code alone: no token, no
person, and neither the access log nor any log of this API writes the request.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, Field

from api.auth import OFFICE, READERS, SESSION_COOKIE, STREET, SUPERVISOR
from api.db import Principal
from api.deps import (
    ClientsDep,
    DbDep,
    ElectionAccess,
    ElectionInfo,
    IdempotencyKey,
    actor,
    call,
)
from api.deps import idempotency_key as make_key
from api.errors import ERROR_RESPONSES, ApiError, ErrorBody
from api.registry import registered_committee_size
from api.types import Id, ShortText
from core.vocabulary import MeetingKind
from proto import voting_pb2
from rules.counting import ballot_holders
from services.common.clients import ServiceClients

router = APIRouter(prefix="/api/v1/elections/{election_id}", tags=["meetings"],
                   responses=ERROR_RESPONSES)
ballots_router = APIRouter(prefix="/api/v1", tags=["ballots"], responses=ERROR_RESPONSES)
Reader = Annotated[tuple[Principal, ElectionInfo],
                   Depends(ElectionAccess(*READERS, what="read meetings"))]
Desk = Annotated[tuple[Principal, ElectionInfo],
                 Depends(ElectionAccess(OFFICE, STREET, what="run meetings",
                                           acts=True))]
Office = Annotated[tuple[Principal, ElectionInfo],
                   Depends(ElectionAccess(OFFICE, what="issue ballots",
                                           acts=True))]
Confirmer = Annotated[tuple[Principal, ElectionInfo],
                      Depends(ElectionAccess(OFFICE, SUPERVISOR, what="confirm results",
                                           acts=True))]
Supervisor = Annotated[tuple[Principal, ElectionInfo],
                       Depends(ElectionAccess(SUPERVISOR, what="confirm a paper tally",
                                              acts=True))]
MeetingId = Annotated[str, Path(max_length=80, pattern=r"^[A-Za-z0-9_.:\-]+$")]
RoundId = Annotated[str, Path(max_length=80, pattern=r"^[A-Za-z0-9_.:\-]+$")]
PersonIds = Annotated[list[Id], Field(max_length=5000)]


class CandidatePublic(BaseModel):
    person_id: str
    name: str


class TallyLineIn(BaseModel):
    person_id: Id
    votes_for: int = Field(0, ge=0, le=1_000_000)
    votes_against: int = Field(0, ge=0, le=1_000_000)
    votes_abstain: int = Field(0, ge=0, le=1_000_000)


class TallyLinePublic(TallyLineIn):
    name: str


class WriteIn(BaseModel):
    name: ShortText = Field(min_length=1)
    votes: int = Field(ge=0, le=1_000_000)


class RoundPublic(BaseModel):
    round_id: str
    meeting_id: str
    election_id: str
    post: str
    kind: str = Field(description="recommendation | trust | regular | tie | additional | repeat")
    number: int
    seats: int
    candidates: list[CandidatePublic]
    status: str = Field(description="open | counted")
    issued: int
    returned: int
    valid: int
    invalid: int
    void: bool
    tally: list[TallyLinePublic]
    elected: list[str]
    tied: list[str]
    unfilled: int
    rules: list[str]
    ballot_box_digest: str
    write_ins: list[WriteIn]
    source: str = Field(description="paper | electronic")
    confirmed_by: list[str] = Field(default=[], description="roles that confirmed the results")
    official: bool = Field(default=False, description="office and supervisor confirmed: the "
                           "round cannot change")
    tally_status: str = Field(default="", description="paper: entered (awaiting the "
                              "supervisor) | confirmed | rejected (entered again)")
    tally_entered_by: str = ""
    tally_confirmed_by: str = ""
    tally_note: str = Field(default="", description="why the supervisor rejected the tally")
    codes_cast: int = Field(default=0, description="electronic: codes cast")
    codes_unused: int = Field(default=0, description="electronic, open: codes not cast yet")
    codes_void: int = Field(default=0, description="electronic, counted: the unused codes "
                            "made void at the close")


class MeetingDetails(BaseModel):
    """What the minutes (会议记录) print besides the counts; empty until recorded."""
    presided_by: ShortText = Field("", max_length=40, description="主持人")
    recorded_by: ShortText = Field("", max_length=40, description="记录人")
    place: ShortText = Field("", max_length=120, description="地点")
    held_at: str = Field("", max_length=32, description="时间: the meeting's local date and "
                         "time, ISO 8601 without a UTC offset (2026-03-08T09:00)")


class MeetingPublic(BaseModel):
    meeting_id: str
    election_id: str
    kind: str = Field(description="recommendation | committee | congress")
    session: int
    status: str = Field(description="checking_in | in_session | quorum_failed | closed")
    expected: int
    present_members: int
    present_others: int
    quorum_met: bool
    quorum_rule: str
    rounds: list[RoundPublic]
    details: MeetingDetails


class CheckIn(BaseModel):
    person_ids: PersonIds = Field(default_factory=list,
                                  description="recommendation and congress meetings")
    committee_size: int = Field(0, ge=0, le=1000, description="committee meetings: leave it "
                                "out (the registry's); a differing figure is refused")
    headcount: int = Field(0, ge=0, le=1000, description="committee meetings: members present")


class CheckedIn(BaseModel):
    meeting: MeetingPublic
    checked_in: int


class BallotIssue(BaseModel):
    person_ids: PersonIds = Field(min_length=1, description="checked-in electors receiving a "
                                                            "ballot now")


class BallotCodes(BaseModel):
    round_id: str
    codes: list[str] = Field(description="one-time codes, unrelated to the persons' order: "
                                         "hand one to each voter")
    issued_total: int


class BallotReissue(BaseModel):
    issue_key: str = Field(min_length=1, max_length=120,
                           description="the Idempotency-Key the lost batch was issued with")
    reason: ShortText = Field(min_length=1)


class BallotSpoil(BaseModel):
    code: str = Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9_\-]+$")
    reason: ShortText = Field(min_length=1)


class Tally(BaseModel):
    issued: int = Field(ge=0, le=1_000_000, description="at most the voters present (M8, "
                                                        "M11, M12)")
    returned: int = Field(ge=0, le=1_000_000, description="more than issued voids the round "
                                                          "(M2)")
    invalid: int = Field(0, ge=0, le=1_000_000)
    valid: int | None = Field(None, ge=0, le=1_000_000,
                              description="as counted; when sent, valid + invalid = returned")
    lines: list[TallyLineIn] = Field(default_factory=list, max_length=500)
    write_ins: list[WriteIn] = Field(default_factory=list, max_length=500)

    def refusal(self) -> ApiError | None:
        """The counts of the sheet checked against each other (M3, M4); the counts against
        the meeting's attendance are the voting service's (it holds the attendance)."""
        if self.invalid > self.returned:
            return ApiError(422, f"invalid {self.invalid} exceeds returned {self.returned}",
                            field="invalid", rule="M3")
        valid = self.returned - self.invalid
        if self.valid is not None and self.valid != valid:
            return ApiError(422, f"valid {self.valid} + invalid {self.invalid} is not the "
                                 f"{self.returned} returned", field="valid", rule="M3")
        for i, line in enumerate(self.lines):
            marks = line.votes_for + line.votes_against + line.votes_abstain
            if marks > valid:
                return ApiError(422, f"{marks} marks for {line.person_id} exceed the {valid} "
                                     "valid ballots", field=f"lines[{i}]", rule="M3")
        for i, w in enumerate(self.write_ins):
            if w.votes > valid:
                return ApiError(422, f"{w.votes} votes for {w.name} exceed the {valid} valid "
                                     "ballots", field=f"write_ins[{i}].votes", rule="M4")
        return None


class TallyDecision(BaseModel):
    approve: bool = Field(description="true: the tally counts (the round is counted at "
                                      "once); false: it is entered again")
    reason: ShortText = Field("", description="required when rejecting")


class MarkIn(BaseModel):
    person_id: str = Field("", max_length=120)
    choice: Literal["for", "against", "abstain"]
    write_in: ShortText = ""


class BallotCast(BaseModel):
    round_id: str = Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9_.:\-]+$")
    code: str = Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9_\-]+$")
    marks: list[MarkIn] = Field(default_factory=list, max_length=500)


class BallotReceipt(BaseModel):
    receipt: str = Field(description="sha256 of the stored ballot")
    valid: bool
    invalid_rule: str


def round_public(r: voting_pb2.Round) -> RoundPublic:
    return RoundPublic(
        round_id=r.round_id, meeting_id=r.meeting_id, election_id=r.election_id, post=r.post,
        kind=r.kind, number=r.number, seats=r.seats,
        candidates=[CandidatePublic(person_id=c.person_id, name=c.name) for c in r.candidates],
        status=r.status, issued=r.issued, returned=r.returned, valid=r.valid, invalid=r.invalid,
        void=r.void,
        tally=[TallyLinePublic.model_construct(
            person_id=t.person_id, name=t.name, votes_for=t.votes_for,
            votes_against=t.votes_against, votes_abstain=t.votes_abstain) for t in r.tally],
        elected=list(r.elected), tied=list(r.tied), unfilled=r.unfilled, rules=list(r.rules),
        ballot_box_digest=r.ballot_box_digest,
        write_ins=[WriteIn.model_construct(name=w.name, votes=w.votes) for w in r.write_ins],
        source=r.source, confirmed_by=list(r.confirmed_by), official=r.official,
        tally_status=r.tally_status, tally_entered_by=r.tally_entered_by,
        tally_confirmed_by=r.tally_confirmed_by, tally_note=r.tally_note,
        codes_cast=r.codes_cast, codes_unused=r.codes_unused, codes_void=r.codes_void)


def meeting_public(m: voting_pb2.Meeting) -> MeetingPublic:
    return MeetingPublic(meeting_id=m.meeting_id, election_id=m.election_id, kind=m.kind,
                         session=m.session, status=m.status, expected=m.expected,
                         present_members=m.present_members, present_others=m.present_others,
                         quorum_met=m.quorum_met, quorum_rule=m.quorum_rule,
                         rounds=[round_public(r) for r in m.rounds],
                         details=MeetingDetails(
                             presided_by=m.details.presided_by,
                             recorded_by=m.details.recorded_by, place=m.details.place,
                             held_at=m.details.held_at))


async def meeting_of(clients: ServiceClients, info: ElectionInfo,
                     meeting_id: str) -> voting_pb2.Meeting:
    m = await call(clients.voting.GetMeeting(voting_pb2.GetMeetingRequest(meeting_id=meeting_id)),
                   "voting")
    if m.election_id != info.election_id:
        raise ApiError(404, f"no meeting {meeting_id!r} in election {info.election_id}",
                       field="meeting_id")
    return m


async def round_of(clients: ServiceClients, info: ElectionInfo,
                   round_id: str) -> tuple[voting_pb2.Round, voting_pb2.Meeting]:
    r = await call(clients.voting.GetRound(voting_pb2.GetRoundRequest(round_id=round_id)),
                   "voting")
    if r.election_id != info.election_id:
        raise ApiError(404, f"no round {round_id!r} in election {info.election_id}",
                       field="round_id")
    return r, await meeting_of(clients, info, r.meeting_id)


def desk_role(principal: Principal, meeting: voting_pb2.Meeting, what: str) -> None:
    """The street committee runs its own vote (差额票决); the community office every other
    meeting."""
    wanted = STREET if meeting.kind == "committee" else OFFICE
    if principal.role != wanted:
        raise ApiError(403, f"only the {wanted} may {what} at a {meeting.kind} meeting",
                       field="role")


@router.get("/meetings", response_model=list[MeetingPublic])
async def list_meetings(access: Reader, clients: ClientsDep,
                        kind: Annotated[MeetingKind | None, Query()] = None
                        ) -> list[MeetingPublic]:
    _, info = access
    res = await call(clients.voting.ListMeetings(voting_pb2.ListMeetingsRequest(
        election_id=info.election_id, kind=kind or "")), "voting")
    return [meeting_public(m) for m in res.meetings]


@router.get("/meetings/{meeting_id}", response_model=MeetingPublic)
async def get_meeting(meeting_id: MeetingId, access: Reader,
                      clients: ClientsDep) -> MeetingPublic:
    _, info = access
    return meeting_public(await meeting_of(clients, info, meeting_id))


@router.post("/meetings/{meeting_id}/check-in", response_model=CheckedIn)
async def check_in(meeting_id: MeetingId, body: CheckIn, access: Desk, clients: ClientsDep,
                   db: DbDep, key: IdempotencyKey = None) -> CheckedIn:
    """Marks who is present (recommendation, congress), or the committee's headcount. The
    committee's size is the registry's (``PUT /api/v1/streets/{id}/committee``): a
    ``committee_size`` sent here that differs from it is refused, never taken."""
    principal, info = access
    meeting = await meeting_of(clients, info, meeting_id)
    size = body.committee_size
    if meeting.kind == "committee":
        size = await registered_committee_size(db, info.street_id, body.committee_size)
    if body.headcount > size:
        raise ApiError(422, f"headcount {body.headcount} exceeds the committee's "
                            f"{size} members", field="headcount", rule="M11")
    desk_role(principal, meeting, "check people in")
    res = await call(clients.voting.CheckIn(voting_pb2.CheckInRequest(
        idempotency_key=make_key(principal, "CheckIn", key, meeting_id), actor=actor(principal),
        meeting_id=meeting_id, person_ids=body.person_ids, committee_size=size,
        headcount=body.headcount)), "voting")
    return CheckedIn(meeting=meeting_public(res.meeting), checked_in=res.checked_in)


@router.put("/meetings/{meeting_id}/details", response_model=MeetingPublic)
async def set_details(meeting_id: MeetingId, body: MeetingDetails, access: Desk,
                      clients: ClientsDep, key: IdempotencyKey = None) -> MeetingPublic:
    """Who presided, who took the minutes, where and when (the minutes print them); the
    latest stands. Refused once a round of the meeting is official."""
    principal, info = access
    meeting = await meeting_of(clients, info, meeting_id)
    desk_role(principal, meeting, "record the meeting's details")
    res = await call(clients.voting.SetMeetingDetails(voting_pb2.SetMeetingDetailsRequest(
        idempotency_key=make_key(principal, "SetMeetingDetails", key, meeting_id),
        actor=actor(principal), meeting_id=meeting_id, details=voting_pb2.MeetingDetails(
            presided_by=body.presided_by, recorded_by=body.recorded_by, place=body.place,
            held_at=body.held_at))), "voting")
    return meeting_public(res)


@router.post("/meetings/{meeting_id}/confirm-attendance", response_model=MeetingPublic)
async def confirm_attendance(meeting_id: MeetingId, access: Desk, clients: ClientsDep,
                             key: IdempotencyKey = None) -> MeetingPublic:
    """Closes check-in: attendance frozen, quorum decided (M1, M11)."""
    principal, info = access
    meeting = await meeting_of(clients, info, meeting_id)
    desk_role(principal, meeting, "confirm attendance")
    res = await call(clients.voting.ConfirmAttendance(voting_pb2.MeetingActionRequest(
        idempotency_key=make_key(principal, "ConfirmAttendance", key, meeting_id),
        actor=actor(principal), meeting_id=meeting_id)), "voting")
    return meeting_public(res)


@router.post("/meetings/{meeting_id}/close", response_model=MeetingPublic)
async def close_meeting(meeting_id: MeetingId, access: Desk, clients: ClientsDep,
                        key: IdempotencyKey = None) -> MeetingPublic:
    """Ends the recommendation meeting once its rounds are counted (step 4 waits for it); the
    committee and congress sessions are closed by the election's workflow itself."""
    principal, info = access
    meeting = await meeting_of(clients, info, meeting_id)
    desk_role(principal, meeting, "close the meeting")
    if meeting.kind != "recommendation":
        raise ApiError(409, f"a {meeting.kind} meeting is closed by the election's workflow, "
                            "not at the desk", field="meeting_id", code="FAILED_PRECONDITION")
    res = await call(clients.voting.CloseMeeting(voting_pb2.MeetingActionRequest(
        idempotency_key=make_key(principal, "CloseMeeting", key, meeting_id),
        actor=actor(principal), meeting_id=meeting_id)), "voting")
    return meeting_public(res)


@router.get("/rounds/{round_id}", response_model=RoundPublic)
async def get_round(round_id: RoundId, access: Reader, clients: ClientsDep) -> RoundPublic:
    _, info = access
    rnd, _ = await round_of(clients, info, round_id)
    return round_public(rnd)


@router.post("/rounds/{round_id}/ballots", response_model=BallotCodes)
async def issue_ballots(round_id: RoundId, body: BallotIssue, access: Office,
                        clients: ClientsDep, key: IdempotencyKey = None) -> BallotCodes:
    """Records that each listed (checked-in) person received a ballot and returns as many
    one-time codes, shuffled: nothing keeps which code went to whom. Sent with an
    Idempotency-Key, a retry answers the same codes and a lost batch can be re-issued."""
    principal, info = access
    await round_of(clients, info, round_id)
    res = await call(clients.voting.IssueBallots(voting_pb2.IssueBallotsRequest(
        idempotency_key=make_key(principal, "IssueBallots", key, round_id),
        actor=actor(principal), round_id=round_id, person_ids=body.person_ids)), "voting")
    return BallotCodes(round_id=round_id, codes=list(res.codes), issued_total=res.issued_total)


@router.post("/rounds/{round_id}/casting", response_model=RoundPublic)
async def open_casting(round_id: RoundId, access: Office, clients: ClientsDep,
                       key: IdempotencyKey = None) -> RoundPublic:
    """Every ballot is issued: casting opens, and no ballot is issued after (a lost batch is
    re-issued, a spoilt ballot replaced)."""
    principal, info = access
    await round_of(clients, info, round_id)
    res = await call(clients.voting.OpenCasting(voting_pb2.RoundActionRequest(
        idempotency_key=make_key(principal, "OpenCasting", key, round_id),
        actor=actor(principal), round_id=round_id)), "voting")
    return round_public(res)


@router.post("/rounds/{round_id}/ballots/reissue", response_model=BallotCodes)
async def reissue_ballots(round_id: RoundId, body: BallotReissue, access: Office,
                          clients: ClientsDep, key: IdempotencyKey = None) -> BallotCodes:
    """A lost batch (named by the Idempotency-Key it was issued with, by the same caller): its
    codes not yet cast are void, and as many new ones are returned."""
    principal, info = access
    await round_of(clients, info, round_id)
    res = await call(clients.voting.ReissueBallots(voting_pb2.ReissueBallotsRequest(
        idempotency_key=make_key(principal, "ReissueBallots", key, round_id),
        actor=actor(principal), round_id=round_id, reason=body.reason,
        issue_key=make_key(principal, "IssueBallots", body.issue_key, round_id))), "voting")
    return BallotCodes(round_id=round_id, codes=list(res.codes), issued_total=res.issued_total)


@router.post("/rounds/{round_id}/ballots/spoil", response_model=BallotCodes)
async def spoil_ballot(round_id: RoundId, body: BallotSpoil, access: Office,
                       clients: ClientsDep, key: IdempotencyKey = None) -> BallotCodes:
    """A ballot spoilt before it was cast, handed back with its code: the code is void and a
    new one is returned."""
    principal, info = access
    await round_of(clients, info, round_id)
    res = await call(clients.voting.SpoilBallot(voting_pb2.SpoilBallotRequest(
        idempotency_key=make_key(principal, "SpoilBallot", key, round_id),
        actor=actor(principal), round_id=round_id, code=body.code, reason=body.reason)),
        "voting")
    return BallotCodes(round_id=round_id, codes=list(res.codes), issued_total=res.issued_total)


@router.post("/rounds/{round_id}/tally", response_model=RoundPublic)
async def enter_tally(round_id: RoundId, body: Tally, access: Desk, clients: ClientsDep,
                      key: IdempotencyKey = None) -> RoundPublic:
    """Paper counting: the tally as counted on the spot (M2-M4 checked)."""
    principal, info = access
    refusal = body.refusal()
    if refusal is not None:
        raise refusal
    rnd, meeting = await round_of(clients, info, round_id)
    desk_role(principal, meeting, "enter a tally")
    voters, who, rule = ballot_holders(meeting.kind, rnd.kind, meeting.present_members,
                                       meeting.present_others)
    if body.issued > voters:
        raise ApiError(422, f"{body.issued} ballots issued to {voters} {who} present",
                       field="issued", rule=rule)
    res = await call(clients.voting.EnterTally(voting_pb2.EnterTallyRequest(
        idempotency_key=make_key(principal, "EnterTally", key, round_id), actor=actor(principal),
        round_id=round_id, issued=body.issued, returned=body.returned, invalid=body.invalid,
        valid=body.valid,
        lines=[voting_pb2.TallyLine(**line.model_dump()) for line in body.lines],
        write_ins=[voting_pb2.WriteIn(**w.model_dump()) for w in body.write_ins])), "voting")
    return round_public(res)


@router.post("/rounds/{round_id}/tally/confirm", response_model=RoundPublic)
async def confirm_tally(round_id: RoundId, body: TallyDecision, access: Supervisor,
                        clients: ClientsDep, key: IdempotencyKey = None) -> RoundPublic:
    """Four eyes (M12): the supervisor (总监票人) — another person than the one who entered the
    tally — confirms it, and the round is counted at once; or rejects it with a reason, and
    the desk enters it again."""
    principal, info = access
    if not body.approve and not body.reason.strip():
        raise ApiError(422, "required: why the tally is rejected", field="reason", rule="M12")
    await round_of(clients, info, round_id)
    res = await call(clients.voting.ConfirmTally(voting_pb2.ConfirmTallyRequest(
        idempotency_key=make_key(principal, "ConfirmTally", key, round_id),
        actor=actor(principal), round_id=round_id, approve=body.approve,
        reason=body.reason)), "voting")
    if body.approve:  # the confirmed tally counts: the round is counted by the rules
        res = await call(clients.voting.CloseRound(voting_pb2.RoundActionRequest(
            idempotency_key=make_key(principal, "CloseRound", key, round_id),
            actor=actor(principal), round_id=round_id)), "voting")
    return round_public(res)


@router.post("/rounds/{round_id}/close", response_model=RoundPublic)
async def close_round(round_id: RoundId, access: Desk, clients: ClientsDep,
                      key: IdempotencyKey = None) -> RoundPublic:
    """Counts the round by the rules (M2-M11) and publishes the ballot-box digest."""
    principal, info = access
    _, meeting = await round_of(clients, info, round_id)
    desk_role(principal, meeting, "close a round")
    res = await call(clients.voting.CloseRound(voting_pb2.RoundActionRequest(
        idempotency_key=make_key(principal, "CloseRound", key, round_id), actor=actor(principal),
        round_id=round_id)), "voting")
    return round_public(res)


@router.post("/rounds/{round_id}/confirm", response_model=RoundPublic)
async def confirm_results(round_id: RoundId, access: Confirmer, clients: ClientsDep,
                          key: IdempotencyKey = None) -> RoundPublic:
    """The community office or the supervisor confirms a counted round's results; after both
    they are official and the round cannot change."""
    principal, _ = access
    await round_of(clients, access[1], round_id)
    res = await call(clients.voting.ConfirmResults(voting_pb2.RoundActionRequest(
        idempotency_key=make_key(principal, "ConfirmResults", key, round_id),
        actor=actor(principal), round_id=round_id)), "voting")
    return round_public(res)


def no_credentials(request: Request) -> None:
    """A ballot is cast with its code alone: a token or a session of any role beside it would
    tie the ballot to a person in the request, so such a cast is refused, never judged."""
    if request.headers.get("authorization") is not None:
        raise ApiError(403, "a ballot is cast with its code alone: send no Authorization "
                            "header", field="authorization", rule="M12")
    if request.cookies.get(SESSION_COOKIE):
        raise ApiError(403, "a ballot is cast with its code alone: not from a signed-in "
                            "session", field="session", rule="M12")


@ballots_router.post("/ballots", response_model=BallotReceipt, status_code=201,
                     dependencies=[Depends(no_credentials)], responses={
    403: {"model": ErrorBody, "description": "a token or a session was sent with the code"},
    409: {"description": "the code was already used: a cast ballot cannot be changed"},
    429: {"model": ErrorBody, "description": "too many casts from this client (Retry-After)"},
    503: {"model": ErrorBody, "description": "the ballot box is full (Retry-After)"}})
async def cast_ballot(body: BallotCast, clients: ClientsDep) -> BallotReceipt:
    """Casts one ballot with a one-time code, and nothing else: no token, no person (a
    request with an Authorization header or a console session is refused, 403). A code
    casts once (a second use is 409 ALREADY_EXISTS); a cast ballot cannot be changed."""
    res = await call(clients.voting.CastBallot(voting_pb2.CastBallotRequest(
        round_id=body.round_id, code=body.code,
        marks=[voting_pb2.Mark(person_id=m.person_id, choice=m.choice, write_in=m.write_in)
               for m in body.marks])), "voting")
    return BallotReceipt(receipt=res.receipt, valid=res.valid, invalid_rule=res.invalid_rule)
