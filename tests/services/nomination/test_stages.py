"""The candidate funnel end to end: an election from its roster and plan through the
window, co-signatures, reviews, inspections and notices to its candidates."""

from __future__ import annotations

import grpc

from proto import common_pb2
from proto import nomination_pb2 as pb
from tests.services.nomination.support import (
    ELECTION,
    GOOD_PLAN,
    OFFICE,
    ROSTER,
    STREET,
    SYSTEM,
    Service,
    cosign,
    create,
    expect_error,
    key,
    meta,
    register,
)


async def test_happy_path(svc: Service) -> None:
    stub = svc.stub
    created = await create(svc, ROSTER)
    election = await stub.GetElection(pb.GetElectionRequest(election_id=ELECTION))
    assert election.window_status == "not_open" and election.profile == "nanjing"
    assert election == created
    assert len((await stub.ListRoster(pb.ListRosterRequest(election_id=ELECTION))).people) == 22

    # step 1: the plan
    plan = await stub.SubmitPlan(pb.SubmitPlanRequest(
        idempotency_key=key(), actor=OFFICE, election_id=ELECTION, posts=GOOD_PLAN))
    assert plan.status == "draft" and plan.full_members == 12
    err = await expect_error(stub.DecidePlan(pb.DecidePlanRequest(
        idempotency_key=key(), actor=OFFICE, election_id=ELECTION, approve=True)),
        grpc.StatusCode.PERMISSION_DENIED)
    assert meta(err)["gongtui-field"] == "actor.role"
    await expect_error(stub.OpenNominations(pb.WindowRequest(
        idempotency_key=key(), actor=SYSTEM, election_id=ELECTION)),
        grpc.StatusCode.FAILED_PRECONDITION)
    plan = await stub.DecidePlan(pb.DecidePlanRequest(
        idempotency_key=key(), actor=STREET, election_id=ELECTION, approve=True))
    assert plan.status == "approved"
    assert (await stub.GetPlan(pb.GetPlanRequest(election_id=ELECTION))).status == "approved"

    # step 2: the window opens
    window = await stub.OpenNominations(pb.WindowRequest(
        idempotency_key=key(), actor=SYSTEM, election_id=ELECTION))
    assert window.status == "open"

    # step 3: three channels
    org = await register(svc, "p01", "secretary", "organization")
    own = await register(svc, "p02", "secretary", "self")
    probationary = await register(svc, "p13", "secretary", "self")
    joint_ok = await register(svc, "p03", "secretary", "joint")
    joint_few = await register(svc, "p04", "member", "joint")
    to_reject = await register(svc, "p05", "secretary", "self")
    assert org.stage == "registered" and org.review == "pending" and org.name == "王建国"
    assert org.registration_id.startswith("rg-")

    # p03: 5 full members and 5 residents co-sign (NM2 met)
    for pid in ["p06", "p07", "p08", "p09", "p10", "r01", "r02", "r03", "r04", "r05"]:
        sig = await cosign(svc, joint_ok.registration_id, pid)
        assert not sig.withdrawn
    # one co-signature per person per post
    err = await expect_error(cosign(svc, joint_ok.registration_id, "p03"),
                             grpc.StatusCode.INVALID_ARGUMENT)
    assert meta(err)["gongtui-rule"] == "NM2"
    err = await expect_error(cosign(svc, org.registration_id, "p11"),
                             grpc.StatusCode.FAILED_PRECONDITION)
    assert meta(err)["gongtui-rule"] == "NM2"
    # withdraw and sign again: still one co-signature
    withdrawn = await stub.WithdrawCosignature(pb.WithdrawCosignatureRequest(
        idempotency_key=key(), actor=OFFICE, registration_id=joint_ok.registration_id,
        cosigner_person_id="r05"))
    assert withdrawn.withdrawn
    assert not (await cosign(svc, joint_ok.registration_id, "r05")).withdrawn
    # p04 (member post): 10 co-signers but only 3 full members (NM2 not met)
    for pid in ["p06", "p07", "p08", "r01", "r02", "r03", "r04", "r05", "r06", "r07"]:
        await cosign(svc, joint_few.registration_id, pid)
    assert svc.count("SELECT count(*) FROM cosignatures") == 20

    # the automatic review waits for the window to close
    await expect_error(stub.RunAutomaticReview(pb.AutomaticReviewRequest(
        idempotency_key=key(), actor=SYSTEM, election_id=ELECTION)),
        grpc.StatusCode.FAILED_PRECONDITION)
    window = await stub.CloseNominations(pb.WindowRequest(
        idempotency_key=key(), actor=SYSTEM, election_id=ELECTION))
    assert window.status == "closed"
    err = await expect_error(cosign(svc, joint_ok.registration_id, "p12"),
                             grpc.StatusCode.FAILED_PRECONDITION)
    assert meta(err)["gongtui-rule"] == "NM3"

    reviewed = await stub.RunAutomaticReview(pb.AutomaticReviewRequest(
        idempotency_key=key(), actor=SYSTEM, election_id=ELECTION))
    by_id = {r.registration_id: r for r in reviewed.registrations}
    assert len(by_id) == 6
    rejected_e1 = by_id[probationary.registration_id]
    assert (rejected_e1.stage, rejected_e1.review, rejected_e1.rejected_rule) == (
        "rejected", "rejected", "E1")
    rejected_nm2 = by_id[joint_few.registration_id]
    assert (rejected_nm2.stage, rejected_nm2.rejected_rule) == ("rejected", "NM2")
    assert (rejected_nm2.cosigners, rejected_nm2.member_cosigners) == (10, 3)
    passed = by_id[joint_ok.registration_id]
    assert (passed.stage, passed.review, passed.rejected_rule) == ("registered", "pending", "")
    assert (passed.cosigners, passed.member_cosigners) == (10, 5)
    # order: post order, then registration order
    assert [r.person_id for r in reviewed.registrations] == [
        "p01", "p02", "p13", "p03", "p05", "p04"]
    # a second run touches nothing
    again = await stub.RunAutomaticReview(pb.AutomaticReviewRequest(
        idempotency_key=key(), actor=SYSTEM, election_id=ELECTION))
    assert list(again.registrations) == list(reviewed.registrations)

    # the street committee decides (NM4)
    for reg in (org, own, joint_ok):
        decided = await stub.DecideReview(pb.DecideReviewRequest(
            idempotency_key=key(), actor=STREET, registration_id=reg.registration_id,
            approve=True, reason="符合条件"))
        assert (decided.stage, decided.review) == ("qualified", "approved")
    err = await expect_error(stub.DecideReview(pb.DecideReviewRequest(
        idempotency_key=key(), actor=STREET, registration_id=to_reject.registration_id,
        approve=False)), grpc.StatusCode.INVALID_ARGUMENT)
    assert meta(err)["gongtui-field"] == "reason"
    decided = await stub.DecideReview(pb.DecideReviewRequest(
        idempotency_key=key(), actor=STREET, registration_id=to_reject.registration_id,
        approve=False, reason="群众反映问题属实"))
    assert (decided.stage, decided.rejected_rule) == ("rejected", "NM4")
    await expect_error(stub.DecideReview(pb.DecideReviewRequest(
        idempotency_key=key(), actor=STREET, registration_id=rejected_e1.registration_id,
        approve=True, reason="x")), grpc.StatusCode.FAILED_PRECONDITION)

    # step 4 outcome: p03 then p01 shortlisted, p02 dropped
    advanced = await stub.AdvanceStage(pb.AdvanceStageRequest(
        idempotency_key=key(), actor=SYSTEM, election_id=ELECTION, post="secretary",
        stage="shortlisted", person_ids=["p03", "p01"], rules=["M9"], from_stage="qualified"))
    secretary = [(r.person_id, r.stage, r.rank) for r in advanced.registrations]
    assert secretary[:2] == [("p03", "shortlisted", 1), ("p01", "shortlisted", 2)]
    assert ("p02", "dropped", 0) in secretary
    assert svc.count("SELECT count(*) FROM registrations WHERE person_id='p02' AND "
                     "dropped_at='shortlisted'") == 1
    err = await expect_error(stub.AdvanceStage(pb.AdvanceStageRequest(
        idempotency_key=key(), actor=SYSTEM, election_id=ELECTION, post="secretary",
        stage="inspected", person_ids=["p02"], from_stage="shortlisted")),
        grpc.StatusCode.FAILED_PRECONDITION)
    assert meta(err)["gongtui-field"] == "person_ids[0]"
    listed = await stub.ListRegistrations(pb.ListRegistrationsRequest(
        election_id=ELECTION, post="secretary", stage="shortlisted"))
    assert [r.name for r in listed.registrations] == ["张伟", "王建国"]

    # step 5: inspection
    inspection = await stub.RecordInspection(pb.RecordInspectionRequest(
        idempotency_key=key(), actor=STREET, election_id=ELECTION, post="secretary",
        person_id="p01", passed=True, report="考察合格"))
    assert inspection.passed
    same = await stub.RecordInspection(pb.RecordInspectionRequest(
        idempotency_key=key(), actor=STREET, election_id=ELECTION, post="secretary",
        person_id="p01", passed=True, report="考察合格"))
    assert same == inspection
    await expect_error(stub.RecordInspection(pb.RecordInspectionRequest(
        idempotency_key=key(), actor=STREET, election_id=ELECTION, post="secretary",
        person_id="p01", passed=False, report="不合格")), grpc.StatusCode.FAILED_PRECONDITION)
    await expect_error(stub.RecordInspection(pb.RecordInspectionRequest(
        idempotency_key=key(), actor=STREET, election_id=ELECTION, post="secretary",
        person_id="p02", passed=True)), grpc.StatusCode.FAILED_PRECONDITION)
    inspections = await stub.ListInspections(pb.ListInspectionsRequest(election_id=ELECTION))
    assert [i.person_id for i in inspections.inspections] == ["p01"]

    # notices and objections (O1, O2)
    err = await expect_error(stub.FileObjection(pb.FileObjectionRequest(
        idempotency_key=key(), actor=OFFICE, election_id=ELECTION, notice_kind="shortlist",
        person_id="p03", reason="x")), grpc.StatusCode.FAILED_PRECONDITION)
    assert meta(err)["gongtui-rule"] == "O2"
    notice = await stub.PublishNotice(pb.PublishNoticeRequest(
        idempotency_key=key(), actor=SYSTEM, election_id=ELECTION, kind="shortlist",
        title="初步人选公示", names=["张伟", "王建国"], days=5))
    assert notice.notice_id.startswith("nt-") and notice.community_name == "梅园社区"
    assert notice.published_at
    await expect_error(stub.FileObjection(pb.FileObjectionRequest(
        idempotency_key=key(), actor=OFFICE, election_id=ELECTION, notice_kind="shortlist",
        person_id="p12", reason="x")), grpc.StatusCode.NOT_FOUND)
    objection = await stub.FileObjection(pb.FileObjectionRequest(
        idempotency_key=key(), actor=OFFICE, election_id=ELECTION, notice_kind="shortlist",
        person_id="p03", post="secretary", reason="反映其存在违规问题"))
    assert objection.status == "pending"
    held = await stub.ListRegistrations(pb.ListRegistrationsRequest(
        election_id=ELECTION, post="secretary", stage="shortlisted"))
    assert [(r.person_id, r.held) for r in held.registrations] == [("p03", True), ("p01", False)]
    await expect_error(stub.DecideObjection(pb.DecideObjectionRequest(
        idempotency_key=key(), actor=OFFICE, objection_id=objection.objection_id, upheld=True)),
        grpc.StatusCode.PERMISSION_DENIED)
    decided_objection = await stub.DecideObjection(pb.DecideObjectionRequest(
        idempotency_key=key(), actor=STREET, objection_id=objection.objection_id, upheld=True,
        reason="经核实，反映问题属实"))
    assert decided_objection.status == "upheld"
    after = {r.person_id: r for r in (await stub.ListRegistrations(pb.ListRegistrationsRequest(
        election_id=ELECTION, post="secretary"))).registrations}
    assert (after["p03"].stage, after["p03"].rejected_rule, after["p03"].held) == (
        "rejected", "O2", False)
    await expect_error(stub.DecideObjection(pb.DecideObjectionRequest(
        idempotency_key=key(), actor=STREET, objection_id=objection.objection_id, upheld=False)),
        grpc.StatusCode.FAILED_PRECONDITION)
    objections = await stub.ListObjections(pb.ListObjectionsRequest(election_id=ELECTION))
    assert [o.status for o in objections.objections] == ["upheld"]
    notices = await stub.ListNotices(pb.ListNoticesRequest(election_id=ELECTION))
    assert [n.notice_id for n in notices.notices] == [notice.notice_id]

    # every fact is in the audit chain, and the chain verifies
    kinds = [r.kind for r in (await stub.ListAudit(common_pb2.AuditRequest(
        election_id=ELECTION))).records]
    for kind in ("election.created", "roster.imported", "plan.submitted", "plan.approved",
                 "nominations.opened", "registration.received", "cosignature.added",
                 "cosignature.withdrawn", "nominations.closed", "review.auto_rejected",
                 "review.auto_passed", "review.approved", "review.rejected", "stage.advanced",
                 "inspection.recorded", "notice.published", "objection.filed",
                 "objection.upheld"):
        assert kind in kinds, kind
    report = await stub.VerifyAudit(common_pb2.AuditRequest(election_id=ELECTION))
    assert report.verified and report.records == len(kinds)
    # wake-ups were queued for the workflow (no Temporal here: they stay in the outbox)
    assert svc.count("SELECT count(*) FROM signal_outbox WHERE workflow_id=?",
                     f"community-{ELECTION}") > 0
    assert svc.count("SELECT count(*) FROM signal_outbox WHERE reason LIKE 'cosign%'") == 0
