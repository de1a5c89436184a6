"""The election plan (P1–P5) and its audit record."""

from __future__ import annotations

import json

import grpc

from proto import common_pb2
from proto import nomination_pb2 as pb
from services.common.errors import describe_refusal
from tests.services.nomination.support import (
    ELECTION,
    OFFICE,
    ROSTER,
    SYSTEM,
    Service,
    approved_plan,
    create,
    expect_error,
    key,
    meta,
    plain,
)


async def test_plan_breaking_p2(svc: Service) -> None:
    await create(svc, ROSTER)
    posts = [pb.PostPlan(post="secretary", seats=1, shortlist=4, inspected=3, candidates=2),
             pb.PostPlan(post="member", seats=3, shortlist=6, inspected=5, candidates=3)]
    err = await expect_error(svc.stub.SubmitPlan(pb.SubmitPlanRequest(
        idempotency_key=key(), actor=OFFICE, election_id=ELECTION, posts=posts)),
        grpc.StatusCode.INVALID_ARGUMENT)
    assert meta(err) == {"gongtui-rule": "P2", "gongtui-field": "posts.member.candidates"}
    assert plain(err)
    # as a person reads it: joined once, on the receiving side
    assert describe_refusal(err) == f"[P2] posts.member.candidates: {err.details()}"
    assert "P3" in err.details()  # every violation is listed
    assert svc.count("SELECT count(*) FROM plans") == 0
    await expect_error(svc.stub.GetPlan(pb.GetPlanRequest(election_id=ELECTION)),
                       grpc.StatusCode.NOT_FOUND)
    # an unknown profile override is refused when the election is created
    err = await expect_error(svc.stub.CreateElection(pb.CreateElectionRequest(
        idempotency_key=key(), actor=SYSTEM, election=pb.Election(
            election_id="other", community_id="c", org_type="branch",
            overrides_json=json.dumps({"no_such_parameter": 1})))),
        grpc.StatusCode.INVALID_ARGUMENT)
    assert meta(err)["gongtui-rule"] == "PROFILE"


async def test_audit_tampering_is_detected(svc: Service) -> None:
    await create(svc, ROSTER)
    await approved_plan(svc)
    report = await svc.stub.VerifyAudit(common_pb2.AuditRequest(election_id=ELECTION))
    assert report.verified and report.records == 4 and report.head.startswith("sha256:")
    payload = svc.db.rows("SELECT payload_json FROM audit_records WHERE election_id=? AND "
                          "seq=3", ELECTION)[0][0]
    svc.db.execute("UPDATE audit_records SET payload_json=? WHERE election_id=? AND seq=3",
                   payload.replace('"full_members":12', '"full_members":13'), ELECTION)
    report = await svc.stub.VerifyAudit(common_pb2.AuditRequest(election_id=ELECTION))
    assert not report.verified
    assert report.first_broken_seq == 3
    assert report.problem
