"""Official results on the voting service over a real gRPC channel: the office and the
supervisor each confirm a counted round; after both it is official and refuses every change;
its result report prints the draft mark before and not after."""

from __future__ import annotations

import grpc
import pytest

from documents import results
from documents.gather import _meeting, _round
from proto import common_pb2
from proto import voting_pb2 as pb
from tests.documents import pdfcheck
from tests.documents.conftest import election
from tests.services.voting.support import (
    OFFICE,
    STREET,
    Service,
    assert_audit_verifies,
    audit,
    close,
    congress,
    key,
    line,
    open_round,
    refused,
    tally,
)


@pytest.fixture
def voting(svc: Service) -> Service:
    """The voting service on its own database (this folder's ``svc``), named as its role."""
    return svc


SUPERVISOR = common_pb2.Actor(role="supervisor", scope="street:xw-mf", name="监督员")


async def confirm(svc: Service, round_id: str, actor: common_pb2.Actor) -> pb.Round:
    return await svc.stub.ConfirmResults(pb.RoundActionRequest(
        idempotency_key=key(), actor=actor, round_id=round_id))


async def test_office_and_supervisor_make_results_official_then_changes_are_refused(
        voting: Service) -> None:
    svc = voting
    meeting = await congress(svc, 10, 10)
    rnd = await open_round(svc, meeting.meeting_id)
    await refused(confirm(svc, rnd.round_id, OFFICE), grpc.StatusCode.FAILED_PRECONDITION)
    await tally(svc, rnd.round_id, 10, 10, 0, [line("c-wang", 7), line("c-zhao", 3)])
    counted = await close(svc, rnd.round_id)
    assert not counted.official and list(counted.confirmed_by) == []

    await refused(confirm(svc, rnd.round_id, STREET), grpc.StatusCode.PERMISSION_DENIED)
    once = await confirm(svc, rnd.round_id, OFFICE)
    assert list(once.confirmed_by) == ["community_office"] and not once.official
    records = len(await audit(svc))
    again = await confirm(svc, rnd.round_id, OFFICE)  # the same role twice changes nothing
    assert list(again.confirmed_by) == ["community_office"]
    assert len(await audit(svc)) == records
    final = await confirm(svc, rnd.round_id, SUPERVISOR)
    assert final.official and list(final.confirmed_by) == ["community_office", "supervisor"]

    err = await refused(tally(svc, rnd.round_id, 10, 10, 1, [line("c-wang", 9)]),
                        grpc.StatusCode.FAILED_PRECONDITION)
    assert "official" in (err.details() or "")
    await refused(close(svc, rnd.round_id), grpc.StatusCode.FAILED_PRECONDITION)
    await refused(svc.stub.IssueBallots(pb.IssueBallotsRequest(
        idempotency_key=key(), actor=OFFICE, round_id=rnd.round_id, person_ids=["m001"])),
        grpc.StatusCode.FAILED_PRECONDITION)
    stored = await svc.stub.GetRound(pb.GetRoundRequest(round_id=rnd.round_id))
    assert stored == final
    kinds = [r.kind for r in await audit(svc)]
    assert kinds.count("results.confirmed") == 2
    await assert_audit_verifies(svc)

    # the result report: a draft before both confirmed, without the mark after
    facts = election()
    m = _meeting(await svc.stub.GetMeeting(pb.GetMeetingRequest(meeting_id=meeting.meeting_id)))
    before = pdfcheck.compact(results.round_report_pdf(facts, m, _round(counted)))
    after = pdfcheck.compact(results.round_report_pdf(facts, m, _round(final)))
    assert "草稿（未正式）" in before
    assert "草稿" not in after and "当选：王建国" in after
