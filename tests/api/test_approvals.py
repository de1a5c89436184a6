"""Step 8 through the API on the real stack: an election played to the approval (foundation
scenario without its `approvals`), the secretary and deputy approved with
POST /api/v1/approvals/{id}/decision; the workflow finishes step 8. An approver of another
street gets 403 (A3) for the same request."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from core.config import Settings
from gongtui.simulate.clients import Clients
from gongtui.simulate.driver import Play
from gongtui.simulate.scenario import load
from gongtui.stack import EmbeddedStack
from tests.api.conftest import TokenFactory, bearer
from workflows.election.types import Waiting

pytestmark = pytest.mark.stack
SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "foundation.yaml"


class UntilApproval(Play):
    """The scenario's people, except the approver: the play stops at step 8 (the driver
    approves by default when the scenario has no `approvals`)."""

    async def on_approval(self, w: Waiting) -> bool:
        return False


async def play_to_approval(settings: Settings) -> str:
    scenario = load(SCENARIO)
    scenario.pop("approvals")
    clients = await Clients.connect(settings)
    try:
        play = UntilApproval(scenario, clients, settings, day_seconds=0.2)
        status = await play.run()
    finally:
        await clients.close()
    assert play.waiting_for == "approval", (status, play.error)
    return play.election_id


async def test_approver_decides_through_http_and_workflow_finishes_step_8(
        stack: EmbeddedStack, http: httpx.AsyncClient, make_token: TokenFactory) -> None:
    eid = await play_to_approval(stack.settings)
    scenario = load(SCENARIO)
    street = scenario["community"]["street"]

    approver = bearer(await make_token("approver", f"street:{street}", name="区委"))
    stranger = bearer(await make_token("approver", "street:st-elsewhere", name="别的街道"))
    office = bearer(await make_token("community_office", f"community:{scenario['community']['id']}"))

    r = await http.get(f"/api/v1/elections/{eid}", headers=approver)
    assert r.status_code == 200, r.text
    wf = r.json()["workflow"]
    assert wf["status"] == "running" and wf["step"] == 8 and wf["waiting"]["kind"] == "approval"

    r = await http.get("/api/v1/approvals", params={"status": "pending"}, headers=approver)
    assert r.status_code == 200, r.text
    pending = [a for a in r.json() if a["election_id"] == eid]
    assert sorted(a["post"] for a in pending) == ["deputy_secretary", "secretary"]
    secretary = next(a for a in pending if a["post"] == "secretary")

    # another street's approver sees none of them and may not decide them (A3)
    r = await http.get("/api/v1/approvals", params={"status": "pending"}, headers=stranger)
    assert r.status_code == 200 and not [a for a in r.json() if a["election_id"] == eid]
    r = await http.post(f"/api/v1/approvals/{secretary['approval_id']}/decision",
                        headers=stranger, json={"decision": "approve", "reason": "同意"})
    assert r.status_code == 403, r.text
    assert r.json()["rule"] == "A3" and r.json()["field"] == "scope"
    # the community office is no approver at all
    r = await http.post(f"/api/v1/approvals/{secretary['approval_id']}/decision",
                        headers=office, json={"decision": "approve", "reason": "同意"})
    assert r.status_code == 403 and r.json()["field"] == "role"
    # a rejection needs a reason
    r = await http.post(f"/api/v1/approvals/{secretary['approval_id']}/decision",
                        headers=approver, json={"decision": "reject"})
    assert r.status_code == 422 and r.json()["field"] == "reason"

    for a in pending:
        r = await http.post(f"/api/v1/approvals/{a['approval_id']}/decision", headers=approver,
                            json={"decision": "approve", "reason": "同意 / approved"})
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "approved"
    # deciding again is a conflict, not a second decision
    r = await http.post(f"/api/v1/approvals/{secretary['approval_id']}/decision",
                        headers=approver, json={"decision": "approve", "reason": "again"})
    assert r.status_code == 409, r.text

    wf = {}
    for _ in range(150):  # the approval service wakes the workflow; it does not poll
        r = await http.get(f"/api/v1/elections/{eid}", headers=approver)
        wf = r.json()["workflow"]
        if wf["status"] != "running":
            break
        await asyncio.sleep(0.2)
    assert wf["status"] == "completed", wf
    step8 = next(s for s in wf["timeline"] if s["step"] == 8)
    assert step8["status"] == "done" and step8["ended_at"]

    r = await http.get("/api/v1/filings", params={"election_id": eid}, headers=approver)
    assert r.status_code == 200
    assert {a["post"] for a in r.json()} == {"member"} and len(r.json()) == 3

    r = await http.get(f"/api/v1/elections/{eid}/audit/verify", headers=approver)
    assert r.status_code == 200 and r.json()["verified"] is True
