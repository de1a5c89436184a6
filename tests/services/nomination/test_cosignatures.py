"""Co-signatures and reviews in batches (CosignMany, DecideReviews): all or nothing."""

from __future__ import annotations

from typing import Any

import grpc

from proto import common_pb2
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


async def test_batches_are_all_or_nothing(svc: Service) -> None:
    """CosignMany and DecideReviews: each item as its single call would record it, one key for
    the batch, and the first refusal (naming the item's field and rule) writes nothing."""
    stub = svc.stub
    await create(svc, ROSTER)
    await approved_plan(svc)
    await stub.OpenNominations(pb.WindowRequest(
        idempotency_key=key(), actor=SYSTEM, election_id=ELECTION))
    def entry(pid: str, post: str, channel: str) -> pb.RegistrationEntry:
        return pb.RegistrationEntry(person_id=pid, post=post, channel=channel)

    wanted = [entry("p01", "secretary", "organization"), entry("p03", "secretary", "joint"),
              entry("p04", "secretary", "joint")]
    for entries, code, field, rule in [
        ([wanted[0], entry("p01", "secretary", "self")], grpc.StatusCode.FAILED_PRECONDITION,
         "registrations[1].post", "NM3"),
        ([wanted[0], entry("nobody", "member", "self")], grpc.StatusCode.NOT_FOUND,
         "registrations[1].person_id", ""),
        ([wanted[0], entry("p02", "member", "mail")], grpc.StatusCode.INVALID_ARGUMENT,
         "registrations[1].channel", "NM1"),
        ([], grpc.StatusCode.INVALID_ARGUMENT, "registrations", "NM1"),
    ]:
        err = await expect_error(stub.RegisterMany(pb.RegisterManyRequest(
            idempotency_key=key(), actor=OFFICE, election_id=ELECTION, registrations=entries)),
            code)
        assert (meta(err)["gongtui-field"], meta(err)["gongtui-rule"]) == (field, rule)
    assert svc.count("SELECT count(*) FROM registrations") == 0
    many = pb.RegisterManyRequest(idempotency_key="register-all", actor=OFFICE,
                                  election_id=ELECTION, registrations=wanted)
    org, joint, rival = (await stub.RegisterMany(many)).registrations
    assert await stub.RegisterMany(many) == pb.ListRegistrationsResponse(  # a replay
        registrations=[org, joint, rival])
    assert [(r.person_id, r.name, r.stage, r.channel) for r in (org, joint, rival)] == [
        ("p01", "王建国", "registered", "organization"), ("p03", "张伟", "registered", "joint"),
        ("p04", "刘洋", "registered", "joint")]
    err = await expect_error(register(svc, "p03", "secretary", "self"),
                             grpc.StatusCode.FAILED_PRECONDITION)
    assert (meta(err)["gongtui-field"], meta(err)["gongtui-rule"]) == ("post", "NM3")
    assert svc.count("SELECT count(*) FROM registrations WHERE seq IN (1, 2, 3)") == 3
    member = common_pb2.Actor(role="member", scope="community:xw-001")

    def cosign_many(registration_id: str, ids: list[str], k: str = "") -> Any:
        return stub.CosignMany(pb.CosignManyRequest(
            idempotency_key=k or key(), actor=member, registration_id=registration_id,
            cosigner_person_ids=ids))

    audit = svc.count("SELECT count(*) FROM audit_records")
    for ids, code, field, rule in [
        (["p06", "p07", "p03"], grpc.StatusCode.INVALID_ARGUMENT, "cosigner_person_ids[2]", "NM2"),
        (["p06", "p06"], grpc.StatusCode.INVALID_ARGUMENT, "cosigner_person_ids[1]", "NM2"),
        (["p06", "nobody"], grpc.StatusCode.NOT_FOUND, "cosigner_person_ids[1]", ""),
        (["p06", ""], grpc.StatusCode.INVALID_ARGUMENT, "cosigner_person_ids[1]", ""),
        ([], grpc.StatusCode.INVALID_ARGUMENT, "cosigner_person_ids", "NM2"),
    ]:
        err = await expect_error(cosign_many(joint.registration_id, ids), code)
        assert meta(err)["gongtui-field"] == field, ids
        assert meta(err)["gongtui-rule"] == rule, ids
    err = await expect_error(cosign_many(org.registration_id, ["p06"]),
                             grpc.StatusCode.FAILED_PRECONDITION)
    assert meta(err)["gongtui-rule"] == "NM2"
    assert svc.count("SELECT count(*) FROM cosignatures") == 0
    assert svc.count("SELECT count(*) FROM audit_records") == audit

    signers = ["p06", "p07", "p08", "p09", "p10", "r01", "r02", "r03", "r04", "r05"]
    done = await cosign_many(joint.registration_id, signers, "cosign-joint")
    assert [c.cosigner_person_id for c in done.cosignatures] == signers
    assert not any(c.withdrawn for c in done.cosignatures)
    assert await cosign_many(joint.registration_id, signers, "cosign-joint") == done  # replay
    await expect_error(cosign_many(joint.registration_id, signers[:3], "cosign-joint"),
                       grpc.StatusCode.ALREADY_EXISTS)
    assert svc.count("SELECT count(*) FROM cosignatures") == 10
    assert svc.count("SELECT count(*) FROM audit_records WHERE kind='cosignature.added'"
                     " AND actor_role='member'") == 10
    # a co-signer of the rival nomination for the same post: NM2, and nothing of the batch
    err = await expect_error(cosign_many(rival.registration_id, ["p11", "p06"]),
                             grpc.StatusCode.FAILED_PRECONDITION)
    assert (meta(err)["gongtui-field"], meta(err)["gongtui-rule"]) == (
        "cosigner_person_ids[1]", "NM2")
    assert svc.count("SELECT count(*) FROM cosignatures") == 10
    # signing again (one withdrawn meanwhile) renews, like Cosign does
    await stub.WithdrawCosignature(pb.WithdrawCosignatureRequest(
        idempotency_key=key(), actor=OFFICE, registration_id=joint.registration_id,
        cosigner_person_id="r05"))
    again = await cosign_many(joint.registration_id, ["r05", "p06"])
    assert [c.withdrawn for c in again.cosignatures] == [False, False]
    assert svc.count("SELECT count(*) FROM cosignatures WHERE NOT withdrawn") == 10

    await stub.CloseNominations(pb.WindowRequest(
        idempotency_key=key(), actor=SYSTEM, election_id=ELECTION))
    err = await expect_error(cosign_many(joint.registration_id, ["p12"]),
                             grpc.StatusCode.FAILED_PRECONDITION)
    assert meta(err)["gongtui-rule"] == "NM3"
    reviewed = await stub.RunAutomaticReview(pb.AutomaticReviewRequest(
        idempotency_key=key(), actor=SYSTEM, election_id=ELECTION))
    by_id = {r.registration_id: r for r in reviewed.registrations}
    assert (by_id[joint.registration_id].cosigners,
            by_id[joint.registration_id].member_cosigners) == (10, 5)
    assert by_id[rival.registration_id].stage == "rejected"  # no co-signers: NM2

    def decision(reg: pb.Registration, approve: bool, reason: str) -> pb.ReviewDecision:
        return pb.ReviewDecision(registration_id=reg.registration_id, approve=approve,
                                 reason=reason)

    wakes = svc.count("SELECT count(*) FROM signal_outbox")
    for decisions, code, field in [
        ([decision(joint, True, "ok"), decision(org, False, " ")],
         grpc.StatusCode.INVALID_ARGUMENT, "decisions[1].reason"),
        ([decision(joint, True, "ok"), decision(rival, True, "ok")],
         grpc.StatusCode.FAILED_PRECONDITION, "decisions[1].registration_id"),
        ([decision(joint, True, "ok"), decision(joint, False, "no")],
         grpc.StatusCode.INVALID_ARGUMENT, "decisions[1].registration_id"),
        ([decision(org, True, "ok"), pb.ReviewDecision(registration_id="rg-none", approve=True)],
         grpc.StatusCode.NOT_FOUND, "decisions[1].registration_id"),
    ]:
        err = await expect_error(stub.DecideReviews(pb.DecideReviewsRequest(
            idempotency_key=key(), actor=STREET, decisions=decisions)), code)
        assert meta(err)["gongtui-field"] == field
    await expect_error(stub.DecideReviews(pb.DecideReviewsRequest(
        idempotency_key=key(), actor=OFFICE, decisions=[decision(org, True, "ok")])),
        grpc.StatusCode.PERMISSION_DENIED)
    still = await stub.ListRegistrations(pb.ListRegistrationsRequest(
        election_id=ELECTION, stage="registered"))
    assert {r.registration_id for r in still.registrations} == {
        org.registration_id, joint.registration_id}
    decided = await stub.DecideReviews(pb.DecideReviewsRequest(
        idempotency_key=key(), actor=STREET,
        decisions=[decision(joint, True, "符合条件"), decision(org, False, "群众反映问题属实")]))
    assert [(r.registration_id, r.stage, r.review, r.rejected_rule, r.name)
            for r in decided.registrations] == [
        (joint.registration_id, "qualified", "approved", "", "张伟"),
        (org.registration_id, "rejected", "rejected", "NM4", "王建国")]
    assert svc.count("SELECT count(*) FROM signal_outbox") == wakes + 1  # one wake-up
    report = await stub.VerifyAudit(common_pb2.AuditRequest(election_id=ELECTION))
    assert report.verified, report.problem
