"""The nomination window and its registrations (NM1, NM3): one idempotency key, one row."""

from __future__ import annotations

import grpc

from proto import nomination_pb2 as pb
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
    person,
    plain,
    register,
)


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
