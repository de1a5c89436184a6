"""A meeting's details (who presided and took the minutes, place, time) on the voting service
over a real gRPC channel: recorded with validation, the latest stands, a retry changes nothing,
each change in the audit chain; refused once a round of the meeting is official; the minutes
print them."""

from __future__ import annotations

import grpc

from documents import minutes
from documents.gather import _meeting
from documents.pdf import Doc
from proto import common_pb2
from proto import voting_pb2 as pb
from tests.documents import pdfcheck
from tests.documents.conftest import election
from tests.services.voting.support import (
    OFFICE,
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
    trailer,
)

SUPERVISOR = common_pb2.Actor(role="supervisor", scope="street:xw-mf", name="监督员")


async def details(svc: Service, meeting_id: str, idem: str = "", **fields: str) -> pb.Meeting:
    return await svc.stub.SetMeetingDetails(pb.SetMeetingDetailsRequest(
        idempotency_key=idem or key(), actor=OFFICE, meeting_id=meeting_id,
        details=pb.MeetingDetails(**fields)))


async def test_details_are_recorded_validated_and_printed(svc: Service) -> None:
    meeting = await congress(svc, 10, 10)
    assert meeting.details == pb.MeetingDetails()
    first = await details(svc, meeting.meeting_id, presided_by="李明", recorded_by="王芳",
                          place="梅园新村社区党群服务中心", held_at="2026-03-08T09:00")
    assert first.details.place == "梅园新村社区党群服务中心"
    stored = await svc.stub.GetMeeting(pb.GetMeetingRequest(meeting_id=meeting.meeting_id))
    assert stored.details == first.details
    kinds = [r.kind for r in await audit(svc)]
    assert kinds.count("meeting.details") == 1

    # the latest stands; a retry under the same key answers the same and records nothing
    idem = key()
    second = await details(svc, meeting.meeting_id, idem, presided_by="张华", recorded_by="王芳",
                           place="社区礼堂", held_at="2026-03-08T14:30:00")
    assert second.details.held_at == "2026-03-08T14:30"
    again = await details(svc, meeting.meeting_id, idem, presided_by="张华", recorded_by="王芳",
                          place="社区礼堂", held_at="2026-03-08T14:30:00")
    assert again == second
    assert [r.kind for r in await audit(svc)].count("meeting.details") == 2

    for fields, field in ((dict(held_at="3月8日上午"), "details.held_at"),
                          (dict(held_at="2026-03-08T09:00+08:00"), "details.held_at"),
                          (dict(presided_by="李" * 41), "details.presided_by"),
                          (dict(place="礼堂\n二楼"), "details.place")):
        err = await refused(details(svc, meeting.meeting_id, **fields),
                            grpc.StatusCode.INVALID_ARGUMENT)
        assert trailer(err, "field") == field
    await refused(details(svc, "mt-none", place="x"), grpc.StatusCode.NOT_FOUND)
    kept = await svc.stub.GetMeeting(pb.GetMeetingRequest(meeting_id=meeting.meeting_id))
    assert kept.details == second.details  # nothing half-written by the refusals

    # the minutes print them
    facts = election()
    m = _meeting(kept)
    doc = Doc("minutes", facts.date, facts)
    minutes.draw(doc, facts, m)
    text = pdfcheck.compact(doc.output_bytes())
    assert "张华" in text and "社区礼堂" in text and "2026年3月8日14:30" in text

    # once a round is official the minutes are fixed
    rnd = await open_round(svc, meeting.meeting_id)
    await tally(svc, rnd.round_id, 10, 10, 0, [line("c-wang", 7), line("c-zhao", 3)])
    await close(svc, rnd.round_id)
    for actor in (OFFICE, SUPERVISOR):
        await svc.stub.ConfirmResults(pb.RoundActionRequest(
            idempotency_key=key(), actor=actor, round_id=rnd.round_id))
    err = await refused(details(svc, meeting.meeting_id, place="别处"),
                        grpc.StatusCode.FAILED_PRECONDITION)
    assert trailer(err, "field") == "meeting_id"
    await assert_audit_verifies(svc)
