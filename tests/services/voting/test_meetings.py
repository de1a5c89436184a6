"""Meetings and their electorates: opened deterministically, closed only with no open round."""

from __future__ import annotations

import grpc

from proto import voting_pb2 as pb
from tests.services.voting.support import (
    ELECTION,
    OFFICE,
    Service,
    congress,
    key,
    members,
    open_meeting,
    open_round,
    refused,
    trailer,
)


async def test_open_meeting_is_deterministic_and_checkin_counts_once(svc: Service) -> None:
    first = await open_meeting(svc, "congress", 1, members(5))
    again = await open_meeting(svc, "congress", 1, members(5))
    assert first.meeting_id == again.meeting_id and first.meeting_id.startswith("mt-")
    assert svc.count("SELECT count(*) FROM meetings") == 1
    assert svc.count("SELECT count(*) FROM electors") == 5
    checkin = await svc.stub.CheckIn(pb.CheckInRequest(
        idempotency_key=key(), actor=OFFICE, meeting_id=first.meeting_id,
        person_ids=["m001", "m002"]))
    assert checkin.checked_in == 2
    checkin = await svc.stub.CheckIn(pb.CheckInRequest(
        idempotency_key=key(), actor=OFFICE, meeting_id=first.meeting_id,
        person_ids=["m002", "m003"]))
    assert checkin.checked_in == 1 and checkin.meeting.present_members == 3
    err = await refused(svc.stub.CheckIn(pb.CheckInRequest(
        idempotency_key=key(), actor=OFFICE, meeting_id=first.meeting_id,
        person_ids=["m004", "nobody"])), grpc.StatusCode.NOT_FOUND)
    assert trailer(err, "field") == "person_ids"
    assert svc.count("SELECT count(*) FROM electors WHERE checked_in") == 3  # nothing half-written


async def test_close_meeting_refused_with_open_round(svc: Service) -> None:
    meeting = await congress(svc, 3, 3)
    await open_round(svc, meeting.meeting_id)
    err = await refused(svc.stub.CloseMeeting(pb.MeetingActionRequest(
        idempotency_key=key(), actor=OFFICE, meeting_id=meeting.meeting_id)),
        grpc.StatusCode.FAILED_PRECONDITION)
    assert trailer(err, "field") == "meeting_id"
    got = await svc.stub.GetMeeting(pb.GetMeetingRequest(meeting_id=meeting.meeting_id))
    assert got.status == "in_session" and len(got.rounds) == 1
    assert (await svc.stub.GetRound(pb.GetRoundRequest(round_id=got.rounds[0].round_id))
            ).status == "open"


# --------------------------------------------------------------------------- the schema
PERSON_COLUMNS = {"person_id", "name", "voter", "voter_id", "elector", "elector_id", "class",
                  "actor", "actor_role", "actor_scope"}
BALLOT_COLUMNS = {"code", "code_hash", "ballot_id", "marks_json", "marks", "receipt", "salt",
                  "used", "invalid_rule"}
SECRET_TABLES = ("ballots", "ballot_codes")


async def test_overrides_that_are_not_a_json_object_are_refused_naming_the_field(
        svc: Service) -> None:
    for text in ("{not json", '"nanjing"'):
        err = await refused(svc.stub.OpenMeeting(pb.OpenMeetingRequest(
            idempotency_key=key(), actor=OFFICE, election_id=ELECTION, kind="congress",
            session=1, electorate=members(3), profile="nanjing", overrides_json=text)),
            grpc.StatusCode.INVALID_ARGUMENT)
        assert (trailer(err, "field"), trailer(err, "rule")) == ("overrides_json", "PROFILE")
    assert svc.count("SELECT count(*) FROM meetings") == 0
