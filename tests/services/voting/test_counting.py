"""Counting and results: paper rounds decided by the rules (M2, M5), the recommendation
meeting and trust ballots (M8), the committee's vote (M11)."""

from __future__ import annotations

import json

import grpc

from proto import voting_pb2 as pb
from tests.services.voting.support import (
    CANDIDATES,
    OFFICE,
    STREET,
    Service,
    assert_audit_verifies,
    audit,
    close,
    congress,
    key,
    line,
    members,
    open_casting,
    open_meeting,
    open_round,
    others,
    refused,
    tally,
    trailer,
)


async def test_paper_round_m5_exactly_half_fails_then_additional_round_elects(
        svc: Service) -> None:
    meeting = await congress(svc, 10, 10)
    rnd = await open_round(svc, meeting.meeting_id)
    assert [c.name for c in rnd.candidates] == ["王建国", "赵磊"]  # M12 stroke order
    await tally(svc, rnd.round_id, 10, 10, 0, [line("c-wang", 5, 5), line("c-zhao", 4, 6)])
    counted = await close(svc, rnd.round_id)
    assert counted.status == "counted" and counted.source == "paper" and not counted.void
    assert list(counted.elected) == [] and counted.unfilled == 1  # 5 of 10: exactly half fails
    assert list(counted.rules) == ["M5", "M7"]
    assert [t.person_id for t in counted.tally] == ["c-wang", "c-zhao"]
    assert counted.ballot_box_digest.startswith("sha256:")

    extra = await open_round(svc, meeting.meeting_id, kind="additional")
    assert extra.number == 2
    await tally(svc, extra.round_id, 10, 10, 1, [line("c-wang", 6, 3), line("c-zhao", 3, 6)])
    elected = await close(svc, extra.round_id)
    assert list(elected.elected) == ["c-wang"] and elected.unfilled == 0
    assert (elected.issued, elected.returned, elected.valid, elected.invalid) == (10, 10, 9, 1)
    counted_audit = [json.loads(r.payload_json) for r in await audit(svc)
                     if r.kind == "round.counted"]
    assert [a["elected"] for a in counted_audit] == [[], ["c-wang"]]
    assert counted_audit[1]["ballot_box_digest"] == elected.ballot_box_digest

    await refused(close(svc, extra.round_id), grpc.StatusCode.FAILED_PRECONDITION)
    closed = await svc.stub.CloseMeeting(pb.MeetingActionRequest(
        idempotency_key=key(), actor=OFFICE, meeting_id=meeting.meeting_id))
    assert closed.status == "closed" and len(closed.rounds) == 2
    await assert_audit_verifies(svc)


async def test_void_round_m2(svc: Service) -> None:
    meeting = await congress(svc, 10, 10)
    rnd = await open_round(svc, meeting.meeting_id)
    await tally(svc, rnd.round_id, 10, 11, 0, [line("c-wang", 9), line("c-zhao", 2)])
    counted = await close(svc, rnd.round_id)
    assert counted.void and list(counted.rules) == ["M2"]
    assert list(counted.elected) == [] and list(counted.tied) == []
    await assert_audit_verifies(svc)


