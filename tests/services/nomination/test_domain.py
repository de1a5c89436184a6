"""The nomination service over a real grpc.aio channel, on its own database (a SQLite file,
or PostgreSQL in the suite's PostgreSQL pass)."""

from __future__ import annotations

import asyncio
import json
import socket
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import pytest

from core.config import Settings
from proto import common_pb2, nomination_pb2_grpc
from proto import nomination_pb2 as pb
from services.common.errors import describe_refusal
from services.nomination import server
from tests.conftest import service_probe
from tests.support.postgres import SqlProbe

SYSTEM = common_pb2.Actor(role="system", scope="district:test")
STREET = common_pb2.Actor(role="street_committee", scope="street:xw-mf", name="街道党工委")
OFFICE = common_pb2.Actor(role="community_office", scope="community:xw-001")
ELECTION = "xw-001-2026"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def key() -> str:
    return uuid.uuid4().hex


@dataclass
class Service:
    stub: nomination_pb2_grpc.NominationStub
    db: SqlProbe  # the service's tables, on SQLite or PostgreSQL

    def count(self, sql: str, *args: object) -> int:
        return self.db.count(sql, *args)


@pytest.fixture
async def svc(tmp_path: Path, service_database_url: str) -> AsyncIterator[Service]:
    address = f"127.0.0.1:{free_port()}"
    settings = Settings(data_dir=tmp_path, nomination_address=address, temporal_address="",
                        database_url=service_database_url)
    ready, stop = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(server.main(settings, ready, stop))
    done, _ = await asyncio.wait({task, asyncio.ensure_future(ready.wait())}, timeout=30,
                                 return_when=asyncio.FIRST_COMPLETED)
    if task in done:
        task.result()  # raises the start-up error
    assert ready.is_set()
    async with grpc.aio.insecure_channel(address) as channel:
        yield Service(nomination_pb2_grpc.NominationStub(channel),
                      service_probe(settings, "nomination"))
    stop.set()
    await asyncio.wait_for(task, timeout=30)


def person(pid: str, name: str, status: str = "full", **kw: Any) -> pb.Person:
    return pb.Person(person_id=pid, name=name, status=status, resides_in_community=True, **kw)


# 12 full members, one probationary, one guest member, 8 residents
ROSTER = [
    person(f"p{i:02d}", n) for i, n in enumerate(
        ["王建国", "李秀英", "张伟", "刘洋", "陈静", "杨帆", "赵磊", "黄敏", "周杰", "吴芳", "徐涛", "孙丽"],
        start=1)
] + [
    person("p13", "马超", "probationary"),
    person("p14", "朱红", "guest_member"),
] + [person(f"r{i:02d}", f"居民{i}", "resident") for i in range(1, 9)]

GOOD_PLAN = [
    pb.PostPlan(post="secretary", seats=1, shortlist=4, inspected=3, candidates=2),
    pb.PostPlan(post="deputy_secretary", seats=1, shortlist=4, inspected=3, candidates=2),
    pb.PostPlan(post="member", seats=3, shortlist=6, inspected=5, candidates=4),
]


async def expect_error(call, code: grpc.StatusCode) -> grpc.aio.AioRpcError:  # type: ignore[no-untyped-def]
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await call
    assert info.value.code() == code, info.value.details()
    return info.value


def meta(err: grpc.aio.AioRpcError) -> dict[str, str]:
    return {k: v for k, v in (err.trailing_metadata() or ())}


def plain(err: grpc.aio.AioRpcError) -> bool:
    """The message is the refusal's own text: the rule and field travel only in the metadata."""
    rule, field = meta(err).get("gongtui-rule", ""), meta(err).get("gongtui-field", "")
    details = err.details() or ""
    return bool(details) and not details.startswith(f"[{rule}]") \
        and not details.startswith(f"{field}:")


async def create(svc: Service, roster: list[pb.Person] | None = None) -> pb.Election:
    election = pb.Election(election_id=ELECTION, community_id="xw-001", community_name="梅园社区",
                           org_type="branch", street_id="xw-mf", district_id="xw",
                           workflow_id=f"community-{ELECTION}")
    created = await svc.stub.CreateElection(pb.CreateElectionRequest(
        idempotency_key=key(), actor=SYSTEM, election=election))
    if roster:
        await svc.stub.ImportRoster(pb.ImportRosterRequest(
            idempotency_key=key(), actor=OFFICE, election_id=ELECTION, people=roster))
    return created


