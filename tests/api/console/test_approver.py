"""The approval inbox on the real stack: an election played to step 8 (the foundation
scenario), the approver sees each pending approval with the person's funnel and votes,
rejects without a reason and is told the rule, approves with one; the workflow finishes;
an approver of another street sees nothing of it (A3)."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from gongtui.simulate.scenario import load
from gongtui.stack import EmbeddedStack
from tests.api.conftest import TokenFactory, bearer
from tests.api.console.conftest import sign_in
from tests.api.test_approvals import SCENARIO, play_to_approval

pytestmark = pytest.mark.stack


async def test_the_approver_decides_from_the_inbox_with_the_dossier(
        stack: EmbeddedStack, http: httpx.AsyncClient, make_token: TokenFactory) -> None:
    eid = await play_to_approval(stack.settings)
    street = load(SCENARIO)["community"]["street"]

    csrf = await sign_in(http, await make_token("approver", "street:st-elsewhere"))
    page = await http.get("/console/approvals")
    assert page.status_code == 200 and "暂无待批复事项" in page.text  # A3: not its committee

    token = await make_token("approver", f"street:{street}", name="区委")
    csrf = await sign_in(http, token)
    page = await http.get("/console/approvals", follow_redirects=True)
    assert page.status_code == 200, page.text
    assert "角色：上级党组织" in page.text and "待批复事项" in page.text
    approvals = (await http.get("/api/v1/approvals?status=pending",
                                headers=bearer(token))).json()
    assert approvals and all(f'data-approval="{a["approval_id"]}"' in page.text
                             for a in approvals)
    assert "产生过程" in page.text and "各环节得票" in page.text and "党员大会" in page.text

    first = approvals[0]["approval_id"]
    r = await http.post(f"/console/approvals/{first}", data={
        "csrf": csrf, "decision": "reject", "reason": ""})
    assert r.status_code == 422 and "理由（reason）" in r.text, r.text
    for i, a in enumerate(approvals):
        r = await http.post(f"/console/approvals/{a['approval_id']}", follow_redirects=True,
                            data={"csrf": csrf, "decision": "approve", "reason": "同意",
                                  "key": f"t-{i}"})
        assert r.status_code == 200 and f"{a['name']}：已批准" in r.text, r.text
    for _ in range(150):
        wf = (await http.get(f"/api/v1/elections/{eid}", headers=bearer(token))).json()
        if wf["workflow"]["status"] != "running":
            break
        await asyncio.sleep(0.2)
    assert wf["workflow"]["status"] == "completed", wf
