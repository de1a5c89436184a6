"""Objections against a person on a notice, filed during its period (O1, O2)."""

from __future__ import annotations

import grpc

from proto import nomination_pb2 as pb
from tests.services.nomination.support import (
    ELECTION,
    OFFICE,
    ROSTER,
    STREET,
    SYSTEM,
    Service,
    approved_plan,
    create,
    expect_error,
    key,
    meta,
    register,
)


async def test_objection_on_every_post_dismissed(svc: Service) -> None:
    await create(svc, ROSTER)
    await approved_plan(svc)
    await svc.stub.OpenNominations(pb.WindowRequest(
        idempotency_key=key(), actor=SYSTEM, election_id=ELECTION))
    await register(svc, "p01", "secretary", "self")
    await register(svc, "p01", "member", "self")
    for kind in ("announcement", "registrants"):
        await svc.stub.PublishNotice(pb.PublishNoticeRequest(
            idempotency_key=key(), actor=SYSTEM, election_id=ELECTION, kind=kind))
    notices = await svc.stub.ListNotices(pb.ListNoticesRequest(limit=1))
    assert [n.kind for n in notices.notices] == ["registrants"]  # newest first
    assert notices.notices[0].days == 5  # O1: the profile's notice period by default
    first = await svc.stub.FileObjection(pb.FileObjectionRequest(
        idempotency_key=key(), actor=OFFICE, election_id=ELECTION, notice_kind="registrants",
        person_id="p01", reason="反映一"))
    second = await svc.stub.FileObjection(pb.FileObjectionRequest(
        idempotency_key=key(), actor=OFFICE, election_id=ELECTION, notice_kind="registrants",
        person_id="p01", post="member", reason="反映二"))
    regs = (await svc.stub.ListRegistrations(pb.ListRegistrationsRequest(
        election_id=ELECTION))).registrations
    assert [(r.post, r.held) for r in regs] == [("secretary", True), ("member", True)]
    await svc.stub.DecideObjection(pb.DecideObjectionRequest(
        idempotency_key=key(), actor=STREET, objection_id=first.objection_id, upheld=False,
        reason="不属实"))
    regs = (await svc.stub.ListRegistrations(pb.ListRegistrationsRequest(
        election_id=ELECTION))).registrations
    # the member post stays held by the second objection
    assert [(r.post, r.held, r.stage) for r in regs] == [
        ("secretary", False, "registered"), ("member", True, "registered")]
    await svc.stub.DecideObjection(pb.DecideObjectionRequest(
        idempotency_key=key(), actor=SYSTEM, objection_id=second.objection_id, upheld=False))
    regs = (await svc.stub.ListRegistrations(pb.ListRegistrationsRequest(
        election_id=ELECTION))).registrations
    assert not any(r.held for r in regs)


async def test_objections_end_with_the_notice_period(svc: Service) -> None:
    """O1/O2: once the workflow closes a notice, objections against it are refused (so what it
    reads next is all there is); a new notice of the kind (a rerun) takes objections again."""
    await create(svc, ROSTER)
    await approved_plan(svc)
    await svc.stub.OpenNominations(pb.WindowRequest(
        idempotency_key=key(), actor=SYSTEM, election_id=ELECTION))
    await register(svc, "p01", "secretary", "self")
    err = await expect_error(svc.stub.CloseNotice(pb.CloseNoticeRequest(
        idempotency_key=key(), actor=SYSTEM, election_id=ELECTION, kind="registrants")),
        grpc.StatusCode.FAILED_PRECONDITION)
    assert meta(err)["gongtui-rule"] == "O1" and meta(err)["gongtui-field"] == "kind"
    await svc.stub.PublishNotice(pb.PublishNoticeRequest(
        idempotency_key=key(), actor=SYSTEM, election_id=ELECTION, kind="registrants"))
    filed = await svc.stub.FileObjection(pb.FileObjectionRequest(
        idempotency_key=key(), actor=OFFICE, election_id=ELECTION, notice_kind="registrants",
        person_id="p01", reason="反映一"))
    close_key = key()
    closed = await svc.stub.CloseNotice(pb.CloseNoticeRequest(
        idempotency_key=close_key, actor=SYSTEM, election_id=ELECTION, kind="registrants"))
    assert closed.closed_at
    again = await svc.stub.CloseNotice(pb.CloseNoticeRequest(  # a retried activity
        idempotency_key=close_key, actor=SYSTEM, election_id=ELECTION, kind="registrants"))
    assert again == closed
    late = await expect_error(svc.stub.FileObjection(pb.FileObjectionRequest(
        idempotency_key=key(), actor=OFFICE, election_id=ELECTION, notice_kind="registrants",
        person_id="p01", reason="反映二")), grpc.StatusCode.FAILED_PRECONDITION)
    assert meta(late)["gongtui-rule"] == "O2" and meta(late)["gongtui-field"] == "notice_kind"
    assert "closed" in (late.details() or "")
    objections = await svc.stub.ListObjections(pb.ListObjectionsRequest(election_id=ELECTION))
    assert [o.objection_id for o in objections.objections] == [filed.objection_id]
    assert svc.count("SELECT count(*) FROM audit_records WHERE kind='objection.filed'") == 1
    # the objection filed in time is still decided after the close
    await svc.stub.DecideObjection(pb.DecideObjectionRequest(
        idempotency_key=key(), actor=STREET, objection_id=filed.objection_id, upheld=False,
        reason="不属实"))
    # a later notice of the same kind is open again
    await svc.stub.PublishNotice(pb.PublishNoticeRequest(
        idempotency_key=key(), actor=SYSTEM, election_id=ELECTION, kind="registrants"))
    await svc.stub.FileObjection(pb.FileObjectionRequest(
        idempotency_key=key(), actor=OFFICE, election_id=ELECTION, notice_kind="registrants",
        person_id="p01", reason="反映三"))
    notices = await svc.stub.ListNotices(pb.ListNoticesRequest(election_id=ELECTION))
    assert [bool(n.closed_at) for n in notices.notices] == [False, True]  # newest first
