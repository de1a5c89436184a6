"""The public notice board and the big screen on the real stack: each notice's period and
countdown; an objection filed from the board (the REST route's checks: a member in scope;
a missing reason refused with its field and rule); the big screen's 应到 / 实到 live, a
round's issued / returned, and its results only after the desk's 公布."""

from __future__ import annotations

import re

import httpx
import pytest

from gongtui.stack import EmbeddedStack
from tests.api.conftest import Stubs, TokenFactory, bearer
from tests.api.console.conftest import codes, congress, csrf_of, place, registrants_notice, roster
from tests.api.console.conftest import sign_in as console_sign_in

pytestmark = pytest.mark.stack


async def test_the_board_shows_period_and_countdown_and_takes_an_objection(
        stack: EmbeddedStack, http: httpx.AsyncClient, api_url: str, stubs: Stubs,
        make_token: TokenFactory) -> None:
    _, _, community, eid = await place(stack, stubs, "board")
    office = bearer(await make_token("community_office", f"community:{community}"))
    await roster(http, office, eid, extra=25)
    await registrants_notice(http, stubs, eid, office)

    async with httpx.AsyncClient(base_url=api_url, timeout=60) as public:
        boards = await public.get("/console/notices")
        assert boards.status_code == 200 and f"/console/notices/{eid}" in boards.text
        board = await public.get(f"/console/notices/{eid}")
        assert board.status_code == 200, board.text
        assert "报名人员公示" in board.text and "公示期 5 天" in board.text
        assert "王建国" in board.text and "李秀英" in board.text
        assert re.search(r'class="countdown" data-ends="[^"]+"', board.text)
        assert "提出异议须以本社区党员" in board.text  # no form without sign-in

    member = await make_token("member", f"community:{community}", person_id="p3")
    csrf = await console_sign_in(http, member)
    board = await http.get(f"/console/notices/{eid}")
    assert 'name="person_id"' in board.text and csrf_of(board.text) == csrf
    r = await http.post(f"/console/notices/{eid}/objections", data={
        "csrf": csrf, "notice_kind": "registrants", "person_id": "p1", "reason": ""})
    assert r.status_code == 422 and "理由（reason）" in r.text
    r = await http.post(f"/console/notices/{eid}/objections", data={
        "csrf": csrf, "notice_kind": "registrants", "person_id": "p1", "post": "secretary",
        "reason": "群众反映该同志长期不在社区居住"}, follow_redirects=True)
    assert r.status_code == 200 and "异议已提交" in r.text, r.text
    street = bearer(await make_token("street_committee", "street:s-board"))
    listed = await http.get(f"/api/v1/elections/{eid}/objections", headers=street)
    assert [o["person_id"] for o in listed.json()] == ["p1"]
    # another community's member is out of scope, as in the API
    await console_sign_in(http, await make_token("member", "community:c-elsewhere"))
    r = await http.post(f"/console/notices/{eid}/objections", data={
        "csrf": csrf_of((await http.get("/console/", follow_redirects=True)).text),
        "notice_kind": "registrants", "person_id": "p1", "reason": "x"})
    assert r.status_code == 403 and "范围（scope）" in r.text


