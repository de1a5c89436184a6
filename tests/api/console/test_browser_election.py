"""One election conducted in the browser (Chromium via Playwright) on the real embedded stack,
every person acting only through the console: the district admin starts the cycle, the
office uploads the roster file, drafts the plan the street approves, records nominations in
the three channels with the joint nomination's co-signers; the street reviews; a member files
an objection on the notice board, the street dismisses it; the office runs the recommendation
meeting (paper tallies) and closes it; the street inspects and enters its committee vote; the
office runs the congress — check-in, the quorum on the big screen, the secretary round cast
on the phone page by the twelve voters with codes printed at the desk, the member round on
paper; the approver approves from the inbox; the supervisor verifies the chain and reads the
complaints. The outcome equals ``gongtui simulate`` of the same inputs
(browser-election.yaml), played on the same stack meanwhile.

The test reads the election's state through the API only to know when to act (what the
workflow waits for, the ids of meetings and rounds); every act is a click in a page."""

from __future__ import annotations

import asyncio
import csv
import io
import re
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from gongtui.simulate.roster import build_roster
from gongtui.simulate.scenario import load
from gongtui.stack import EmbeddedStack
from tests.api.conftest import TokenFactory, bearer
from tests.api.console.test_browser import (  # noqa: F401  (the browser tests' fixtures)
    Shot,
    browser,
    shot,
    signed_in,
    submit,
    text_becomes,
)

pytestmark = [pytest.mark.stack, pytest.mark.one_database, pytest.mark.timeout(900)]
SCENARIO = Path(__file__).resolve().parent / "browser-election.yaml"
#: seconds per day of the procedure: a notice period (5 days) is 20 s. The one act inside a
#: period, the member's objection on the registrants notice, takes about 2 s on a loaded
#: machine; the four periods are most of the test's time.
DAY = 4.0
STATUS_ZH = {"full": "正式党员", "guest_member": "驻区单位党员", "resident": "群众"}
#: the outcome keys compared with the simulation (the audit head differs: other ids, times)
KEYS = ("status", "waiting_for", "steps", "registrants", "shortlist", "inspected", "candidates",
        "congress", "elected", "approvals")


class Election:
    """What the test reads to know when to act: the workflow's wait, meetings and rounds."""

    def __init__(self, http: httpx.AsyncClient, headers: dict[str, str], eid: str):
        self.http, self.headers, self.eid = http, headers, eid

    async def get(self, path: str = "") -> Any:
        r = await self.http.get(f"/api/v1/elections/{self.eid}{path}", headers=self.headers)
        assert r.status_code == 200, r.text
        return r.json()

    async def waiting(self, kind: str, timeout: float = 90.0, **match: str) -> dict[str, Any]:
        start = time.monotonic()
        wf: dict[str, Any] = {}
        while time.monotonic() - start < timeout:
            wf = (await self.get())["workflow"] or {}
            w = wf.get("waiting") or {}
            if w.get("kind") == kind and all(w.get(k) == v for k, v in match.items()):
                return w
            if wf.get("status") not in (None, "running"):
                break
            await asyncio.sleep(0.2)
        raise AssertionError(f"the election does not wait for {kind} {match}: {wf}")

    async def finished(self, timeout: float = 90.0) -> dict[str, Any]:
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            wf = (await self.get())["workflow"]
            if wf["status"] != "running":
                return wf  # type: ignore[no-any-return]
            await asyncio.sleep(0.3)
        raise AssertionError("the election did not finish")

    async def rounds(self, meeting_id: str) -> list[dict[str, Any]]:
        meeting = await self.get(f"/meetings/{meeting_id}")
        return [r for r in meeting["rounds"] if r["status"] == "open"]


async def ok(page: Any) -> None:
    """The page answered without an error box (an error names field and rule)."""
    box = await page.query_selector("div.error")
    assert box is None, await box.inner_text()


