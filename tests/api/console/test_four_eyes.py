"""The second pair of eyes on the console, on the real stack: the supervisor's (总监票人)
screen lists each paper tally the desk entered, confirms it (the round is counted) or sends it
back with a reason; the street committee's inbox consents to an E2 exclusion."""

from __future__ import annotations

import httpx
import pytest

from gongtui.stack import EmbeddedStack
from tests.api.conftest import Stubs, TokenFactory, bearer
from tests.api.console.conftest import congress, csrf_of, place, roster, sign_in
from tests.api.console.test_street import form_key

pytestmark = pytest.mark.stack


async def test_the_supervisor_confirms_a_paper_tally_on_screen(
        stack: EmbeddedStack, http: httpx.AsyncClient, stubs: Stubs,
        make_token: TokenFactory) -> None:
    _, street, community, eid = await place(stack, stubs, "ctally")
    office_token = await make_token("community_office", f"community:{community}",
                                    name="李会计")
    office = bearer(office_token)
    await roster(http, office, eid)
    c = await congress(http, stubs, eid, office)
    r = await http.post(f"/api/v1/elections/{eid}/rounds/{c.round_id}/tally", headers=office,
                        json={"issued": 5, "returned": 5,
                              "lines": [{"person_id": "p1", "votes_for": 4}]})
    assert r.status_code == 200, r.text
    # the desk shows that the tally waits for the supervisor
    await sign_in(http, office_token)
    desk = await http.get(f"/console/desk/{eid}")
    assert "已由 李会计 录入，待总监票人确认" in desk.text, desk.text
    # not the office's screen
    page = await http.get(f"/console/tallies/{eid}")
    assert page.status_code == 403, page.text

    await sign_in(http, await make_token("supervisor", f"street:{street}", name="王监票"))
    page = await http.get(f"/console/tallies/{eid}")
    assert page.status_code == 200 and f'data-round="{c.round_id}"' in page.text, page.text
    assert "李会计" in page.text and "计票结果确认（总监票人）" in page.text
    action = f"/console/tallies/{eid}/{c.round_id}"
    r = await http.post(action, data={"csrf": csrf_of(page.text), "decision": "reject",
                                      "reason": "", "key": form_key(page.text, action)})
    assert r.status_code == 422 and "reason" in r.text, r.text  # a reason is required
    r = await http.post(action, follow_redirects=True, data={
        "csrf": csrf_of(page.text), "decision": "reject", "reason": "有效票数不符",
        "key": form_key(page.text, action)})
    assert r.status_code == 200 and "第 1 轮计票结果已退回" in r.text, r.text
    assert f'data-round="{c.round_id}"' not in r.text  # back at the desk, not here
    rnd = (await http.get(f"/api/v1/elections/{eid}/rounds/{c.round_id}",
                          headers=office)).json()
    assert (rnd["tally_status"], rnd["tally_note"]) == ("rejected", "有效票数不符")

    r = await http.post(f"/api/v1/elections/{eid}/rounds/{c.round_id}/tally", headers=office,
                        json={"issued": 5, "returned": 5,
                              "lines": [{"person_id": "p1", "votes_for": 3}]})
    page = await http.get(f"/console/tallies/{eid}")
    r = await http.post(action, follow_redirects=True, data={
        "csrf": csrf_of(page.text), "decision": "confirm", "reason": "",
        "key": form_key(page.text, action)})
    assert r.status_code == 200 and "第 1 轮计票结果已确认并计票" in r.text, r.text
    rnd = (await http.get(f"/api/v1/elections/{eid}/rounds/{c.round_id}",
                          headers=office)).json()
    assert rnd["status"] == "counted" and rnd["elected"] == ["p1"]
    assert rnd["tally_confirmed_by"] == "王监票"


async def test_the_street_committee_consents_to_an_exclusion_from_its_inbox(
        stack: EmbeddedStack, http: httpx.AsyncClient, stubs: Stubs,
        make_token: TokenFactory) -> None:
    _, street, community, eid = await place(stack, stubs, "cexcl")
    office = bearer(await make_token("community_office", f"community:{community}"))
    r = await http.post(f"/api/v1/elections/{eid}/roster", headers=office, json={"people": [
        {"person_id": "p1", "name": "王建国", "status": "full"},
        {"person_id": "p2", "name": "李秀英", "status": "full", "excluded_reason": "abroad"}]})
    assert r.status_code == 200, r.text
    await sign_in(http, await make_token("street_committee", f"street:{street}",
                                         name="组织委员"))
    page = await http.get(f"/console/street/{eid}")
    assert page.status_code == 200 and 'data-exclusion="p2"' in page.text, page.text
    assert 'data-exclusion="p1"' not in page.text
    action = f"/console/street/{eid}/exclusions/p2"
    r = await http.post(action, follow_redirects=True, data={
        "csrf": csrf_of(page.text), "decision": "consent", "reason": "出国半年以上",
        "key": form_key(page.text, action)})
    assert r.status_code == 200 and "已就不计入应到会事项作出决定" in r.text, r.text
    assert 'data-exclusion="p2"' not in r.text
    people = {p["person_id"]: p for p in (await http.get(
        f"/api/v1/elections/{eid}/roster", headers=office)).json()}
    assert (people["p2"]["exclusion_consent"], people["p2"]["exclusion_decided_by"]) == (
        "consented", "组织委员")
