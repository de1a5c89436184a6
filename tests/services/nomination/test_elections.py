"""Elections and their rosters (E2, NM3): a roster imported whole or not at all, a name
normalized once."""

from __future__ import annotations

import json

import grpc

from proto import common_pb2
from proto import nomination_pb2 as pb
from tests.services.nomination.support import (
    ELECTION,
    OFFICE,
    SYSTEM,
    Service,
    create,
    expect_error,
    key,
    meta,
    person,
)


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


async def test_overrides_that_are_not_a_json_object_are_refused_naming_the_field(
        svc: Service) -> None:
    for text in ("{not json", "[1, 2]"):
        err = await expect_error(svc.stub.CreateElection(pb.CreateElectionRequest(
            idempotency_key=key(), actor=SYSTEM, election=pb.Election(
                election_id="other", community_id="c", org_type="branch",
                overrides_json=text))), grpc.StatusCode.INVALID_ARGUMENT)
        assert (meta(err)["gongtui-field"], meta(err)["gongtui-rule"]) == (
            "election.overrides_json", "PROFILE")
    assert svc.count("SELECT count(*) FROM elections") == 0
    # the same overrides in any spelling are stored in one canonical form
    spelled = ('{"notice_days": 7, "min_age": 18}', '{ "min_age":18,"notice_days":7 }')
    for i, text in enumerate(spelled):
        await svc.stub.CreateElection(pb.CreateElectionRequest(
            idempotency_key=key(), actor=SYSTEM, election=pb.Election(
                election_id=f"e{i}", community_id="c", org_type="branch",
                overrides_json=text)))
    stored = {r[0] for r in svc.db.rows("SELECT overrides_json FROM elections")}
    assert len(stored) == 1 and json.loads(stored.pop()) == {"notice_days": 7, "min_age": 18}
