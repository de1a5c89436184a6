"""The street committee's inbox on the real stack: the plan approved, an objection filed
by a member decided, a qualification review decided, each with a reason through the REST
routes' checks and functions (NM4: a rejection needs a reason, shown with its rule); a
resubmitted form does not act twice; an office may not use the inbox (403 role)."""

from __future__ import annotations

import re

import httpx
import pytest

from gongtui.stack import EmbeddedStack
from proto import nomination_pb2
from tests.api.conftest import SYSTEM, Stubs, TokenFactory, bearer
from tests.api.console.conftest import csrf_of, place, registrants_notice, roster, sign_in

pytestmark = pytest.mark.stack
PLAN = {"posts": [
    {"post": "secretary", "seats": 1, "shortlist": 4, "inspected": 3, "candidates": 2},
    {"post": "deputy_secretary", "seats": 1, "shortlist": 4, "inspected": 3, "candidates": 2},
    {"post": "member", "seats": 3, "shortlist": 6, "inspected": 5, "candidates": 4}]}


def form_key(html: str, action: str) -> str:
    found = re.search(rf'action="{re.escape(action)}" class="decide">\s*<input type="hidden" '
                      rf'name="csrf" value="[^"]+">\s*<input type="hidden" name="key" '
                      rf'value="([^"]+)"', html)
    assert found, action
    return found.group(1)


async def test_the_street_decides_plan_objection_and_review_from_its_inbox(
        stack: EmbeddedStack, http: httpx.AsyncClient, stubs: Stubs,
        make_token: TokenFactory) -> None:
    _, street_id, community, eid = await place(stack, stubs, "street")
    office_token = await make_token("community_office", f"community:{community}")
    office = bearer(office_token)
    street_token = await make_token("street_committee", f"street:{street_id}")

    # the plan: drafted by the office, approved in the inbox
    _, _, community2, eid2 = await place(stack, stubs, "street2")
    office2 = bearer(await make_token("community_office", f"community:{community2}"))
    await roster(http, office2, eid2, extra=25)
    r = await http.post(f"/api/v1/elections/{eid2}/plan", headers=office2, json=PLAN)
    assert r.status_code == 200, r.text
    await sign_in(http, await make_token("street_committee", "street:s-street2"))
    page = await http.get(f"/console/street/{eid2}")
    assert page.status_code == 200 and "待审批" in page.text and "正式党员 30 名" in page.text
    r = await http.post(f"/console/street/{eid2}/plan", follow_redirects=True, data={
        "csrf": csrf_of(page.text), "decision": "approve", "reason": "符合规定",
        "key": form_key(page.text, f"/console/street/{eid2}/plan")})
    assert r.status_code == 200 and "选举方案已决定" in r.text and "已批准" in r.text, r.text

    # an objection filed on the registrants notice, decided here
    await roster(http, office, eid, extra=25)
    await registrants_notice(http, stubs, eid, office)
    member = bearer(await make_token("member", f"community:{community}", person_id="p3"))
    r = await http.post(f"/api/v1/elections/{eid}/objections", headers=member, json={
        "notice_kind": "registrants", "person_id": "p1", "reason": "反映其不符合居住条件"})
    assert r.status_code == 201, r.text
    oid = r.json()["objection_id"]
    csrf = await sign_in(http, street_token)
    page = await http.get(f"/console/street/{eid}")
    assert "反映其不符合居住条件" in page.text and "因异议暂缓" in page.text
    action = f"/console/street/{eid}/objections/{oid}"
    form = {"csrf": csrf, "decision": "dismissed", "reason": "经核实，该同志长期居住本社区",
            "key": form_key(page.text, action)}
    r = await http.post(action, data=form, follow_redirects=True)
    assert r.status_code == 200 and "异议已处理" in r.text and "异议不成立" in r.text, r.text
    again = await http.post(action, data=form, follow_redirects=True)  # resubmitted
    assert again.status_code == 200, again.text  # the same key: answered, not acted again
    r = await http.get(f"/api/v1/elections/{eid}/objections", headers=bearer(street_token))
    assert [(o["objection_id"], o["status"]) for o in r.json()] == [(oid, "dismissed")]

    # the window closed, a review: without a reason NM4 refuses, with one it is decided
    r = await http.post(f"/api/v1/elections/{eid}/nominations/close", headers=office)
    assert r.status_code == 200, r.text
    page = await http.get(f"/console/street/{eid}")
    pending = re.findall(r'data-registration="([^"]+)"', page.text)
    assert pending, page.text
    action = f"/console/street/{eid}/registrations/{pending[0]}"
    # before the automatic checks (E1, E3) the service refuses: shown with rule and field
    r = await http.post(action, data={"csrf": csrf, "decision": "approve", "reason": "通过",
                                      "key": form_key(page.text, action)})
    assert r.status_code == 409 and "NM4：资格审查" in r.text and "报名记录（registration_id）" in r.text
    await stubs.nomination.RunAutomaticReview(nomination_pb2.AutomaticReviewRequest(
        idempotency_key=f"test-auto/{eid}", actor=SYSTEM, election_id=eid))
    page = await http.get(f"/console/street/{eid}")
    r = await http.post(action, data={"csrf": csrf, "decision": "reject", "reason": "",
                                      "key": form_key(page.text, action)})
    assert r.status_code == 422 and "NM4：" in r.text and "理由（reason）" in r.text
    assert "a rejection needs a reason" in r.text
    page = await http.get(f"/console/street/{eid}")
    r = await http.post(action, follow_redirects=True, data={
        "csrf": csrf, "decision": "approve", "reason": "资格审查通过",
        "key": form_key(page.text, action)})
    assert r.status_code == 200 and "资格审查已决定" in r.text
    assert f'data-registration="{pending[0]}"' not in r.text

    # the inbox is the street committee's: an office is refused as the API refuses it
    await sign_in(http, office_token)
    r = await http.get(f"/console/street/{eid}")
    assert r.status_code == 403 and "角色（role）" in r.text
