"""The district dashboard on the real stack with real workflows: a cycle started from the
page; every community with its step and what it waits for, filters by street and step, paging, per-street and per-step
counts; pause / resume of a street and abort of a community with a reason, through the REST
control routes' checks and functions (an office may not pause: 403 role)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from tests.api.conftest import TokenFactory, bearer
from tests.api.console.conftest import sign_in

pytestmark = pytest.mark.stack

COMMUNITIES = (("dsh-101", "dsh-a", "东风社区"), ("dsh-102", "dsh-a", "红旗社区"),
               ("dsh-201", "dsh-b", "光明社区"))


async def workflow(http: httpx.AsyncClient, headers: dict[str, str], eid: str) -> dict[str, Any]:
    r = await http.get(f"/api/v1/elections/{eid}", headers=headers)
    assert r.status_code == 200, r.text
    return r.json()["workflow"] or {}


async def until(http: httpx.AsyncClient, headers: dict[str, str], eids: list[str],
                accept: Any, timeout: float = 60) -> None:
    for _ in range(int(timeout / 0.2)):
        states = [await workflow(http, headers, e) for e in eids]
        if all(s and accept(s) for s in states):
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"not reached: {states}")


async def test_the_dashboard_lists_filters_pages_and_controls_a_street(
        http: httpx.AsyncClient, make_token: TokenFactory) -> None:
    root = bearer(await make_token("district_admin", "district:*"))
    r = await http.post("/api/v1/districts", headers=root,
                        json={"district_id": "dsh", "name": "测试区"})
    assert r.status_code in (200, 201), r.text
    for sid, name in (("dsh-a", "东街道"), ("dsh-b", "西街道")):
        r = await http.post("/api/v1/streets", headers=root,
                            json={"street_id": sid, "district_id": "dsh", "name": name})
        assert r.status_code in (200, 201), r.text
    for cid, sid, name in COMMUNITIES:
        r = await http.post("/api/v1/communities", headers=root,
                            json={"community_id": cid, "street_id": sid, "name": name})
        assert r.status_code in (200, 201), r.text
    admin_token = await make_token("district_admin", "district:dsh", name="区委组织部")
    admin = bearer(admin_token)
    csrf = await sign_in(http, admin_token)
    empty = await http.get("/console/dashboard")
    assert "共 0 个社区" in empty.text and "开始换届选举" in empty.text
    cycle = {"csrf": csrf, "cycle_id": "c2026", "district_id": "dsh", "day_seconds": "0.2"}
    r = await http.post("/console/dashboard/cycle", data={**cycle, "profile": "atlantis"})
    assert r.status_code == 422 and "规则配置（profile）" in r.text
    r = await http.post("/console/dashboard/cycle", data={**cycle, "profile": "nanjing"})
    assert r.status_code == 200 and "已开始换届 c2026：3 个社区的选举" in r.text, r.text
    listed = (await http.get("/api/v1/cycles/c2026", headers=admin)).json()
    eids = {e["community_id"]: e["election_id"] for e in listed["elections"]}
    assert set(eids) == {c for c, _, _ in COMMUNITIES} and listed["day_seconds"] == 0.2
    await until(http, admin, list(eids.values()),
                lambda wf: (wf.get("waiting") or {}).get("kind") == "plan")

    await asyncio.sleep(2.1)  # the dashboard's projection reads them again within a round
    page = await http.get("/console/dashboard")
    assert page.status_code == 200, page.text
    for _, _, name in COMMUNITIES:
        assert name in page.text
    assert "共 3 个社区" in page.text and "1·制订方案" in page.text
    assert "待提交和审批选举方案" in page.text and "东街道（2）" in page.text
    assert "按街道统计" in page.text and "<svg class=\"bars\"" in page.text

    east = await http.get("/console/dashboard", params={"street": "dsh-a"})
    assert "共 2 个社区" in east.text and "光明社区" not in east.text
    by_step = await http.get("/console/dashboard", params={"step": 1})
    assert "共 3 个社区" in by_step.text
    paged = await http.get("/console/dashboard", params={"size": 1, "page": 2})
    assert "第 2 / 3 页" in paged.text and "上一页" in paged.text and "下一页" in paged.text
    assert sum(paged.text.count(name) for _, _, name in COMMUNITIES) == 1

    # a street paused with a reason, from the page
    r = await http.post("/console/dashboard/control", data={
        "csrf": csrf, "action": "pause", "target": "street:dsh-a", "reason": "上级督导检查"})
    assert r.status_code == 200 and "已向 2 个选举发送“暂停”" in r.text, r.text
    east_ids = [eids["dsh-101"], eids["dsh-102"]]
    await until(http, admin, east_ids, lambda wf: wf["paused"])
    assert not (await workflow(http, admin, eids["dsh-201"]))["paused"]
    await asyncio.sleep(2.1)  # the dashboard's projection reads them again within a round
    page = await http.get("/console/dashboard", params={"street": "dsh-a"})
    assert page.text.count("已暂停：上级督导检查") == 2
    async with httpx.AsyncClient(base_url=str(http.base_url), timeout=60) as desk_browser:
        await sign_in(desk_browser, await make_token("community_office", "community:dsh-101"))
        desk = await desk_browser.get(f"/console/desk/{eids['dsh-101']}")
        assert "本选举已暂停：上级督导检查" in desk.text  # the desk says so before anyone acts
    # a reason is required (the API's PauseRequest)
    r = await http.post("/console/dashboard/control", data={
        "csrf": csrf, "action": "resume", "target": "street:dsh-a", "reason": ""})
    assert r.status_code == 422 and "理由（reason）" in r.text
    r = await http.post("/console/dashboard/control", data={
        "csrf": csrf, "action": "resume", "target": "street:dsh-a", "reason": "检查结束"})
    assert r.status_code == 200 and "已向 2 个选举发送“恢复”" in r.text
    await until(http, admin, east_ids, lambda wf: not wf["paused"])

    # the office may not pause (PAUSERS), exactly as the REST route answers
    office = await make_token("community_office", "community:dsh-201")
    office_csrf = await sign_in(http, office)
    r = await http.post("/console/dashboard/control", data={
        "csrf": office_csrf, "action": "pause", "target": "community:dsh-201", "reason": "x"})
    assert r.status_code == 403 and "角色（role）" in r.text

    csrf = await sign_in(http, admin_token)
    r = await http.post("/console/dashboard/control", data={
        "csrf": csrf, "action": "abort", "target": "district:dsh", "reason": "演练结束"})
    assert r.status_code == 200 and "已向 3 个选举发送“终止”" in r.text
    await until(http, admin, list(eids.values()), lambda wf: wf["status"] == "aborted")
