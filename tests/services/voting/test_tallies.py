"""Four eyes on a paper tally (M12): checked against the round, counted only once the
supervisor — another person than the one who entered it — confirmed it; a rejected tally is
entered again. And the unused codes of an electronic round: counted while it is open, void
once it is counted."""

from __future__ import annotations

import json

import grpc

from proto import common_pb2
from proto import voting_pb2 as pb
from tests.services.voting.support import (
    CANDIDATES,
    OFFICE,
    SUPERVISOR,
    Service,
    assert_audit_verifies,
    audit,
    close,
    confirm_tally,
    congress,
    key,
    line,
    open_casting,
    open_round,
    refused,
    tally,
    trailer,
)


async def test_a_tally_beyond_attendance_is_refused(svc: Service) -> None:
    # the finding: 100 present, 130 issued, 130 returned, 129 valid
    meeting = await congress(svc, expected=110, present=100)
    rnd = await open_round(svc, meeting.meeting_id)
    err = await refused(tally(svc, rnd.round_id, 130, 130, 1, [line("c-wang", 100)],
                              confirm=False), grpc.StatusCode.FAILED_PRECONDITION)
    assert (trailer(err, "field"), trailer(err, "rule")) == ("issued", "M12")
    err = await refused(tally(svc, rnd.round_id, 100, 100, 1, [line("c-wang", 60, 30, 10)],
                              confirm=False), grpc.StatusCode.INVALID_ARGUMENT)
    assert trailer(err, "field") == "lines[0]"  # 100 marks, 99 valid ballots
    assert (await svc.stub.GetRound(pb.GetRoundRequest(round_id=rnd.round_id))).source == ""


async def test_a_tally_counts_only_after_the_supervisor_confirms_it(svc: Service) -> None:
    meeting = await congress(svc, 10, 10)
    rnd = await open_round(svc, meeting.meeting_id)
    entered = await tally(svc, rnd.round_id, 10, 10, 0, [line("c-wang", 7)], confirm=False)
    assert (entered.tally_status, entered.tally_entered_by) == ("entered", OFFICE.name)
    err = await refused(close(svc, rnd.round_id), grpc.StatusCode.FAILED_PRECONDITION)
    assert (trailer(err, "field"), trailer(err, "rule")) == ("tally_status", "M12")
    still = await svc.stub.GetRound(pb.GetRoundRequest(round_id=rnd.round_id))
    assert still.status == "open" and not still.elected
    confirmed = await confirm_tally(svc, rnd.round_id)
    assert (confirmed.tally_status, confirmed.tally_confirmed_by) == ("confirmed",
                                                                      SUPERVISOR.name)
    # once is enough: a second confirmation is refused, not recorded again
    await refused(confirm_tally(svc, rnd.round_id), grpc.StatusCode.FAILED_PRECONDITION)
    counted = await close(svc, rnd.round_id)
    assert counted.status == "counted" and list(counted.elected) == ["c-wang"]
    # the count states whose four eyes it rests on
    payload = json.loads([r for r in await audit(svc) if r.kind == "round.counted"][-1]
                         .payload_json)
    assert (payload["tally_entered_by"], payload["tally_confirmed_by"]) == (OFFICE.name,
                                                                            SUPERVISOR.name)
    await assert_audit_verifies(svc)


async def test_the_one_who_entered_a_tally_does_not_confirm_it(svc: Service) -> None:
    meeting = await congress(svc, 10, 10)
    rnd = await open_round(svc, meeting.meeting_id)
    await tally(svc, rnd.round_id, 10, 10, 0, [line("c-wang", 7)], confirm=False)
    # the same person holding a supervisor's token as well
    same = common_pb2.Actor(role="supervisor", scope="district:xw", name=OFFICE.name)
    err = await refused(confirm_tally(svc, rnd.round_id, actor=same),
                        grpc.StatusCode.PERMISSION_DENIED)
    assert (trailer(err, "field"), trailer(err, "rule")) == ("actor", "M12")
    # nor does another role than the supervisor's
    err = await refused(confirm_tally(svc, rnd.round_id, actor=common_pb2.Actor(
        role="community_office", scope="community:xw-001", name="另一位工作人员")),
        grpc.StatusCode.PERMISSION_DENIED)
    assert trailer(err, "field") == "actor.role"
    assert (await svc.stub.GetRound(pb.GetRoundRequest(
        round_id=rnd.round_id))).tally_status == "entered"