async def test_recommendation_meeting_m8_and_trust_ballots(svc: Service) -> None:
    meeting = await open_meeting(svc, "recommendation", 1, members(4) + others(3))
    await svc.stub.CheckIn(pb.CheckInRequest(
        idempotency_key=key(), actor=OFFICE, meeting_id=meeting.meeting_id,
        person_ids=["m001", "m002", "m003", "r001", "r002", "r003"]))
    meeting = await svc.stub.ConfirmAttendance(pb.MeetingActionRequest(
        idempotency_key=key(), actor=OFFICE, meeting_id=meeting.meeting_id))
    assert (meeting.status, meeting.present_members, meeting.present_others) == (
        "in_session", 3, 3)
    rec = await open_round(svc, meeting.meeting_id, kind="recommendation", seats=1,
                           candidates=CANDIDATES)
    trust = await open_round(svc, meeting.meeting_id, kind="trust", seats=0,
                             candidates=CANDIDATES)
    await refused(open_round(svc, meeting.meeting_id, kind="regular"),
                  grpc.StatusCode.INVALID_ARGUMENT)
    err = await refused(svc.stub.IssueBallots(pb.IssueBallotsRequest(
        idempotency_key=key(), actor=OFFICE, round_id=trust.round_id, person_ids=["m001"])),
        grpc.StatusCode.FAILED_PRECONDITION)
    assert trailer(err, "rule") == "M8"

    rec_codes = (await svc.stub.IssueBallots(pb.IssueBallotsRequest(
        idempotency_key=key(), actor=OFFICE, round_id=rec.round_id,
        person_ids=["m001", "m002", "m003"]))).codes
    trust_codes = (await svc.stub.IssueBallots(pb.IssueBallotsRequest(
        idempotency_key=key(), actor=OFFICE, round_id=trust.round_id,
        person_ids=["r001", "r002", "r003"]))).codes
    await open_casting(svc, rec.round_id)
    await open_casting(svc, trust.round_id)
    # a code belongs to its round
    await refused(svc.stub.CastBallot(pb.CastBallotRequest(round_id=trust.round_id,
                                                           code=rec_codes[0])),
                  grpc.StatusCode.NOT_FOUND)
    outcomes = []
    for code, marks in zip(rec_codes, [["c-wang"], ["c-wang"], ["c-wang", "c-zhao"]],
                           strict=True):
        cast = await svc.stub.CastBallot(pb.CastBallotRequest(
            round_id=rec.round_id, code=code,
            marks=[pb.Mark(person_id=p, choice="for") for p in marks]))
        outcomes.append((cast.valid, cast.invalid_rule))
    assert outcomes == [(True, ""), (True, ""), (False, "M8")]
    for code, choice in zip(trust_codes[:2], ["for", "against"], strict=True):
        await svc.stub.CastBallot(pb.CastBallotRequest(
            round_id=trust.round_id, code=code,
            marks=[pb.Mark(person_id="c-wang", choice=choice),
                   pb.Mark(person_id="c-zhao", choice="for")]))
    # a trust ballot with a write-in is spoilt (M8): counted as returned, invalid
    spoilt = await svc.stub.CastBallot(pb.CastBallotRequest(
        round_id=trust.round_id, code=trust_codes[2],
        marks=[pb.Mark(person_id="c-wang", choice="against", write_in="李四")]))
    assert (spoilt.valid, spoilt.invalid_rule) == (False, "M8")
    rec_counted = await close(svc, rec.round_id)
    assert [(t.person_id, t.votes_for) for t in rec_counted.tally][:1] == [("c-wang", 2)]
    assert list(rec_counted.rules) == ["M8"] and list(rec_counted.elected) == []
    trust_counted = await close(svc, trust.round_id)
    by_id = {t.person_id: (t.votes_for, t.votes_against) for t in trust_counted.tally}
    assert by_id["c-wang"] == (1, 1) and by_id["c-zhao"] == (2, 0)
    assert (trust_counted.returned, trust_counted.invalid) == (3, 1)
    await assert_audit_verifies(svc)


async def test_committee_vote_m11(svc: Service) -> None:
    meeting = await open_meeting(svc, "committee", 1, [])
    err = await refused(svc.stub.CheckIn(pb.CheckInRequest(
        idempotency_key=key(), actor=STREET, meeting_id=meeting.meeting_id, committee_size=9,
        headcount=10)), grpc.StatusCode.INVALID_ARGUMENT)
    assert trailer(err, "field") == "headcount"
    checked = await svc.stub.CheckIn(pb.CheckInRequest(
        idempotency_key=key(), actor=STREET, meeting_id=meeting.meeting_id, committee_size=9,
        headcount=9))
    assert checked.meeting.expected == 9
    meeting = await svc.stub.ConfirmAttendance(pb.MeetingActionRequest(
        idempotency_key=key(), actor=STREET, meeting_id=meeting.meeting_id))
    assert (meeting.status, meeting.quorum_rule, meeting.present_members) == (
        "in_session", "M11", 9)
    rnd = await open_round(svc, meeting.meeting_id, seats=2, candidates=CANDIDATES)
    err = await refused(svc.stub.IssueBallots(pb.IssueBallotsRequest(
        idempotency_key=key(), actor=STREET, round_id=rnd.round_id, person_ids=["x"])),
        grpc.StatusCode.FAILED_PRECONDITION)
    await tally(svc, rnd.round_id, 9, 9, 0,
                [line("c-wang", 8), line("c-zhao", 6), line("c-ding", 6)])
    counted = await close(svc, rnd.round_id)
    assert list(counted.elected) == ["c-wang"]
    assert list(counted.tied) == ["c-ding", "c-zhao"]  # tied at the cut, in stroke order
    assert list(counted.rules) == ["M11"] and counted.unfilled == 1

    failed = await open_meeting(svc, "committee", 2, [])
    await svc.stub.CheckIn(pb.CheckInRequest(
        idempotency_key=key(), actor=STREET, meeting_id=failed.meeting_id, committee_size=9,
        headcount=6))
    failed = await svc.stub.ConfirmAttendance(pb.MeetingActionRequest(
        idempotency_key=key(), actor=STREET, meeting_id=failed.meeting_id))
    assert (failed.status, failed.quorum_met) == ("quorum_failed", False)
    await assert_audit_verifies(svc)