async def approved_plan(svc: Service) -> None:
    await svc.stub.SubmitPlan(pb.SubmitPlanRequest(
        idempotency_key=key(), actor=OFFICE, election_id=ELECTION, posts=GOOD_PLAN))
    await svc.stub.DecidePlan(pb.DecidePlanRequest(
        idempotency_key=key(), actor=STREET, election_id=ELECTION, approve=True))


async def register(svc: Service, pid: str, post: str, channel: str) -> pb.Registration:
    return await svc.stub.Register(pb.RegisterRequest(
        idempotency_key=key(), actor=OFFICE, election_id=ELECTION, person_id=pid, post=post,
        channel=channel))


async def cosign(svc: Service, registration_id: str, pid: str) -> pb.Cosignature:
    return await svc.stub.Cosign(pb.CosignRequest(
        idempotency_key=key(), actor=OFFICE, registration_id=registration_id,
        cosigner_person_id=pid))


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


async def test_one_idempotency_key_one_row(svc: Service) -> None:
    await create(svc, ROSTER)
    await approved_plan(svc)
    await svc.stub.OpenNominations(pb.WindowRequest(
        idempotency_key=key(), actor=SYSTEM, election_id=ELECTION))
    request = pb.RegisterRequest(idempotency_key="reg-p01-secretary", actor=OFFICE,
                                 election_id=ELECTION, person_id="p01", post="secretary",
                                 channel="self")
    first = await svc.stub.Register(request)
    audit_before = svc.count("SELECT count(*) FROM audit_records")
    second = await svc.stub.Register(request)
    assert first == second
    assert svc.count("SELECT count(*) FROM registrations") == 1
    assert svc.count("SELECT count(*) FROM audit_records") == audit_before
    # the key reused for a different request is refused
    other = pb.RegisterRequest(idempotency_key="reg-p01-secretary", actor=OFFICE,
                               election_id=ELECTION, person_id="p02", post="secretary",
                               channel="self")
    await expect_error(svc.stub.Register(other), grpc.StatusCode.ALREADY_EXISTS)
    # a new key for the same person and post: NM3 (one per person per post)
    err = await expect_error(register(svc, "p01", "secretary", "organization"),
                             grpc.StatusCode.FAILED_PRECONDITION)
    assert meta(err)["gongtui-rule"] == "NM3"
    assert svc.count("SELECT count(*) FROM registrations") == 1
    # the roster import replayed: one row per person
    people = pb.ImportRosterRequest(idempotency_key="roster-2", actor=OFFICE,
                                    election_id=ELECTION, people=[person("p99", "新党员")])
    assert (await svc.stub.ImportRoster(people)).imported == 1
    assert (await svc.stub.ImportRoster(people)).imported == 1
    assert svc.count("SELECT count(*) FROM roster WHERE person_id='p99'") == 1
    # creating the same election again is fine; different content is not
    same = pb.Election(election_id=ELECTION, community_id="xw-001", community_name="梅园社区",
                       org_type="branch", street_id="xw-mf", district_id="xw",
                       workflow_id=f"community-{ELECTION}")
    again = await svc.stub.CreateElection(pb.CreateElectionRequest(
        idempotency_key=key(), actor=SYSTEM, election=same))
    assert again.window_status == "open"
    same.org_type = "committee"
    await expect_error(svc.stub.CreateElection(pb.CreateElectionRequest(
        idempotency_key=key(), actor=SYSTEM, election=same)), grpc.StatusCode.ALREADY_EXISTS)
    assert svc.count("SELECT count(*) FROM elections") == 1


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


async def test_registration_outside_the_window(svc: Service) -> None:
    await create(svc, ROSTER)
    await approved_plan(svc)
    err = await expect_error(register(svc, "p01", "secretary", "self"),
                             grpc.StatusCode.FAILED_PRECONDITION)
    assert meta(err)["gongtui-rule"] == "NM3" and plain(err)
    for method in (svc.stub.OpenNominations, svc.stub.CloseNominations):
        await method(pb.WindowRequest(idempotency_key=key(), actor=SYSTEM, election_id=ELECTION))
    err = await expect_error(register(svc, "p01", "secretary", "self"),
                             grpc.StatusCode.FAILED_PRECONDITION)
    assert meta(err)["gongtui-rule"] == "NM3"
    assert svc.count("SELECT count(*) FROM registrations") == 0
    # the roster is frozen once the window has closed
    await expect_error(svc.stub.ImportRoster(pb.ImportRosterRequest(
        idempotency_key=key(), actor=OFFICE, election_id=ELECTION,
        people=[person("late", "迟到")])), grpc.StatusCode.FAILED_PRECONDITION)


