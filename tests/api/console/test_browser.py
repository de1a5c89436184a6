"""The console in a real browser (Chromium via Playwright) on the real stack: signing in and
the dashboard's street pause; the phone ballot at 360 × 640 with JavaScript off (no cookie,
no request to another origin); the notice board's ticking countdown; the big screen at
1920 × 1080 following a check-in and the desk's 公布 within a second. Each test leaves its
screenshot under docs/screenshots/ (no Chinese font is needed on the machine: the app serves
its own)."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from gongtui.stack import EmbeddedStack
from tests.api.conftest import Stubs, TokenFactory, bearer
from tests.api.console.browser import ARGS, DOCS, chromium
from tests.api.console.conftest import codes, congress, place, registrants_notice, roster
from tests.api.console.test_dashboard import until

pytestmark = [pytest.mark.stack, pytest.mark.one_database]


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Any]:
    path = chromium()
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        b = await p.chromium.launch(executable_path=path, args=ARGS, timeout=60_000)
        yield b
        await b.close()


Shot = Callable[[Any, str], Awaitable[None]]


@pytest.fixture(scope="session")
def shot(tmp_path_factory: pytest.TempPathFactory) -> Shot:
    """``await shot(page, name)``: the page once its web font has loaded (no Chinese font is
    installed here), under docs/screenshots with GONGTUI_SCREENSHOTS=1, else a temporary
    folder, so a test run leaves the tree as it was."""
    folder = DOCS if os.environ.get("GONGTUI_SCREENSHOTS") else tmp_path_factory.mktemp("shots")

    async def take(page: Any, name: str) -> None:
        await page.evaluate("document.fonts.ready.then(() => true)")
        folder.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(folder / f"{name}.png"), full_page=False)

    return take


async def text_becomes(page: Any, selector: str, accept: Any, timeout: float) -> float:
    """Seconds until the element's text is accepted (polled from here: the pages' CSP
    forbids the evaluated predicates of wait_for_function)."""
    start = time.monotonic()
    while True:
        el = await page.query_selector(selector)
        if el is not None and accept(await el.inner_text()):
            return time.monotonic() - start
        if time.monotonic() - start > timeout:
            raise AssertionError(f"{selector}: not changed within {timeout} s")
        await asyncio.sleep(0.05)


async def signed_in(browser: Any, api_url: str, token: str = "", link: str = "",
                    **options: Any) -> Any:
    """A browser signed in through the form: with the token typed in, or by opening a
    one-time sign-in link (its code in the fragment, put in the form by the page's script)."""
    context = await browser.new_context(base_url=api_url, locale="zh-CN", **options)
    page = await context.new_page()
    await page.goto(link or "/console/login", wait_until="load")
    if link:
        assert "#" not in page.url  # the page took the code off the address bar
        assert await page.is_visible("#link-note")
    else:
        await page.fill("#token", token)
    await submit(page, "button[type=submit]")
    return page


async def submit(page: Any, selector: str) -> None:
    """Clicks and waits for the next page's document (its fonts are awaited by shot())."""
    async with page.expect_navigation(wait_until="domcontentloaded"):
        await page.click(selector)


async def test_sign_in_and_pause_a_street_from_the_dashboard(
        browser: Any, shot: Shot, stack: EmbeddedStack, api_url: str, http: httpx.AsyncClient,
        make_token: TokenFactory) -> None:
    root = bearer(await make_token("district_admin", "district:*"))
    await http.post("/api/v1/districts", headers=root, json={"district_id": "brw",
                                                             "name": "示范区"})
    for sid, name in (("brw-n", "北门街道"), ("brw-s", "南门街道")):
        await http.post("/api/v1/streets", headers=root,
                        json={"street_id": sid, "district_id": "brw", "name": name})
    names = ("幸福里社区", "和平社区", "朝阳社区", "翠竹园社区", "望江社区")
    for i, name in enumerate(names):
        await http.post("/api/v1/communities", headers=root, json={
            "community_id": f"brw-{i}", "street_id": "brw-n" if i < 3 else "brw-s",
            "name": name})
    from api.console.links import login_link
    from api.db import TokenStore, open_database

    db = open_database(stack.settings)
    token, row = await TokenStore(db).create("district_admin", "district:brw", "区委组织部")
    await db.dispose()
    admin = bearer(token)
    r = await http.post("/api/v1/cycles", headers=admin, json={
        "cycle_id": "b2026", "district_id": "brw", "profile": "nanjing", "day_seconds": 0.2})
    assert r.status_code == 201, r.text
    eids = [e["election_id"] for e in r.json()["elections"]]
    await until(http, admin, eids, lambda wf: (wf.get("waiting") or {}).get("kind") == "plan")

    page = await signed_in(browser, api_url, link=await login_link(stack.settings, row.token_id,
                                                                    api_url),
                           viewport={"width": 1366, "height": 900})
    assert page.url.endswith("/console/dashboard")
    header = await page.inner_text("header")
    assert "角色：区委组织部" in header and "范围：区 brw" in header
    for name in names:
        assert name in await page.inner_text("table.elections")
    await page.select_option("form.control select[name=action]", "pause")
    await page.select_option("form.control select[name=target]", "street:brw-n")
    await page.fill("form.control input[name=reason]", "换届风气督查")
    await submit(page, "form.control button[type=submit]")
    assert "已向 3 个选举发送“暂停”" in await page.inner_text("p.notice")
    await until(http, admin, eids[:3], lambda wf: wf["paused"])
    await asyncio.sleep(2.1)
    await page.goto("/console/dashboard", wait_until="domcontentloaded")
    assert (await page.inner_text("table.elections")).count("已暂停：换届风气督查") == 3
    await shot(page, "dashboard")
    # the page weight of the font, in a fresh browser cache: the core slice and the few its
    # names need, not the 8 MB font
    fresh = await browser.new_context(base_url=api_url, storage_state=await
                                      page.context.storage_state())
    fonts: dict[str, int] = {}
    fresh.on("response", lambda r: fonts.__setitem__(r.url, int(
        r.headers.get("content-length", 0))) if "/static/fonts/" in r.url else None)
    weighed = await fresh.new_page()
    await weighed.goto("/console/dashboard", wait_until="load")
    await weighed.evaluate("document.fonts.ready.then(() => true)")
    await fresh.close()
    assert 2 <= len(fonts) <= 8 and sum(fonts.values()) < 1_000_000, fonts
    for eid in eids:
        await http.post(f"/api/v1/elections/{eid}/abort", headers=admin, json={"reason": "演示结束"})
    await page.context.close()


async def test_the_phone_ballot_works_without_javascript_and_leaves_no_cookie(
        browser: Any, shot: Shot, stack: EmbeddedStack, api_url: str, http: httpx.AsyncClient,
        stubs: Stubs, make_token: TokenFactory) -> None:
    _, _, community, eid = await place(stack, stubs, "brw-vote")
    office = bearer(await make_token("community_office", f"community:{community}"))
    await roster(http, office, eid)
    c = await congress(http, stubs, eid, office)
    code = (await codes(http, c, ["p1"]))[0]

    context = await browser.new_context(base_url=api_url, locale="zh-CN",
                                        viewport={"width": 360, "height": 640},
                                        java_script_enabled=False, is_mobile=True)
    origins: set[str] = set()
    context.on("request", lambda req: origins.add(urlsplit(req.url).netloc))
    page = await context.new_page()
    await page.goto(f"/ballot?round={c.round_id}", wait_until="domcontentloaded")
    await page.fill("#code", code)
    await submit(page, "button[type=submit]")
    await page.check("input[name='c.p2'][value=for]")
    await page.check("input[name='c.p1'][value=against]")
    await shot(page, "ballot-phone")
    await submit(page, "button[type=submit]")
    review = await page.inner_text("table.review")
    assert "赞成" in review and "不赞成" in review
    await submit(page, "button.primary")
    assert (await page.inner_text("#receipt")).startswith("sha256:")
    await shot(page, "ballot-receipt")
    assert await context.cookies() == []
    assert origins == {urlsplit(api_url).netloc}, origins
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360  # nothing wider than the phone
    await context.close()


async def test_the_board_counts_down_and_the_screen_follows_check_in_and_publishing(
        browser: Any, shot: Shot, stack: EmbeddedStack, api_url: str, http: httpx.AsyncClient,
        stubs: Stubs, make_token: TokenFactory) -> None:
    _, _, community, eid = await place(stack, stubs, "brw-board")
    office = bearer(await make_token("community_office", f"community:{community}"))
    await roster(http, office, eid, extra=25)
    await registrants_notice(http, stubs, eid, office)
    context = await browser.new_context(base_url=api_url, locale="zh-CN",
                                        viewport={"width": 1280, "height": 860})
    page = await context.new_page()
    await page.goto(f"/console/notices/{eid}", wait_until="domcontentloaded")
    first = await page.inner_text(".countdown")
    await text_becomes(page, ".countdown", lambda t: t != first, 3.0)
    await shot(page, "notice-board")
    await context.close()

    # the hall: check-in, then a counted round, then 公布 at the desk
    _, _, community2, eid2 = await place(stack, stubs, "brw-hall")
    office_token = await make_token("community_office", f"community:{community2}",
                                    name="社区选举工作小组")
    office2 = bearer(office_token)
    await roster(http, office2, eid2)
    checking = await congress(http, stubs, eid2, office2, check_in=["p1", "p2", "p3"])
    hall = await browser.new_context(base_url=api_url, locale="zh-CN",
                                     viewport={"width": 1920, "height": 1080})
    screen = await hall.new_page()
    await screen.goto(f"/console/screen/{eid2}", wait_until="domcontentloaded")
    assert await screen.inner_text("#present") == "3"
    r = await http.post(f"/api/v1/elections/{eid2}/meetings/{checking.meeting_id}/check-in",
                        headers=office2, json={"person_ids": ["p4"]})
    assert r.status_code == 200
    # the screen polls every 250 ms (docs/console.md); how fast it follows is a figure of a
    # quiet machine, not a bound a shared CI machine can hold: here it must follow at all
    await text_becomes(screen, "#present", lambda t: t == "4", 10.0)
    await shot(screen, "screen-checkin")

    await http.post(f"/api/v1/elections/{eid2}/meetings/{checking.meeting_id}/check-in",
                    headers=office2, json={"person_ids": ["p5"]})
    r = await http.post(f"/api/v1/elections/{eid2}/meetings/{checking.meeting_id}/"
                        "confirm-attendance", headers=office2)
    assert r.json()["quorum_met"]
    from proto import voting_pb2
    from tests.api.conftest import SYSTEM

    rnd = await stubs.voting.OpenRound(voting_pb2.OpenRoundRequest(
        idempotency_key=f"test-round/{eid2}", actor=SYSTEM, meeting_id=checking.meeting_id,
        post="secretary", kind="regular", seats=1, candidates=[
            voting_pb2.Candidate(person_id="p1", name="王建国"),
            voting_pb2.Candidate(person_id="p2", name="李秀英")]))
    checking.round_id = rnd.round_id
    for i, code in enumerate(await codes(http, checking, ["p1", "p2", "p3", "p4", "p5"])):
        pick = "p1" if i < 4 else "p2"
        r = await http.post("/api/v1/ballots", json={"round_id": rnd.round_id, "code": code,
                                                     "marks": [{"person_id": pick,
                                                                "choice": "for"}]})
        assert r.status_code == 201
    r = await http.post(f"/api/v1/elections/{eid2}/rounds/{rnd.round_id}/close",
                        headers=office2)
    assert r.status_code == 200
    await text_becomes(screen, "#returned", lambda t: t == "5", 2.0)
    await asyncio.sleep(1.0)
    assert await screen.query_selector("#results") is None  # counted, not published

    desk = await signed_in(browser, api_url, office_token,
                           viewport={"width": 1366, "height": 900})
    await desk.goto(f"/console/desk/{eid2}", wait_until="domcontentloaded")
    await submit(desk, f"tr[data-round='{rnd.round_id}'] button")
    await screen.wait_for_selector("#results", timeout=10_000)
    assert "王建国" in await screen.inner_text("#results")
    await shot(desk, "desk")
    await shot(screen, "screen-results")
    await hall.close()
    await desk.context.close()


async def test_the_main_screens_of_approver_street_and_supervisor(
        browser: Any, shot: Shot, stack: EmbeddedStack, api_url: str,
        make_token: TokenFactory) -> None:
    from gongtui.simulate.scenario import load
    from tests.api.test_approvals import SCENARIO, play_to_approval

    eid = await play_to_approval(stack.settings)
    community = load(SCENARIO)["community"]
    size: dict[str, Any] = {"viewport": {"width": 1366, "height": 900}}
    approver = await signed_in(browser, api_url, await make_token(
        "approver", f"street:{community['street']}", name="区委"), **size)
    assert approver.url.endswith("/console/approvals")
    assert "各环节得票" in await approver.inner_text("main")
    await shot(approver, "approver-inbox")
    await approver.context.close()

    street = await signed_in(browser, api_url, await make_token(
        "street_committee", f"street:{community['street']}", name="街道党工委"), **size)
    await street.goto(f"/console/street/{eid}", wait_until="domcontentloaded")
    assert "选举方案" in await street.inner_text("main")
    await shot(street, "street-inbox")
    await street.context.close()

    supervisor = await signed_in(browser, api_url, await make_token(
        "supervisor", f"street:{community['street']}", name="监督委员会"), **size)
    await supervisor.goto(f"/console/audit/{eid}", wait_until="domcontentloaded")
    assert "审计链完整" in await supervisor.inner_text("#verdict")
    await shot(supervisor, "supervisor-audit")
    await supervisor.context.close()