async def test_the_big_screen_counts_live_and_shows_results_only_after_publishing(
        stack: EmbeddedStack, http: httpx.AsyncClient, api_url: str, stubs: Stubs,
        make_token: TokenFactory) -> None:
    _, _, community, eid = await place(stack, stubs, "screen")
    office_token = await make_token("community_office", f"community:{community}")
    office = bearer(office_token)
    await roster(http, office, eid)
    checking = await congress(http, stubs, eid, office, check_in=["p1", "p2"])

    async with httpx.AsyncClient(base_url=api_url, timeout=60) as hall:
        screen = await hall.get(f"/console/screen/{eid}")
        assert screen.status_code == 200
        assert 'id="expected">5<' in screen.text and 'id="present">2<' in screen.text
        assert "未达法定人数" in screen.text and "至少需 5 人" in screen.text  # M1: 4/5 of 5
        assert "screen.js" in screen.text

        csrf = await console_sign_in(http, office_token)
        desk = await http.get(f"/console/desk/{eid}")
        assert desk.status_code == 200 and "签到中" in desk.text
        found = await http.get(f"/console/desk/{eid}", params={"q": "刘"})
        assert 'name="pick" value="p4"' in found.text and "刘洋（p4）" in found.text
        url = f"/console/desk/{eid}/meetings/{checking.meeting_id}/check-in"
        r = await http.post(url, data={"csrf": csrf, "person_ids": "p3，无此人"})
        assert r.status_code == 422 and "人员（person_ids[1]）" in r.text  # nothing checked in
        assert 'id="present">2<' in (await hall.get(f"/console/screen/{eid}/live")).text
        r = await http.post(url, data={"csrf": csrf, "person_ids": "p3 陈静", "pick": "p4"})
        assert r.status_code == 303, r.text
        live = await hall.get(f"/console/screen/{eid}/live")
        assert 'id="present">5<' in live.text

    # a second election: a counted round, then 公布
    _, _, community2, eid2 = await place(stack, stubs, "screen2")
    office2_token = await make_token("community_office", f"community:{community2}")
    office2 = bearer(office2_token)
    await roster(http, office2, eid2)
    c = await congress(http, stubs, eid2, office2)
    issued = await codes(http, c, ["p1", "p2", "p3", "p4", "p5"])
    async with httpx.AsyncClient(base_url=api_url, timeout=60) as hall:
        during = await hall.get(f"/console/screen/{eid2}/live")
        assert 'id="issued">5<' in during.text and 'id="returned">0<' in during.text
        for code in issued:
            r = await http.post("/api/v1/ballots", json={"round_id": c.round_id, "code": code,
                                                         "marks": [{"person_id": "p1",
                                                                    "choice": "for"}]})
            assert r.status_code == 201
        csrf = await console_sign_in(http, office2_token)
        r = await http.post(f"/console/desk/{eid2}/rounds/{c.round_id}/publish",
                            data={"csrf": csrf})
        assert r.status_code == 409 and "only a counted round" in r.text  # still open
        r = await http.post(f"/api/v1/elections/{eid2}/rounds/{c.round_id}/close",
                            headers=office2)
        assert r.status_code == 200 and r.json()["elected"] == ["p1"]
        counted = await hall.get(f"/console/screen/{eid2}/live")
        assert 'id="returned">5<' in counted.text
        assert 'id="results"' not in counted.text and "当选" not in counted.text  # not yet

        # another community's office may not publish this round (the API's scope check)
        other = await make_token("community_office", f"community:{community}")
        await console_sign_in(http, other)
        r = await http.post(f"/console/desk/{eid2}/rounds/{c.round_id}/publish",
                            data={"csrf": csrf_of((await http.get(
                                "/console/", follow_redirects=True)).text)})
        assert r.status_code == 403 and "范围（scope）" in r.text

        csrf = await console_sign_in(http, office2_token)
        r = await http.post(f"/console/desk/{eid2}/rounds/{c.round_id}/publish",
                            data={"csrf": csrf}, follow_redirects=True)
        assert r.status_code == 200 and "第 1 轮结果已公布" in r.text and "已公布" in r.text
        shown = await hall.get(f"/console/screen/{eid2}/live")
        assert 'id="results"' in shown.text and "当选" in shown.text
        assert "<svg class=\"chart\"" in shown.text and ">5</text>" in shown.text


def test_the_screen_keeps_a_counted_round_until_the_next_one_has_figures() -> None:
    """The workflow opens the next round as soon as one is counted; the hall still reads the
    counted round's returned count until the next one's ballots are issued or its tally
    entered."""
    from api.console.screen import _followed
    from proto import voting_pb2

    def followed(*rounds: voting_pb2.Round) -> str:
        found = _followed(list(rounds))
        return found.round_id if found is not None else ""

    counted = voting_pb2.Round(round_id="r1", status="counted", issued=12, returned=12)
    waiting = voting_pb2.Round(round_id="r2", status="open")
    assert followed(counted, waiting) == "r1"
    waiting.issued = 12
    assert followed(counted, waiting) == "r2"
    assert followed(voting_pb2.Round(round_id="r1", status="open")) == "r1"
    assert followed() == ""
