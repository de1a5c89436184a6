"""Every count of a paper tally or a check-in is checked against what it counts, and refused
naming the field and the rule; nothing is capped and nothing half-written."""

from __future__ import annotations

import grpc

from proto import voting_pb2 as pb
from tests.services.voting.support import (
    CANDIDATES,
    OFFICE,
    STREET,
    Service,
    close,
    congress,
    key,
    line,
    members,
    open_meeting,
    open_round,
    others,
    refused,
    tally,
    trailer,
)


async def _refused_tally(svc: Service, round_id: str, code: grpc.StatusCode, field: str,
                         rule: str, **counts: int) -> None:
    lines = counts.pop("lines", None)
    err = await refused(tally(svc, round_id, counts["issued"], counts["returned"],
                              counts.get("invalid", 0),
                              [line("c-wang", lines or 0)]), code)
    assert (trailer(err, "field"), trailer(err, "rule")) == (field, rule), err.details()
    rnd = await svc.stub.GetRound(pb.GetRoundRequest(round_id=round_id))
    assert (rnd.source, rnd.issued, rnd.returned) == ("", 0, 0)  # nothing written


async def test_more_ballots_issued_than_members_present_is_refused(svc: Service) -> None:
    meeting = await congress(svc, expected=100, present=100)
    rnd = await open_round(svc, meeting.meeting_id)
    # 130 issued / 130 returned / 129 valid with 100 members present
    await _refused_tally(svc, rnd.round_id, grpc.StatusCode.FAILED_PRECONDITION, "issued",
                         "M12", issued=130, returned=130, invalid=1, lines=100)
    ok = await tally(svc, rnd.round_id, 100, 100, 1, [line("c-wang", 90)])
    assert (ok.issued, ok.valid) == (100, 99)


async def test_more_returned_than_issued_is_the_void_round_not_an_error(svc: Service) -> None:
    meeting = await congress(svc, expected=100, present=90)
    rnd = await open_round(svc, meeting.meeting_id)
    await tally(svc, rnd.round_id, 90, 91, 2, [line("c-wang", 60)])
    counted = await close(svc, rnd.round_id)
    assert counted.void and "M2" in counted.rules


async def test_invalid_above_returned_and_marks_above_valid_are_refused(svc: Service) -> None:
    meeting = await congress(svc, expected=100, present=90)
    rnd = await open_round(svc, meeting.meeting_id)
    await _refused_tally(svc, rnd.round_id, grpc.StatusCode.INVALID_ARGUMENT, "invalid", "M3",
                         issued=90, returned=10, invalid=11)
    err = await refused(tally(svc, rnd.round_id, 90, 90, 10, [line("c-wang", 50, 20, 11)]),
                        grpc.StatusCode.INVALID_ARGUMENT)
    assert (trailer(err, "field"), trailer(err, "rule")) == ("lines[0]", "M3")
    err = await refused(tally(svc, rnd.round_id, 90, 90, 10, [line("c-wang", 50)],
                              write_ins=[pb.WriteIn(name="钱八", votes=81)]),
                        grpc.StatusCode.INVALID_ARGUMENT)
    assert (trailer(err, "field"), trailer(err, "rule")) == ("write_ins[0].votes", "M4")


async def test_valid_plus_invalid_must_be_the_returned(svc: Service) -> None:
    meeting = await congress(svc, expected=100, present=90)
    rnd = await open_round(svc, meeting.meeting_id)
    err = await refused(svc.stub.EnterTally(pb.EnterTallyRequest(
        idempotency_key=key(), actor=OFFICE, round_id=rnd.round_id, issued=90, returned=90,
        invalid=2, valid=89, lines=[line("c-wang", 60)])), grpc.StatusCode.INVALID_ARGUMENT)
    assert (trailer(err, "field"), trailer(err, "rule")) == ("valid", "M3")
    ok = await svc.stub.EnterTally(pb.EnterTallyRequest(
        idempotency_key=key(), actor=OFFICE, round_id=rnd.round_id, issued=90, returned=90,
        invalid=2, valid=88, lines=[line("c-wang", 60)]))
    assert ok.valid == 88


async def test_trust_ballots_are_bounded_by_the_non_members_present(svc: Service) -> None:
    meeting = await open_meeting(svc, "recommendation", 1, members(20) + others(10))
    await svc.stub.CheckIn(pb.CheckInRequest(
        idempotency_key=key(), actor=OFFICE, meeting_id=meeting.meeting_id,
        person_ids=[f"m{i:03d}" for i in range(1, 21)] + [f"r{i:03d}" for i in range(1, 7)]))
    await svc.stub.ConfirmAttendance(pb.MeetingActionRequest(
        idempotency_key=key(), actor=OFFICE, meeting_id=meeting.meeting_id))
    trust = await open_round(svc, meeting.meeting_id, kind="trust", seats=0,
                             candidates=CANDIDATES[:1])
    # 6 non-members present: 7 trust ballots cannot have been issued (the 20 members do not
    # receive one)
    await _refused_tally(svc, trust.round_id, grpc.StatusCode.FAILED_PRECONDITION, "issued",
                         "M8", issued=7, returned=7)
    rec = await open_round(svc, meeting.meeting_id, kind="recommendation", seats=1)
    await _refused_tally(svc, rec.round_id, grpc.StatusCode.FAILED_PRECONDITION, "issued",
                         "M8", issued=21, returned=21)
    await tally(svc, trust.round_id, 6, 6, 0, [line("c-wang", 5, 1)])
    await tally(svc, rec.round_id, 20, 20, 0, [line("c-wang", 12)])


async def test_committee_tally_is_bounded_by_its_headcount(svc: Service) -> None:
    meeting = await svc.stub.OpenMeeting(pb.OpenMeetingRequest(
        idempotency_key=key(), actor=STREET, election_id="xw-001-2026", kind="committee",
        session=1, workflow_id="wf", profile="nanjing"))
    await svc.stub.CheckIn(pb.CheckInRequest(idempotency_key=key(), actor=STREET,
                                             meeting_id=meeting.meeting_id, committee_size=9,
                                             headcount=8))
    await svc.stub.ConfirmAttendance(pb.MeetingActionRequest(
        idempotency_key=key(), actor=STREET, meeting_id=meeting.meeting_id))
    rnd = await open_round(svc, meeting.meeting_id, seats=1)
    await _refused_tally(svc, rnd.round_id, grpc.StatusCode.FAILED_PRECONDITION, "issued",
                         "M11", issued=9, returned=9)


async def test_an_excluded_member_is_not_checked_in_at_a_congress(svc: Service) -> None:
    excluded = pb.Elector(person_id="x001", name="出国党员", expected=False,
                          **{"class": "member"})
    meeting = await open_meeting(svc, "congress", 1, members(10) + [excluded])
    assert meeting.expected == 10
    err = await refused(svc.stub.CheckIn(pb.CheckInRequest(
        idempotency_key=key(), actor=OFFICE, meeting_id=meeting.meeting_id,
        person_ids=[f"m{i:03d}" for i in range(1, 11)] + ["x001"])),
        grpc.StatusCode.INVALID_ARGUMENT)
    assert (trailer(err, "field"), trailer(err, "rule")) == ("person_ids", "E2")
    after = await svc.stub.GetMeeting(pb.GetMeetingRequest(meeting_id=meeting.meeting_id))
    assert after.present_members == 0  # nothing half-written