async def enter_paper_tally(page: Any, confirmer: Any, eid: str, rnd: dict[str, Any],
                            issued: int, returned: int, invalid: int,
                            counts: dict[str, tuple[int, int]]) -> None:
    """The paper tally entry at the desk (one place for every paper round of the test):
    the sheet as counted — issued, returned, invalid, each candidate's for / against by
    name — entered, then confirmed by the supervisor (总监票人, four eyes), which counts the
    round."""
    await page.goto(f"/console/desk/{eid}", wait_until="domcontentloaded")
    form = f"form.tally[data-round='{rnd['round_id']}']"
    await page.fill(f"{form} input[name=issued]", str(issued))
    await page.fill(f"{form} input[name=returned]", str(returned))
    await page.fill(f"{form} input[name=invalid]", str(invalid))
    for c in rnd["candidates"]:
        yes, no = counts.get(c["name"], (0, 0))
        await page.fill(f"{form} input[name='for.{c['person_id']}']", str(yes))
        await page.fill(f"{form} input[name='against.{c['person_id']}']", str(no))
    await submit(page, f"{form} button[type=submit]")
    await ok(page)
    await confirmer.goto(f"/console/tallies/{eid}", wait_until="domcontentloaded")
    decide = f"form.decide[action$='/{rnd['round_id']}']"
    await submit(confirmer, f"{decide} button[value=confirm]")
    await ok(confirmer)


async def warm_fonts(http: httpx.AsyncClient) -> None:
    """Every font slice cut before the first page waits for it (a cold cut takes seconds,
    minutes on a loaded machine; the files are cached after)."""
    css = (await http.get("/console/static/fonts.css", timeout=600)).text
    for url in sorted(set(re.findall(r"url\(([^)]+)\)", css))):
        r = await http.get(url.strip("'\""), timeout=600)
        assert r.status_code == 200, url


def roster_csv(scenario: dict[str, Any]) -> bytes:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["编号", "姓名", "身份"])
    for p in build_roster(scenario):
        w.writerow([p.person_id, p.name, STATUS_ZH[p.status]])
    return out.getvalue().encode("utf-8")


async def decide_all(page: Any, selector: str, button: str, reason: str) -> int:
    """Decides every item of the inbox section, one form at a time (each answer reloads)."""
    n = 0
    while (item := await page.query_selector(f"{selector} form.decide")) is not None:
        await (await item.query_selector("input[name=reason]")).fill(reason)
        async with page.expect_navigation(wait_until="domcontentloaded"):
            await (await item.query_selector(f"button[value={button}]")).click()
        await ok(page)
        n += 1
    return n


