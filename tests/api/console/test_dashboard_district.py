"""The dashboard while a district runs (gongtui demo's machinery on the real stack: one
DistrictElectionWorkflow, every community's acts played through the services): it lists
every community, filters by street, and a street paused with a reason from the page is
paused, its acts refused with that reason (API and console page alike), then resumed."""

from __future__ import annotations

import asyncio
import contextlib
import re
import uuid
from collections import Counter
from collections.abc import Callable

import httpx
import pytest

from gongtui.demo.console import register_district
from gongtui.demo.generation import generate_district
from gongtui.runner import run_district
from gongtui.stack import EmbeddedStack
from tests.api.conftest import TokenFactory, bearer
from tests.api.console.conftest import sign_in

pytestmark = pytest.mark.stack

COMMUNITIES = 10
REASON = "区委督导检查"


async def dashboard_until(http: httpx.AsyncClient, params: dict[str, str],
                          accept: Callable[[str], bool], timeout: float = 120) -> str:
    text = ""
    for _ in range(int(timeout / 0.5)):
        r = await http.get("/console/dashboard", params={"size": "400", **params})
        assert r.status_code == 200, r.text
        assert re.search(r"app;dur=[0-9.]+", r.headers["server-timing"])
        text = r.text
        if accept(text):
            return text
        await asyncio.sleep(0.5)
    raise AssertionError(f"the dashboard never showed it: {text[-2000:]}")


async def test_the_dashboard_of_a_running_district_filters_pauses_and_resumes(
        stack: EmbeddedStack, http: httpx.AsyncClient, make_token: TokenFactory) -> None:
    tag = uuid.uuid4().hex[:5]
    scenarios = generate_district(COMMUNITIES, 7, None)
    for sc in scenarios:  # ids of its own in the session's shared stack
        sc["community"]["id"] = f"{tag}-{sc['community']['id']}"
        sc["community"]["street"] = f"{tag}-{sc['community']['street']}"
    district_id = f"dd-{tag}"
    eids = await register_district(stack.settings, district_id, "测试区", scenarios)
    admin_token = await make_token("district_admin", f"district:{district_id}")
    csrf = await sign_in(http, admin_token)
    run = asyncio.create_task(run_district(scenarios, stack.settings, district_id=district_id,
                                           day_seconds=0.5, refresh_seconds=2.0))
    try:
        page = await dashboard_until(http, {}, lambda t: f"共 {COMMUNITIES} 个社区" in t
                                     and "无流程" not in t)
        for sc in scenarios:
            assert sc["community"]["name"] in page
        assert "按街道统计" in page and "按步骤统计" in page and '<svg class="bars"' in page

        per_street = Counter(str(sc["community"]["street"]) for sc in scenarios)
        street, n = sorted(per_street.items())[0]
        mine = [sc for sc in scenarios if sc["community"]["street"] == street]
        others = [sc for sc in scenarios if sc["community"]["street"] != street]
        shown = await dashboard_until(http, {"street": street}, lambda t: f"共 {n} 个社区" in t)
        assert all(sc["community"]["name"] in shown for sc in mine)
        assert not any(f">{sc['community']['name']}<" in shown for sc in others)

        # the street paused with a reason, from the page (one form post for all its elections)
        r = await http.post("/console/dashboard/control", data={
            "csrf": csrf, "action": "pause", "target": f"street:{street}", "reason": REASON})
        assert r.status_code == 200 and f"已向 {n} 个选举发送“暂停”" in r.text, r.text
        await dashboard_until(http, {"street": street},
                              lambda t: t.count(f"已暂停：{REASON}") == n, timeout=60)
        elsewhere = await http.get("/console/dashboard", params={"size": "400"})
        assert elsewhere.text.count(f"已暂停：{REASON}") == n  # the other streets run on

        # an act on a paused election is refused with the reason: the REST route ...
        paused_eid = eids[scenarios.index(mine[0])]
        street_token = await make_token("street_committee", f"street:{street}")
        r = await http.post(f"/api/v1/elections/{paused_eid}/plan/decision",
                            headers=bearer(street_token),
                            json={"decision": "approve", "reason": "符合规定"})
        assert r.status_code == 409, r.text
        body = r.json()
        assert body["field"] == "election_id" and body["code"] == "FAILED_PRECONDITION"
        assert REASON in body["message"]
        # ... and the console page that calls it, in Chinese
        async with httpx.AsyncClient(base_url=str(http.base_url), timeout=60) as browser:
            street_csrf = await sign_in(browser, street_token)
            r = await browser.post(f"/console/street/{paused_eid}/plan", data={
                "csrf": street_csrf, "decision": "approve", "reason": "符合规定"})
            assert r.status_code == 409, r.text
            assert f"选举已暂停（理由：{REASON}），恢复前不能办理" in r.text
            assert "选举（election_id）" in r.text

        # resumed from the page
        r = await http.post("/console/dashboard/control", data={
            "csrf": csrf, "action": "resume", "target": f"street:{street}",
            "reason": "检查结束"})
        assert r.status_code == 200 and f"已向 {n} 个选举发送“恢复”" in r.text, r.text
        await dashboard_until(http, {"street": street}, lambda t: "已暂停" not in t,
                              timeout=60)
    finally:
        # the district ends here: every election aborted from the page, the players stopped
        r = await http.post("/console/dashboard/control", data={
            "csrf": csrf, "action": "abort", "target": f"district:{district_id}",
            "reason": "测试结束"})
        run.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await run
    assert r.status_code == 200, r.text
