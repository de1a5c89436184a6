"""Attendance and quorum: check-in and its confirmation against the quorum (M1)."""

from __future__ import annotations

import json

import grpc

from proto import voting_pb2 as pb
from tests.services.voting.support import (
    ELECTION,
    Service,
    assert_audit_verifies,
    audit,
    congress,
    open_round,
    refused,
    trailer,
)


async def test_congress_quorum_m1_boundary(svc: Service) -> None:
    excluded = pb.Elector(person_id="x001", name="出国党员", expected=False, **{"class": "member"})
    guest = pb.Elector(person_id="g001", name="驻区党员", expected=False, **{"class": "other"})
    failed = await congress(svc, 100, 80, session=1, extra=[excluded, guest])
    assert failed.expected == 100  # E2: the excluded member is not expected, the guest never
    assert (failed.present_members, failed.status, failed.quorum_met, failed.quorum_rule) == (
        80, "quorum_failed", False, "M1")
    err = await refused(open_round(svc, failed.meeting_id), grpc.StatusCode.FAILED_PRECONDITION)
    assert trailer(err, "field") == "meeting_id" and trailer(err, "rule") == "M1"

    met = await congress(svc, 100, 81, session=2)
    assert (met.present_members, met.status, met.quorum_met, met.quorum_rule) == (
        81, "in_session", True, "M1")
    assert met.meeting_id != failed.meeting_id

    listed = await svc.stub.ListMeetings(pb.ListMeetingsRequest(election_id=ELECTION,
                                                                kind="congress"))
    assert [m.session for m in listed.meetings] == [1, 2]
    confirmed = [r for r in await audit(svc) if r.kind == "meeting.attendance_confirmed"]
    assert [json.loads(r.payload_json)["quorum_met"] for r in confirmed] == [False, True]
    await assert_audit_verifies(svc)
