"""E2 exclusions take effect with the street committee's consent: the office enters them with
the roster, the street committee consents (on its own, or as it approves the plan) or refuses
with a reason; the import cannot set a consent, nor another role give one."""

from __future__ import annotations

import json

import grpc

from proto import common_pb2
from proto import nomination_pb2 as pb
from tests.services.nomination.support import (
    ELECTION,
    GOOD_PLAN,
    OFFICE,
    ROSTER,
    STREET,
    Service,
    create,
    expect_error,
    key,
    meta,
    person,
)

EXCLUDED = [person("p90", "钱进", excluded_reason="abroad"),
            person("p91", "冯远", excluded_reason="bedridden")]


async def roster(svc: Service) -> dict[str, pb.Person]:
    people = await svc.stub.ListRoster(pb.ListRosterRequest(election_id=ELECTION))
    return {p.person_id: p for p in people.people}


async def audit_kinds(svc: Service) -> list[tuple[str, dict]]:
    res = await svc.stub.ListAudit(common_pb2.AuditRequest(election_id=ELECTION))
    return [(r.kind, json.loads(r.payload_json)) for r in res.records]


async def test_an_exclusion_awaits_the_street_committee_then_is_consented(svc: Service) -> None:
    await create(svc, ROSTER + EXCLUDED)
    assert (await roster(svc))["p90"].exclusion_consent == ""
    decide = pb.DecideExclusionsRequest(idempotency_key=key(), actor=OFFICE,
                                        election_id=ELECTION, person_ids=["p90"], consent=True)
    err = await expect_error(svc.stub.DecideExclusions(decide),
                             grpc.StatusCode.PERMISSION_DENIED)
    assert (meta(err)["gongtui-field"], meta(err)["gongtui-rule"]) == ("actor.role", "E2")
    decide.actor.CopyFrom(STREET)
    err = await expect_error(svc.stub.DecideExclusions(pb.DecideExclusionsRequest(
        idempotency_key=key(), actor=STREET, election_id=ELECTION, person_ids=["p01"],
        consent=True)), grpc.StatusCode.FAILED_PRECONDITION)  # p01 is not excluded
    assert meta(err)["gongtui-field"] == "person_ids[0]"
    err = await expect_error(svc.stub.DecideExclusions(pb.DecideExclusionsRequest(
        idempotency_key=key(), actor=STREET, election_id=ELECTION, person_ids=["p91"],
        consent=False)), grpc.StatusCode.INVALID_ARGUMENT)  # a refusal needs a reason
    assert meta(err)["gongtui-field"] == "reason"
    done = await svc.stub.DecideExclusions(decide)
    assert [(p.person_id, p.exclusion_consent, p.exclusion_decided_by) for p in done.people] \
        == [("p90", "consented", STREET.name)]
    await svc.stub.DecideExclusions(pb.DecideExclusionsRequest(
        idempotency_key=key(), actor=STREET, election_id=ELECTION, person_ids=["p91"],
        consent=False, reason="未满六个月"))
    people = await roster(svc)
    assert (people["p90"].exclusion_consent, people["p91"].exclusion_consent) == (
        "consented", "refused")
    records = [(k, p) for k, p in await audit_kinds(svc) if k.startswith("exclusions.")]
    assert [(k, p["person_ids"], p["by"]) for k, p in records] == [
        ("exclusions.consented", ["p90"], STREET.name),
        ("exclusions.refused", ["p91"], STREET.name)]


async def test_the_roster_import_cannot_consent_to_its_own_exclusions(svc: Service) -> None:
    await create(svc, ROSTER)
    err = await expect_error(svc.stub.ImportRoster(pb.ImportRosterRequest(
        idempotency_key=key(), actor=OFFICE, election_id=ELECTION, people=[
            person("p90", "钱进", excluded_reason="abroad", exclusion_consent="consented")])),
        grpc.StatusCode.INVALID_ARGUMENT)
    assert (meta(err)["gongtui-field"], meta(err)["gongtui-rule"]) == (
        "people[0].exclusion_consent", "E2")


async def test_the_street_committee_consents_as_it_approves_the_plan(svc: Service) -> None:
    await create(svc, ROSTER + EXCLUDED)
    await svc.stub.SubmitPlan(pb.SubmitPlanRequest(
        idempotency_key=key(), actor=OFFICE, election_id=ELECTION, posts=GOOD_PLAN))
    err = await expect_error(svc.stub.DecidePlan(pb.DecidePlanRequest(
        idempotency_key=key(), actor=STREET, election_id=ELECTION, approve=True,
        consent_exclusions=["p90", "p02"])), grpc.StatusCode.FAILED_PRECONDITION)
    assert meta(err)["gongtui-field"] == "consent_exclusions[1]"
    assert (await roster(svc))["p90"].exclusion_consent == ""  # nothing half-written
    await svc.stub.DecidePlan(pb.DecidePlanRequest(
        idempotency_key=key(), actor=STREET, election_id=ELECTION, approve=True,
        consent_exclusions=["p90"]))
    people = await roster(svc)
    assert (people["p90"].exclusion_consent, people["p91"].exclusion_consent) == (
        "consented", "")
    decided = [p for k, p in await audit_kinds(svc) if k == "plan.approved"]
    assert decided[0]["exclusions_consented"] == ["p90"]