async def test_one_election_conducted_in_the_browser(
        browser: Any, shot: Shot, stack: EmbeddedStack, api_url: str,  # noqa: F811
        http: httpx.AsyncClient, make_token: TokenFactory) -> None:
    from gongtui.runner import play_scenario

    scenario = load(SCENARIO)
    simulated = asyncio.create_task(play_scenario(scenario, stack.settings, day_seconds=0.2))
    c = scenario["community"]
    street, community, district = c["street"], c["id"], "brw-el-d"
    root = bearer(await make_token("district_admin", "district:*"))
    for path, body in (("districts", {"district_id": district, "name": "桃源区"}),
                       ("streets", {"street_id": street, "district_id": district,
                                    "name": "桃源街道"}),
                       ("communities", {"community_id": community, "street_id": street,
                                        "name": c["name"], "org_type": c["org_type"]})):
        r = await http.post(f"/api/v1/{path}", headers=root, json=body)
        assert r.status_code == 201, r.text
    # the street committee's size is the district's to register (M11), never the desk's
    r = await http.put(f"/api/v1/streets/{street}/committee", headers=root,
                       json={"size": scenario["committee"]["size"]})
    assert r.status_code == 200, r.text
    await warm_fonts(http)
    people = build_roster(scenario)
    by_name = {p.name: p for p in people}
    size: dict[str, Any] = {"viewport": {"width": 1366, "height": 900}}

    async def person(role: str, scope: str, name: str, person_id: str = "") -> Any:
        return await signed_in(browser, api_url, await make_token(role, scope, person_id, name),
                               **size)

    # 区委组织部 starts the cycle for the community
    admin = await person("district_admin", f"district:{district}", "区委组织部")
    if await admin.get_attribute("#cycle", "open") is None:  # open while none is running
        await admin.click("#cycle summary")
    await admin.fill("#cycle input[name=cycle_id]", "2026")
    await admin.fill("#cycle input[name=community_ids]", community)
    await admin.fill("#cycle input[name=day_seconds]", str(DAY))
    await submit(admin, "#cycle button[type=submit]")
    await ok(admin)
    r = await http.get("/api/v1/elections", headers=root)
    eid = next(e["election_id"] for e in r.json() if e["community_id"] == community)
    election = Election(http, root, eid)
    await election.waiting("plan")

    # 社区选举工作小组: the roster file, then the plan
    office = await person("community_office", f"community:{community}", "社区选举工作小组")
    await office.goto(f"/console/roster/{eid}", wait_until="domcontentloaded")
    await office.set_input_files("input[name=file]", files=[{
        "name": "名册.csv", "mimeType": "text/csv", "buffer": roster_csv(scenario)}])
    await submit(office, "form[enctype] button[type=submit]")
    await ok(office)
    await submit(office, "#preview button[type=submit]")
    await ok(office)
    await office.goto(f"/console/nominate/{eid}", wait_until="domcontentloaded")
    for post, spec in scenario["plan"]["posts"].items():
        for k, v in spec.items():
            await office.fill(f"#plan input[name='{post}.{k}']", str(v))
    await submit(office, "#plan button[type=submit]")
    await ok(office)

    # 街道党工委 approves the plan
    committee = await person("street_committee", f"street:{street}", "街道党工委")
    supervisor = await person("supervisor", f"street:{street}", "监督委员会")
    await committee.goto(f"/console/street/{eid}", wait_until="domcontentloaded")
    assert await decide_all(committee, "#plan", "approve", "符合规定") == 1
    await election.waiting("nominations")

    # nominations in the three channels; the joint one's co-signers as signed on paper
    await office.goto(f"/console/nominate/{eid}", wait_until="domcontentloaded")
    for nom in scenario["nominations"]:
        await office.select_option("form.register select[name=person_id]",
                                   by_name[nom["name"]].person_id)
        await office.select_option("form.register select[name=post]", nom["post"])
        await office.select_option("form.register select[name=channel]", nom["channel"])
        await submit(office, "form.register button[type=submit]")
        await ok(office)
    for nom in scenario["nominations"]:
        if nom["channel"] != "joint":
            continue
        want = nom["cosigners"]
        signers = ([p.name for p in people if p.status == "full" and not p.named]
                   [:want["members"]]
                   + [p.name for p in people if p.status == "resident"][:want["residents"]])
        row = f"tr[data-name='{nom['name']}'] form.cosign"
        await office.fill(f"{row} input[name=person_ids]", " ".join(signers))
        await submit(office, f"{row} button[type=submit]")
        await ok(office)
    await shot(office, "nominate")
    await submit(office, "form.close-window button[type=submit]")
    await ok(office)

    # a member signed in beforehand, to object during the registrants notice
    objection = scenario["objections"][0]
    filer = next(p for p in people if p.status == "full" and not p.named)
    member = await person("member", f"community:{community}", filer.name, filer.person_id)

    # the street's qualification review, each with a reason
    await election.waiting("review")
    await committee.goto(f"/console/street/{eid}", wait_until="domcontentloaded")
    assert await decide_all(committee, "#reviews", "approve", "资格审查通过") == len(
        scenario["nominations"])

    # the member objects on the public notice board during the registrants notice
    await election.waiting("notice", notice="registrants")
    await member.goto(f"/console/notices/{eid}", wait_until="domcontentloaded")
    card = "article[data-kind=registrants]"
    await member.click(f"{card} details.objection summary")
    await member.select_option(f"{card} select[name=person_id]",
                               by_name[objection["against"]].person_id)
    await member.fill(f"{card} textarea[name=reason]", "群众反映该同志有违规行为，请核查")
    await submit(member, f"{card} button[type=submit]")
    await ok(member)
    await committee.goto(f"/console/street/{eid}", wait_until="domcontentloaded")
    assert await decide_all(committee, "#objections", "dismissed", "经核查，反映不实") == 1

    # the recommendation meeting: check-in, the quorum, paper tallies, the meeting closed
    rec = scenario["recommendation"]
    w = await election.waiting("recommendation_checkin")
    full = [p for p in people if p.status == "full" and not p.excluded_reason]
    full.sort(key=lambda p: not p.named)
    others = [p for p in people if p.status != "full"]
    present = full[:rec["attendance"]["members"]] + others[:rec["attendance"]["others"]]
    await office.goto(f"/console/desk/{eid}", wait_until="domcontentloaded")
    await office.fill("form.checkin input[name=person_ids]", " ".join(p.name for p in present))
    await submit(office, "form.checkin button[type=submit]")
    await ok(office)
    await submit(office, f"section[data-meeting='{w['meeting_id']}'] form.confirm button")
    await ok(office)
    w = await election.waiting("recommendation")
    for rnd in await election.rounds(w["meeting_id"]):
        if rnd["kind"] == "recommendation":
            voters = rec["attendance"]["members"]
            counts = {n: (v, 0) for n, v in rec["votes"][rnd["post"]].items()}
        else:
            voters = rec["attendance"]["others"]
            counts = {n: (v["yes"], v["no"]) for n, v in rec["trust"].items()}
        await enter_paper_tally(office, supervisor, eid, rnd, voters, voters, 0, counts)
    # the desk as it is now the supervisor has confirmed the last sheet
    await office.goto(f"/console/desk/{eid}", wait_until="domcontentloaded")
    await submit(office, f"section[data-meeting='{w['meeting_id']}'] form.close-meeting button")
    await ok(office)

    # 组织考察 by the street committee
    await election.waiting("inspection")
    await committee.goto(f"/console/street/{eid}/work", wait_until="domcontentloaded")
    for name, verdict in {**{n: "pass" for n in by_name}, **scenario["inspection"]}.items():
        form = f"#inspections div[data-name='{name}'] form.decide"
        if await committee.query_selector(form) is None:
            continue
        await committee.fill(f"{form} input[name=report]", "考察合格" if verdict == "pass"
                             else "考察不合格")
        await submit(committee, f"{form} button[value={verdict}]")
        await ok(committee)
    await shot(committee, "street-work")

    # 差额票决: the committee's headcount and its rounds, on paper at the desk
    spec = scenario["committee"]
    w = await election.waiting("committee_session")
    await committee.goto(f"/console/desk/{eid}", wait_until="domcontentloaded")
    sitting = f"section[data-meeting='{w['meeting_id']}']"
    await committee.fill(f"{sitting} input[name=committee_size]", str(spec["size"]))
    await committee.fill(f"{sitting} input[name=headcount]", str(spec["present"]))
    await submit(committee, f"{sitting} form.headcount button")
    await ok(committee)
    await submit(committee, f"{sitting} form.confirm button")
    await ok(committee)
    for vote in spec["rounds"]:
        w = await election.waiting("committee_round", post=vote["post"])
        rnd = next(r for r in await election.rounds(w["meeting_id"])
                   if r["round_id"] == w["round_id"])
        await enter_paper_tally(committee, supervisor, eid, rnd, spec["present"], spec["present"], 0,
                                {n: (v, 0) for n, v in vote["for"].items()})

    # 党员大会: check-in with the quorum on the big screen
    session = scenario["congress"][0]
    w = await election.waiting("congress_session")
    hall = await browser.new_context(base_url=api_url, locale="zh-CN",
                                     viewport={"width": 1920, "height": 1080})
    screen = await hall.new_page()
    await screen.goto(f"/console/screen/{eid}", wait_until="domcontentloaded")
    voters = full[:session["present"]]
    await office.goto(f"/console/desk/{eid}", wait_until="domcontentloaded")
    await office.fill("form.checkin input[name=person_ids]", " ".join(p.name for p in voters))
    await submit(office, "form.checkin button[type=submit]")
    await ok(office)
    await text_becomes(screen, "#present", lambda t: t == str(session["present"]), 10.0)
    await submit(office, f"section[data-meeting='{w['meeting_id']}'] form.confirm button")
    await ok(office)
    await text_becomes(screen, "#quorum", lambda t: t == "已达法定人数", 10.0)

    # the secretary round cast on the phone page: ballots issued, codes printed, casting
    first = next(r for r in session["rounds"] if r["post"] == "secretary")
    w = await election.waiting("congress_round", post="secretary")
    rnd = next(r for r in await election.rounds(w["meeting_id"])
               if r["round_id"] == w["round_id"])
    box = f"div.electronic[data-round='{rnd['round_id']}']"
    await office.goto(f"/console/desk/{eid}", wait_until="domcontentloaded")
    await office.fill(f"{box} form.issue input[name=person_ids]",
                      " ".join(p.name for p in voters[:first["issued"]]))
    await submit(office, f"{box} form.issue button")
    await ok(office)
    codes = [await c.inner_text() for c in await office.query_selector_all("#codes code.code")]
    assert len(codes) == first["issued"]
    await shot(office, "desk-codes")
    await office.goto(f"/console/desk/{eid}", wait_until="domcontentloaded")
    await submit(office, f"{box} form.casting button")
    await ok(office)
    ids = {cand["name"]: cand["person_id"] for cand in rnd["candidates"]}
    marks = [name for name, n in first["for"].items() for _ in range(n)]
    phones = await browser.new_context(base_url=api_url, locale="zh-CN", is_mobile=True,
                                       viewport={"width": 360, "height": 640},
                                       java_script_enabled=False)
    phone = await phones.new_page()
    for code, name in zip(codes, marks, strict=True):
        await phone.goto(f"/ballot?round={rnd['round_id']}", wait_until="domcontentloaded")
        await phone.fill("#code", code)
        await submit(phone, "button[type=submit]")
        await phone.check(f"input[name='c.{ids[name]}'][value=for]")
        await submit(phone, "button[type=submit]")
        await submit(phone, "button.primary")
        assert (await phone.inner_text("#receipt")).startswith("sha256:")
    assert await phones.cookies() == []
    await phones.close()
    await submit(office, f"{box} form.count button")
    await ok(office)
    await text_becomes(screen, "#returned", lambda t: t == str(first["returned"]), 10.0)

    # the member round on paper
    for spec_round in session["rounds"]:
        if spec_round["post"] == "secretary":
            continue
        w = await election.waiting("congress_round", post=spec_round["post"])
        rnd = next(r for r in await election.rounds(w["meeting_id"])
                   if r["round_id"] == w["round_id"])
        await enter_paper_tally(office, supervisor, eid, rnd, spec_round["issued"], spec_round["returned"],
                                spec_round["invalid"],
                                {n: (v, 0) for n, v in spec_round["for"].items()})
    await office.goto(f"/console/timeline/{eid}", wait_until="domcontentloaded")
    assert await office.query_selector("#steps a[data-doc=minutes]") is not None
    await shot(office, "timeline")
    await hall.close()

    # 上级党组织 approves from the inbox (the 请示 linked beside the dossier)
    await election.waiting("approval", timeout=120)
    approver = await person("approver", f"street:{street}", "上级党委")
    assert await approver.query_selector("a[data-doc=request]") is not None
    while (card := await approver.query_selector("article[data-approval]")) is not None:
        await (await card.query_selector("input[name=reason]")).fill("同意")
        async with approver.expect_navigation(wait_until="domcontentloaded"):
            await (await card.query_selector("button[value=approve]")).click()
        await ok(approver)
    wf = await election.finished()
    assert wf["status"] == "completed", wf

    # 监督委员会: the chain verified on screen, the complaints read
    await supervisor.goto(f"/console/audit/{eid}", wait_until="domcontentloaded")
    assert "审计链完整" in await supervisor.inner_text("#verdict")
    await supervisor.goto(f"/console/complaints/{eid}", wait_until="domcontentloaded")
    rows = await supervisor.inner_text("#complaints")
    assert objection["against"] in rows and "异议不成立" in rows
    assert await supervisor.query_selector("#complaints form") is None  # read-only
    await shot(supervisor, "supervisor-complaints")

    # the outcome equals the simulation of the same inputs
    from gongtui.simulate.clients import Clients
    from gongtui.simulate.driver import Play
    from gongtui.simulate.report import build_output
    from workflows.election.workflows import CommunityElectionWorkflow

    clients = await Clients.connect(stack.settings)
    try:
        play = Play(scenario, clients, stack.settings, election_id=eid)
        info = await election.get()
        handle = clients.temporal.get_workflow_handle(info["workflow_id"])
        play.status = await handle.query(CommunityElectionWorkflow.status)
        browser_out = await build_output(play)
    finally:
        await clients.close()
    expected = await asyncio.wait_for(simulated, 300)
    assert expected["status"] == "completed", expected
    assert browser_out["audit"]["verified"] and expected["audit"]["verified"]
    for key in KEYS:
        assert browser_out[key] == expected[key], key
    for page in (admin, office, committee, member, approver, supervisor):
        await page.context.close()