async def test_a_rejected_tally_is_entered_again_and_confirmed_anew(svc: Service) -> None:
    meeting = await congress(svc, 10, 10)
    rnd = await open_round(svc, meeting.meeting_id)
    await tally(svc, rnd.round_id, 10, 10, 0, [line("c-wang", 7)], confirm=False)
    err = await refused(confirm_tally(svc, rnd.round_id, approve=False),
                        grpc.StatusCode.INVALID_ARGUMENT)
    assert trailer(err, "field") == "reason"
    rejected = await confirm_tally(svc, rnd.round_id, approve=False, reason="票数与计票单不符")
    assert (rejected.tally_status, rejected.tally_note) == ("rejected", "票数与计票单不符")
    err = await refused(close(svc, rnd.round_id), grpc.StatusCode.FAILED_PRECONDITION)
    assert "票数与计票单不符" in err.details() and trailer(err, "rule") == "M12"
    await refused(confirm_tally(svc, rnd.round_id), grpc.StatusCode.FAILED_PRECONDITION)
    # entered again: awaiting a confirmation of its own
    again = await tally(svc, rnd.round_id, 10, 10, 0, [line("c-wang", 4), line("c-zhao", 6)],
                        confirm=False)
    assert (again.tally_status, again.tally_note, again.tally_confirmed_by) == ("entered", "",
                                                                                "")
    await confirm_tally(svc, rnd.round_id)
    # a confirmed tally entered again needs a new confirmation too
    await tally(svc, rnd.round_id, 10, 10, 0, [line("c-wang", 3), line("c-zhao", 7)],
                confirm=False)
    await refused(close(svc, rnd.round_id), grpc.StatusCode.FAILED_PRECONDITION)
    await confirm_tally(svc, rnd.round_id)
    counted = await close(svc, rnd.round_id)
    assert list(counted.elected) == ["c-zhao"]
    records = [r for r in await audit(svc) if r.kind.startswith("tally.")]
    assert [r.kind for r in records] == ["tally.entered", "tally.rejected", "tally.entered",
                                         "tally.entered"]
    rejected = json.loads(records[1].payload_json)
    assert (rejected["by"], rejected["reason"], records[1].actor_role) == (
        SUPERVISOR.name, "票数与计票单不符", "supervisor")
    assert json.loads(records[2].payload_json)["replaces"] == "rejected"
    replaced = json.loads(records[3].payload_json)
    assert (replaced["replaces"], replaced["replaced_decision_by"]) == ("confirmed",
                                                                        SUPERVISOR.name)


async def test_for_marks_beyond_valid_times_seats_are_taken_as_the_scenarios_have_them(
        svc: Service) -> None:
    """The scenario contract (m6-more-passing-than-seats: 210 for-marks on 90 valid ballots
    for 2 seats) has such tallies; what the rules bound is each candidate's marks (M3, M4)."""
    meeting = await congress(svc, 100, 90)
    rnd = await open_round(svc, meeting.meeting_id, seats=2, candidates=CANDIDATES,
                           post="member")
    entered = await tally(svc, rnd.round_id, 90, 90, 0, [
        line("c-ding", 80), line("c-wang", 70), line("c-zhao", 60)])
    assert entered.valid == 90
    counted = await close(svc, rnd.round_id)
    assert sorted(counted.elected) == ["c-ding", "c-wang"]


async def test_unused_codes_are_counted_then_void_at_the_close(svc: Service) -> None:
    meeting = await congress(svc, 3, 3)
    rnd = await open_round(svc, meeting.meeting_id)
    issued = await svc.stub.IssueBallots(pb.IssueBallotsRequest(
        idempotency_key=key(), actor=OFFICE, round_id=rnd.round_id,
        person_ids=["m001", "m002", "m003"]))
    await open_casting(svc, rnd.round_id)
    first, *unused = list(issued.codes)
    await svc.stub.CastBallot(pb.CastBallotRequest(round_id=rnd.round_id, code=first, marks=[
        pb.Mark(person_id="c-wang", choice="for")]))
    report = await svc.stub.GetRound(pb.GetRoundRequest(round_id=rnd.round_id))
    assert (report.issued, report.codes_cast, report.codes_unused, report.codes_void) == (
        3, 1, 2, 0)
    counted = await close(svc, rnd.round_id)
    assert (counted.issued, counted.codes_cast, counted.codes_unused, counted.codes_void) == (
        3, 1, 0, 2)
    assert svc.count("SELECT count(*) FROM ballot_codes WHERE round_id = ?",
                     rnd.round_id) == 1  # the used one; the unused are gone
    err = await refused(svc.stub.CastBallot(pb.CastBallotRequest(
        round_id=rnd.round_id, code=unused[0], marks=[])), grpc.StatusCode.FAILED_PRECONDITION)
    assert "void" in err.details()
    err = await refused(svc.stub.SpoilBallot(pb.SpoilBallotRequest(
        idempotency_key=key(), actor=OFFICE, round_id=rnd.round_id, code=unused[1],
        reason="spoilt")), grpc.StatusCode.FAILED_PRECONDITION)
    assert trailer(err, "field") == "round_id"
    payload = json.loads([r for r in await audit(svc) if r.kind == "round.counted"][-1]
                         .payload_json)
    assert (payload["codes_cast"], payload["codes_void"]) == (1, 2)
    again = await svc.stub.GetRound(pb.GetRoundRequest(round_id=rnd.round_id))
    assert (again.codes_cast, again.codes_unused, again.codes_void) == (1, 0, 2)
