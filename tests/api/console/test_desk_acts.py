"""The desk's electronic round and the working pages over httpx on the real stack: ballots
issued to people named at the desk answer their codes once (no-store) and the round counts
after casting opens; the desk may not close a congress session (409, the workflow closes it);
the supervisor's complaints view lists an objection and offers no act; the timeline shows
the steps to everyone in scope."""

from __future__ import annotations

import re

import httpx
import pytest

from gongtui.stack import EmbeddedStack
from tests.api.conftest import Stubs, TokenFactory, bearer
from tests.api.console.conftest import congress, place, registrants_notice, roster, sign_in

pytestmark = pytest.mark.stack


async def test_an_electronic_round_from_the_desk(
        stack: EmbeddedStack, http: httpx.AsyncClient, stubs: Stubs,
        make_token: TokenFactory) -> None:
    _, _, community, eid = await place(stack, stubs, "desk-e")
    token = await make_token("community_office", f"community:{community}")
    office = bearer(token)
    await roster(http, office, eid)
    c = await congress(http, stubs, eid, office)
    csrf = await sign_in(http, token)
    page = await http.get(f"/console/desk/{eid}")
    assert f'div class="card electronic" data-round="{c.round_id}"' in page.text
    assert "-r1-secretary-regular-ballot.pdf" in page.text  # the round's papers linked

    form = {"csrf": csrf, "person_ids": "王建国 李秀英 p3", "key": "issue-1"}
    r = await http.post(f"/console/desk/{eid}/rounds/{c.round_id}/issue", data=form)
    assert r.status_code == 200, r.text
    assert r.headers["cache-control"] == "no-store"
    codes = re.findall(r'<code class="code">([^<]+)</code>', r.text)
    assert len(codes) == 3
    again = await http.post(f"/console/desk/{eid}/rounds/{c.round_id}/issue", data=form)
    assert re.findall(r'<code class="code">([^<]+)</code>', again.text) == codes  # same key
    unknown = await http.post(f"/console/desk/{eid}/rounds/{c.round_id}/issue",
                              data={"csrf": csrf, "person_ids": "无此人"})
    assert unknown.status_code == 422 and 'data-field="person_ids[0]"' in unknown.text

    r = await http.post(f"/console/desk/{eid}/rounds/{c.round_id}/casting",
                        data={"csrf": csrf})
    assert r.status_code == 303, r.text
    for code in codes:
        cast = await http.post("/api/v1/ballots", json={"round_id": c.round_id, "code": code,
                                                        "marks": [{"person_id": "p1",
                                                                   "choice": "for"}]})
        assert cast.status_code == 201, cast.text
    r = await http.post(f"/console/desk/{eid}/rounds/{c.round_id}/count", data={"csrf": csrf})
    assert r.status_code == 303, r.text
    rnd = (await http.get(f"/api/v1/elections/{eid}/rounds/{c.round_id}", headers=office)).json()
    assert rnd["status"] == "counted" and rnd["source"] == "electronic" and rnd["returned"] == 3

    closed = await http.post(f"/api/v1/elections/{eid}/meetings/{c.meeting_id}/close",
                             headers=office)
    assert closed.status_code == 409 and closed.json()["field"] == "meeting_id"
    timeline = await http.get(f"/console/timeline/{eid}")
    assert timeline.status_code == 200 and "选举进程" in timeline.text


async def test_the_supervisor_reads_complaints_and_cannot_act(
        stack: EmbeddedStack, http: httpx.AsyncClient, stubs: Stubs,
        make_token: TokenFactory) -> None:
    _, street, community, eid = await place(stack, stubs, "compl")
    office = bearer(await make_token("community_office", f"community:{community}"))
    await roster(http, office, eid, extra=25)
    await registrants_notice(http, stubs, eid, office, days=50)
    member = bearer(await make_token("member", f"community:{community}", person_id="p3"))
    r = await http.post(f"/api/v1/elections/{eid}/objections", headers=member, json={
        "notice_kind": "registrants", "person_id": "p1", "reason": "群众反映"})
    assert r.status_code == 201, r.text
    await sign_in(http, await make_token("supervisor", f"street:{street}"))
    page = await http.get(f"/console/complaints/{eid}")
    assert page.status_code == 200, page.text
    table = page.text[page.text.index('id="complaints"'):]
    assert "王建国" in table and "群众反映" in table and "待处理" in table
    assert "<form" not in table
    assert "异议不成立" not in (await http.get(f"/console/complaints/{eid}",
                                          params={"status": "dismissed"})).text.split(
        'id="complaints"')[1].split("</table>")[0]
    await sign_in(http, await make_token("member", f"community:{community}", person_id="p4"))
    refused = await http.get(f"/console/complaints/{eid}")
    assert refused.status_code == 403  # members file objections; they do not read them all
