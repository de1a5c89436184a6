"""The voter's ballot page on the real stack, with no sign-in: the post and the candidates in
ballot order, for / against / abstain with a write-in beside against (congress rounds), a
review step, the receipt; cast through the REST cast route's function (the stored ballot is
the one the close counts); no cookie, no third-party asset, no access-log line."""

from __future__ import annotations

import re

import httpx
import pytest

from gongtui.stack import EmbeddedStack
from proto import voting_pb2
from tests.api.conftest import Stubs, TokenFactory, bearer
from tests.api.console.conftest import codes, congress, place, roster

pytestmark = pytest.mark.stack


def no_cookie(r: httpx.Response) -> None:
    assert "set-cookie" not in r.headers, r.headers
    assert r.headers["cache-control"] == "no-store"


async def test_a_voter_casts_on_the_phone_page_and_nothing_remembers_them(
        stack: EmbeddedStack, api_url: str, http: httpx.AsyncClient, stubs: Stubs,
        make_token: TokenFactory) -> None:
    _, _, community, eid = await place(stack, stubs, "vote")
    office = bearer(await make_token("community_office", f"community:{community}"))
    await roster(http, office, eid)
    c = await congress(http, stubs, eid, office)
    issued = await codes(http, c, ["p1", "p2", "p3"])

    async with httpx.AsyncClient(base_url=api_url, timeout=60) as voter:
        start = await voter.get("/ballot", params={"round": c.round_id})
        assert start.status_code == 200 and "一次性投票码" in start.text
        no_cookie(start)
        assets = re.findall(r'(?:href|src|action)="([^"]+)"', start.text)
        assert assets and all(a.startswith("/ballot") for a in assets), assets
        assert "<script" not in start.text  # works with JavaScript off: there is none

        ballot = await voter.post("/ballot/open", data={"round_id": c.round_id,
                                                        "code": issued[0]})
        assert ballot.status_code == 200, ballot.text
        no_cookie(ballot)
        assert "书记" in ballot.text and "应选 1 名" in ballot.text
        order = [x.name for x in (await stubs.voting.GetRound(
            voting_pb2.GetRoundRequest(round_id=c.round_id))).candidates]
        assert sorted(order, key=ballot.text.index) == order  # the ballot order (M12)
        for choice in ("赞成", "不赞成", "弃权"):
            assert choice in ballot.text
        assert 'name="w.p2"' in ballot.text  # a write-in beside against (M4, congress)

        marks = {"round_id": c.round_id, "code": issued[0], "c.p2": "against", "w.p2": "张伟",
                 "c.p1": "abstain"}
        review = await voter.post("/ballot/review", data=marks)
        assert review.status_code == 200
        assert "投出后不能更改" in review.text and "不赞成，另选他人：张伟" in review.text
        assert "弃权" in review.text
        receipt = await voter.post("/ballot/cast", data=marks)
        assert receipt.status_code == 200, receipt.text
        no_cookie(receipt)
        digest = re.search(r'id="receipt">(sha256:[0-9a-f]+)<', receipt.text)
        assert digest and "有效票" in receipt.text

        again = await voter.post("/ballot/cast", data=marks)  # the code casts once
        assert again.status_code == 409
        assert "投票码（code）" in again.text and "already used" in again.text

        # an invalid ballot is still cast, and says which rule spoilt it (M3: two for, 1 seat)
        spoilt = await voter.post("/ballot/cast", data={
            "round_id": c.round_id, "code": issued[1], "c.p1": "for", "c.p2": "for"})
        assert spoilt.status_code == 200 and "无效票（规则 M3）" in spoilt.text
        assert len(voter.cookies.jar) == 0

    # the REST route takes the last code: one store, one count
    r = await http.post("/api/v1/ballots", json={"round_id": c.round_id, "code": issued[2],
                                                 "marks": [{"person_id": "p1",
                                                            "choice": "for"}]})
    assert r.status_code == 201, r.text
    r = await http.post(f"/api/v1/elections/{eid}/rounds/{c.round_id}/close", headers=office)
    assert r.status_code == 200, r.text
    counted = r.json()
    assert counted["returned"] == 3 and counted["valid"] == 2 and counted["invalid"] == 1
    assert {w["name"]: w["votes"] for w in counted["write_ins"]} == {"张伟": 1}

    log = (stack.log_dir / "api.log").read_text(errors="replace")
    assert "/ballot" not in log.replace("/ballots", "")  # no line of the ballot page
    for code in issued:
        assert code not in log


async def test_a_closed_round_or_an_unknown_one_is_refused_with_its_field(
        api_url: str) -> None:
    async with httpx.AsyncClient(base_url=api_url, timeout=60) as voter:
        r = await voter.post("/ballot/open", data={"round_id": "no-such-round", "code": "x"})
        assert r.status_code == 404 and "轮次编号（round_id）" in r.text
        assert "set-cookie" not in r.headers
