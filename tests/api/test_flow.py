"""Through HTTP only, on the real stack: the district registers its communities and starts a
cycle (one workflow per community); the office imports the roster from a CSV file with Chinese
headers and drafts the plan; the street committee approves it; a member nominates themselves;
the office closes the window; the street committee reviews; pause and resume reach the
workflow; the district admin aborts."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest

from tests.api.conftest import TokenFactory, bearer

pytestmark = pytest.mark.stack

PLAN = {"posts": [
    {"post": "secretary", "seats": 1, "shortlist": 4, "inspected": 3, "candidates": 2},
    {"post": "deputy_secretary", "seats": 1, "shortlist": 4, "inspected": 3, "candidates": 2},
    {"post": "member", "seats": 3, "shortlist": 6, "inspected": 5, "candidates": 4}]}


async def wait_for(http: httpx.AsyncClient, eid: str, headers: dict[str, str],
                   accept: Any, timeout: float = 60) -> dict[str, Any]:
    wf: dict[str, Any] = {}
    for _ in range(int(timeout / 0.2)):
        r = await http.get(f"/api/v1/elections/{eid}", headers=headers)
        assert r.status_code == 200, r.text
        wf = r.json()["workflow"] or {}
        if wf and accept(wf):
            return wf
        await asyncio.sleep(0.2)
    raise AssertionError(f"{eid}: not reached; last status {wf}")


def waiting(kind: str) -> Any:
    return lambda wf: (wf.get("waiting") or {}).get("kind") == kind


async def test_cycle_to_review_through_http(http: httpx.AsyncClient,
                                            make_token: TokenFactory) -> None:
    root = bearer(await make_token("district_admin", "district:*", name="区委组织部"))
    assert (await http.post("/api/v1/districts", headers=root,
                            json={"district_id": "xw", "name": "玄武区"})).status_code in (200, 201)
    admin = bearer(await make_token("district_admin", "district:xw"))
    r = await http.post("/api/v1/streets", headers=admin,
                        json={"street_id": "xw-mf", "district_id": "xw", "name": "梅园新村街道"})
    assert r.status_code in (200, 201), r.text
    for cid, name in (("xw-101", "长江路社区"), ("xw-102", "大行宫社区")):
        r = await http.post("/api/v1/communities", headers=admin,
                            json={"community_id": cid, "street_id": "xw-mf", "name": name})
        assert r.status_code in (200, 201), r.text
    # another district's admin may not add to this one
    other = bearer(await make_token("district_admin", "district:gl"))
    r = await http.post("/api/v1/communities", headers=other,
                        json={"community_id": "xw-199", "street_id": "xw-mf"})
    assert r.status_code == 403 and r.json()["field"] == "scope"

    r = await http.post("/api/v1/cycles", headers=admin, json={
        "cycle_id": "t2026", "district_id": "xw", "profile": "nanjing", "day_seconds": 0.2})
    assert r.status_code == 201, r.text
    elections = {e["community_id"]: e["election_id"] for e in r.json()["elections"]}
    assert elections == {"xw-101": "xw-101-t2026", "xw-102": "xw-102-t2026"}
    again = await http.post("/api/v1/cycles", headers=admin, json={
        "cycle_id": "t2026", "district_id": "xw", "profile": "nanjing", "day_seconds": 0.2})
    assert again.status_code == 200  # the same cycle again starts nothing new
    bad = await http.post("/api/v1/cycles", headers=admin, json={
        "cycle_id": "t2027", "district_id": "xw", "overrides": {"notice_days": "soon"}})
    assert bad.status_code == 422 and bad.json()["field"].startswith("overrides")

    eid = elections["xw-101"]
    office = bearer(await make_token("community_office", "community:xw-101"))
    street = bearer(await make_token("street_committee", "street:xw-mf"))
    member = bearer(await make_token("member", "community:xw-101", person_id="m01"))
    wf = await wait_for(http, eid, office, waiting("plan"))
    assert wf["step"] == 1 and wf["timeline"][0]["status"] == "active"

    rows = ["编号,姓名,身份,党龄,年龄,居住本社区"] + [
        f"m{i:02d},党员{i:02d},正式党员,{5 + i},{30 + i},是" for i in range(1, 31)] + [
        "g01,驻区党员,驻区单位党员,3,40,否", "r01,居民甲,群众,,50,是"]
    r = await http.post(f"/api/v1/elections/{eid}/roster/import", headers={
        **office, "Content-Type": "text/csv"}, content="\n".join(rows).encode())
    assert r.status_code == 200, r.text
    assert r.json()["imported"] == 32

    r = await http.post(f"/api/v1/elections/{eid}/plan", headers=office, json=PLAN)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "draft" and r.json()["full_members"] == 30
    r = await http.post(f"/api/v1/elections/{eid}/plan/decision", headers=office,
                        json={"decision": "approve"})
    assert r.status_code == 403  # the office drafts, the street committee approves
    r = await http.post(f"/api/v1/elections/{eid}/plan/decision", headers=street,
                        json={"decision": "approve", "reason": "符合规定"})
    assert r.status_code == 200 and r.json()["status"] == "approved", r.text

    await wait_for(http, eid, member, waiting("nominations"))
    r = await http.post(f"/api/v1/elections/{eid}/self-nomination", headers=member,
                        json={"post": "secretary"})
    assert r.status_code == 201, r.text
    assert r.json()["channel"] == "self" and r.json()["person_id"] == "m01"
    r = await http.post(f"/api/v1/elections/{eid}/self-nomination", headers=member,
                        json={"post": "secretary"})
    assert r.status_code == 409 and r.json()["rule"] == "NM3", r.text  # one per person per post
    r = await http.post(f"/api/v1/elections/{eid}/registrations", headers=office,
                        json={"person_id": "m02", "post": "secretary", "channel": "joint"})
    assert r.status_code == 201, r.text
    joint = r.json()["registration_id"]
    cosigner = bearer(await make_token("resident", "community:xw-101", person_id="r01"))
    r = await http.post(f"/api/v1/elections/{eid}/registrations/{joint}/cosignatures",
                        headers=cosigner, json={})
    assert r.status_code == 201 and r.json()["cosigner_person_id"] == "r01", r.text
    r = await http.post(f"/api/v1/elections/{eid}/registrations/{joint}/cosignatures",
                        headers=cosigner, json={"person_id": "m05"})
    assert r.status_code == 403  # a resident signs only as themselves
    r = await http.delete(f"/api/v1/elections/{eid}/registrations/{joint}/cosignatures/r01",
                          headers=cosigner)
    assert r.status_code == 200 and r.json()["withdrawn"] is True, r.text
    r = await http.post(f"/api/v1/elections/{eid}/nominations/close", headers=office)
    assert r.status_code == 200 and r.json()["status"] == "closed", r.text

    await wait_for(http, eid, street, waiting("review"))
    r = await http.get(f"/api/v1/elections/{eid}/registrations", headers=member)
    regs = {x["person_id"]: x for x in r.json()}
    assert regs["m02"]["review"] == "rejected" and regs["m02"]["rejected_rule"] == "NM2"
    assert regs["m01"]["review"] == "pending"
    r = await http.post(f"/api/v1/elections/{eid}/registrations/{regs['m01']['registration_id']}"
                        "/review", headers=street, json={"decision": "approve",
                                                          "reason": "资格审查通过"})
    assert r.status_code == 200 and r.json()["review"] == "approved", r.text

    r = await http.post(f"/api/v1/elections/{eid}/pause", headers=office, json={"reason": "x"})
    assert r.status_code == 403
    r = await http.post(f"/api/v1/elections/{eid}/pause", headers=street,
                        json={"reason": "上级检查 / inspection visit"})
    assert r.status_code == 202, r.text
    wf = await wait_for(http, eid, street, lambda wf: wf["paused"])
    assert wf["pause_reason"] == "上级检查 / inspection visit"
    r = await http.post(f"/api/v1/elections/{eid}/resume", headers=street,
                        json={"reason": "继续"})
    assert r.status_code == 202
    await wait_for(http, eid, street, lambda wf: not wf["paused"])
    # a supervisor's halt: the street may not lift it (CTL2), the district does
    supervisor = bearer(await make_token("supervisor", "street:xw-mf", name="监督委员会 王"))
    r = await http.post(f"/api/v1/elections/{eid}/pause", headers=supervisor,
                        json={"reason": "举报待查 / a complaint"})
    assert r.status_code == 202 and r.json()["paused_by"] == "supervisor", r.text
    r = await http.post(f"/api/v1/elections/{eid}/resume", headers=street,
                        json={"reason": "继续"})
    assert r.status_code == 403 and r.json()["rule"] == "CTL2", r.text
    assert r.json()["field"] == "role", r.text
    r = await http.post(f"/api/v1/elections/{eid}/resume", headers=admin,
                        json={"reason": "查清了 / cleared"})
    assert r.status_code == 202 and r.json()["paused"] is False, r.text
    # every act on the record, with the acting token and its holder
    r = await http.get(f"/api/v1/elections/{eid}/audit", headers=admin)
    acts = [(x["kind"], x["actor_role"], json.loads(x["payload_json"]))
            for x in r.json() if x["kind"].startswith("election.")
            and x["kind"] != "election.created"]
    assert [(k, role, p["reason"]) for k, role, p in acts] == [
        ("election.paused", "street_committee", "上级检查 / inspection visit"),
        ("election.resumed", "street_committee", "继续"),
        ("election.paused", "supervisor", "举报待查 / a complaint"),
        ("election.resumed", "district_admin", "查清了 / cleared")]
    assert acts[2][2]["acted_by"]["holder"] == "监督委员会 王"
    assert acts[2][2]["acted_by"]["token_id"]
    r = await http.post(f"/api/v1/elections/{eid}/unfilled/secretary/decision", headers=street,
                        json={"decision": "reduce"})
    assert r.status_code == 409 and r.json()["field"] == "post", r.text  # none awaited
    assert r.json()["rule"] == "M7", r.text
    assert r.json()["message"] == "no unfilled decision is awaited for 'secretary' (M7)", r.text

    r = await http.post(f"/api/v1/elections/{eid}/abort", headers=admin,
                        json={"reason": "演练结束 / drill over"})
    assert r.status_code == 202
    wf = await wait_for(http, eid, admin, lambda wf: wf["status"] != "running")
    assert wf["status"] == "aborted"
    r = await http.post(f"/api/v1/elections/{eid}/pause", headers=street, json={"reason": "x"})
    assert r.status_code == 409  # the workflow has ended

    r = await http.get("/api/v1/elections", headers=street)
    assert {e["election_id"] for e in r.json()} >= {"xw-101-t2026", "xw-102-t2026"}
    r = await http.get("/api/v1/elections", headers=office)
    assert {e["election_id"] for e in r.json()} == {"xw-101-t2026"}
    r = await http.post(f"/api/v1/elections/{elections['xw-102']}/abort", headers=admin,
                        json={"reason": "演练结束"})
    assert r.status_code == 202