async def test_roster_with_one_bad_row_imports_nothing(svc: Service) -> None:
    await create(svc)
    people = [person("a1", "甲"), person("a2", "乙", "probationary"),
              person("a3", "丙", "member_of_public"), person("a4", "丁")]
    err = await expect_error(svc.stub.ImportRoster(pb.ImportRosterRequest(
        idempotency_key=key(), actor=OFFICE, election_id=ELECTION, people=people)),
        grpc.StatusCode.INVALID_ARGUMENT)
    assert meta(err)["gongtui-field"] == "people[2].status"
    assert svc.count("SELECT count(*) FROM roster") == 0
    # E2: an exclusion reason the profile does not know
    people[2] = person("a3", "丙", excluded_reason="on_holiday")
    err = await expect_error(svc.stub.ImportRoster(pb.ImportRosterRequest(
        idempotency_key=key(), actor=OFFICE, election_id=ELECTION, people=people)),
        grpc.StatusCode.INVALID_ARGUMENT)
    assert meta(err) == {"gongtui-field": "people[2].excluded_reason", "gongtui-rule": "E2"}
    assert svc.count("SELECT count(*) FROM roster") == 0
    people[2] = person("a3", "丙", excluded_reason="abroad")
    imported = await svc.stub.ImportRoster(pb.ImportRosterRequest(
        idempotency_key=key(), actor=OFFICE, election_id=ELECTION, people=people))
    assert imported.imported == 4
    # the same person with different data conflicts; identical rows are skipped
    again = await svc.stub.ImportRoster(pb.ImportRosterRequest(
        idempotency_key=key(), actor=OFFICE, election_id=ELECTION,
        people=[people[0], person("a5", "戊")]))
    assert again.imported == 1
    err = await expect_error(svc.stub.ImportRoster(pb.ImportRosterRequest(
        idempotency_key=key(), actor=OFFICE, election_id=ELECTION,
        people=[person("a6", "己"), person("a1", "甲", "suspended")])),
        grpc.StatusCode.ALREADY_EXISTS)
    assert meta(err)["gongtui-field"] == "people[1].status"
    assert svc.count("SELECT count(*) FROM roster") == 5
    audit = await svc.stub.ListAudit(common_pb2.AuditRequest(election_id=ELECTION))
    imports = [json.loads(r.payload_json) for r in audit.records if r.kind == "roster.imported"]
    assert imports[0]["by_status"] == {"full": 3, "probationary": 1}
    assert imports[0]["digest"].startswith("sha256:")


async def test_a_name_is_normalized_and_one_name_is_one_person(svc: Service) -> None:
    await create(svc)
    await svc.stub.ImportRoster(pb.ImportRosterRequest(
        idempotency_key=key(), actor=OFFICE, election_id=ELECTION,
        people=[person("n1", "\u200b王五"), person("n2", " 李  四 ")]))
    roster = await svc.stub.ListRoster(pb.ListRosterRequest(election_id=ELECTION))
    assert [p.name for p in roster.people] == ["王五", "李 四"]
    # within one import: both entries named
    err = await expect_error(svc.stub.ImportRoster(pb.ImportRosterRequest(
        idempotency_key=key(), actor=OFFICE, election_id=ELECTION,
        people=[person("n3", "赵六"), person("n4", "赵六\u2060")])),
        grpc.StatusCode.INVALID_ARGUMENT)
    assert meta(err)["gongtui-field"] == "people[1].name"
    assert "people[0]" in err.details() and "people[1]" in err.details()
    # against the roster already imported: the same person under a second ID
    err = await expect_error(svc.stub.ImportRoster(pb.ImportRosterRequest(
        idempotency_key=key(), actor=OFFICE, election_id=ELECTION,
        people=[person("n5", "\ufeff王五")])), grpc.StatusCode.ALREADY_EXISTS)
    assert meta(err)["gongtui-field"] == "people[0].name" and "'n1'" in err.details()
    assert svc.count("SELECT count(*) FROM roster") == 2


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
