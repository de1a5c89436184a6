"""The authorization matrix: every route × every role (and no token) against the table below.

``ok`` means the request passes authentication and authorization: a 2xx, or the answer of the
route itself to this placeholder data (404 / 409 / 422 naming a field), never 401 or 403 and
never a 5xx. Then every role allowed on an election route, with a token of another community /
street / district: 403 naming the scope."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from api.db import TokenRow, open_database, utcnow
from gongtui.stack import EmbeddedStack
from services.common.db import Database
from tests.api.conftest import Stubs, TokenFactory, bearer, create_election, register_place

pytestmark = pytest.mark.stack

ADM, STR, OFF, APP, SUP, MEM, RES = ("district_admin", "street_committee", "community_office",
                                     "approver", "supervisor", "member", "resident")
ALL = (ADM, STR, OFF, APP, SUP, MEM, RES)
STAFF = (ADM, STR, OFF, APP, SUP)
CLERKS = (ADM, STR, OFF, SUP)
PUBLIC = "public"
IN_SCOPE = {ADM: "district:d-mx", STR: "street:s-mx", OFF: "community:c-mx", APP: "street:s-mx",
            SUP: "district:d-mx", MEM: "community:c-mx", RES: "community:c-mx"}
OUT_OF_SCOPE = {ADM: "district:d-other", STR: "street:s-other", OFF: "community:c-other",
                APP: "street:s-other", SUP: "street:s-other", MEM: "community:c-other",
                RES: "community:c-other"}
E = "/api/v1/elections/{eid}"
CSV = "编号,姓名,身份\nq1,张三,正式党员\n".encode()

# (method, path, json body, who may)
ROUTES: list[tuple[str, str, Any, tuple[str, ...] | str]] = [
    ("GET", "/health", None, PUBLIC),
    ("GET", "/api/v1/health", None, PUBLIC),
    ("GET", "/api/v1/notices", None, PUBLIC),
    ("POST", "/api/v1/ballots", {"round_id": "rd-x", "code": "nope", "marks": []}, PUBLIC),
    ("GET", "/api/v1/me", None, ALL),
    ("GET", "/api/v1/tokens", None, (ADM,)),
    ("POST", "/api/v1/tokens", {"role": "member", "scope": "community:c-mx"}, (ADM,)),
    ("DELETE", "/api/v1/tokens/nope", None, (ADM,)),
    ("GET", "/api/v1/districts", None, STAFF),
    ("POST", "/api/v1/districts", {"district_id": "d-mx", "name": "d-mx"}, (ADM,)),
    ("GET", "/api/v1/streets", None, STAFF),
    ("POST", "/api/v1/streets", {"street_id": "s-mx", "district_id": "d-mx", "name": "s-mx"},
     (ADM,)),
    ("PUT", "/api/v1/streets/s-mx/committee", {"size": 9}, (ADM,)),
    ("GET", "/api/v1/streets/s-mx/committee", None, STAFF),
    ("GET", "/api/v1/communities", None, STAFF),
    ("POST", "/api/v1/communities", {"community_id": "c-mx2", "street_id": "s-mx"}, (ADM,)),
    ("GET", "/api/v1/profiles", None, ALL),
    ("GET", "/api/v1/profiles/nanjing", None, ALL),
    ("GET", "/api/v1/cycles", None, (ADM, SUP)),
    ("GET", "/api/v1/cycles/nope", None, (ADM, SUP)),
    ("POST", "/api/v1/cycles", {"cycle_id": "mx", "district_id": "d-mx",
                                "community_ids": ["c-nowhere"]}, (ADM,)),
    ("GET", "/api/v1/elections", None, STAFF),
    ("GET", E, None, ALL),
    ("POST", E + "/pause", {"reason": "检查"}, (ADM, STR, SUP)),
    ("POST", E + "/resume", {"reason": "继续"}, (ADM, STR, SUP)),
    ("POST", E + "/abort", {"reason": "停止"}, (ADM,)),
    ("POST", E + "/unfilled/secretary/decision", {"decision": "reduce"}, (STR,)),
    ("GET", E + "/audit/verify", None, ALL),
    ("GET", E + "/audit", None, (ADM, SUP)),
    ("GET", E + "/audit/bundle", None, (ADM, SUP)),  # the records and the ballots' marks
    ("GET", E + "/documents", None, ALL),
    ("GET", E + "/documents/nope.pdf", None, ALL),
    ("GET", E + "/archive.pdf", None, ALL),
    ("GET", E + "/archive.zip", None, (ADM, SUP)),  # it holds the audit records
    ("POST", E + "/plan", {"posts": [{"post": "secretary", "seats": 1, "shortlist": 4,
                                      "inspected": 3, "candidates": 2}]}, (OFF,)),
    ("GET", E + "/plan", None, STAFF),
    ("POST", E + "/plan/decision", {"decision": "approve"}, (STR,)),
    ("POST", E + "/roster", {"people": [{"person_id": "q1", "name": "张三",
                                         "status": "full"}]}, (OFF,)),
    ("POST", E + "/roster/import", CSV, (OFF,)),
    ("GET", E + "/roster", None, CLERKS),
    ("POST", E + "/registrations", {"person_id": "q1", "post": "secretary",
                                    "channel": "organization"}, (OFF,)),
    ("POST", E + "/self-nomination", {"post": "secretary"}, (MEM,)),
    ("GET", E + "/registrations", None, ALL),
    ("POST", E + "/registrations/rg-x/cosignatures", {}, (MEM, RES, OFF)),
    ("DELETE", E + "/registrations/rg-x/cosignatures/p-x", None, (MEM, RES, OFF)),
    ("POST", E + "/registrations/rg-x/review", {"decision": "approve"}, (STR,)),
    ("POST", E + "/nominations/close", None, (OFF,)),
    ("POST", E + "/inspections", {"post": "secretary", "person_id": "q1", "passed": True},
     (STR,)),
    ("GET", E + "/inspections", None, STAFF),
    ("POST", E + "/objections", {"notice_kind": "registrants", "person_id": "q1",
                                 "reason": "举报"}, (MEM, RES, SUP)),
    ("GET", E + "/objections", None, CLERKS),
    ("POST", E + "/objections/ob-x/decision", {"decision": "dismissed"}, (STR,)),
    ("GET", E + "/meetings", None, STAFF),
    ("GET", E + "/meetings/mt-x", None, STAFF),
    ("POST", E + "/meetings/mt-x/check-in", {"person_ids": ["q1"]}, (OFF, STR)),
    ("POST", E + "/meetings/mt-x/confirm-attendance", None, (OFF, STR)),
    ("POST", E + "/meetings/mt-x/close", None, (OFF, STR)),
    ("PUT", E + "/meetings/mt-x/details", {"place": "礼堂"}, (OFF, STR)),
    ("GET", E + "/rounds/rd-x", None, STAFF),
    ("POST", E + "/rounds/rd-x/ballots", {"person_ids": ["q1"]}, (OFF,)),
    ("POST", E + "/rounds/rd-x/casting", None, (OFF,)),
    ("POST", E + "/rounds/rd-x/ballots/reissue", {"issue_key": "k", "reason": "lost"}, (OFF,)),
    ("POST", E + "/rounds/rd-x/ballots/spoil", {"code": "c", "reason": "spoilt"}, (OFF,)),
    ("POST", E + "/rounds/rd-x/tally", {"issued": 1, "returned": 1}, (OFF, STR)),
    ("POST", E + "/rounds/rd-x/close", None, (OFF, STR)),
    ("POST", E + "/rounds/rd-x/confirm", None, (OFF, SUP)),
    ("POST", E + "/rounds/rd-x/tally/confirm", {"approve": True}, (SUP,)),
    ("POST", E + "/roster/exclusions", {"person_ids": ["q1"], "consent": True}, (STR,)),
    ("GET", "/api/v1/approvals", None, (APP, ADM, SUP)),
    ("GET", "/api/v1/approvals/ap-x", None, (APP, ADM, SUP)),
    ("POST", "/api/v1/approvals/ap-x/decision", {"decision": "approve"}, (APP,)),
    ("GET", "/api/v1/filings", None, (APP, ADM, SUP)),
]


async def _send(http: httpx.AsyncClient, method: str, path: str, body: Any,
                headers: dict[str, str]) -> httpx.Response:
    try:
        if isinstance(body, bytes):
            return await http.request(method, path, content=body,
                                      headers={**headers, "Content-Type": "text/csv"})
        return await http.request(method, path, json=body, headers=headers)
    except httpx.TimeoutException as exc:  # name the route that did not answer
        raise AssertionError(f"{method} {path}: no answer ({type(exc).__name__})") from exc


def _template(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path)


def test_the_table_covers_every_route(stack: EmbeddedStack) -> None:
    from api.main import create_app

    documented = {(m.upper(), _template(p))
                  for p, ops in create_app(stack.settings).openapi()["paths"].items()
                  for m in ops}
    concrete = {(m, re.sub(r"/(rg|mt|rd|ob|ap)-x", "/{}", p).replace("{eid}", "{}")
                 .replace("/tokens/nope", "/tokens/{}").replace("/cycles/nope", "/cycles/{}")
                 .replace("/profiles/nanjing", "/profiles/{}")
                 .replace("/unfilled/secretary", "/unfilled/{}")
                 .replace("/cosignatures/p-x", "/cosignatures/{}")
                 .replace("/documents/nope.pdf", "/documents/{}")
                 .replace("/streets/s-mx/", "/streets/{}/"))
                for m, p, _, _ in ROUTES}
    assert documented == concrete, (documented - concrete, concrete - documented)


async def test_authorization_matrix(stack: EmbeddedStack, http: httpx.AsyncClient,
                                    stubs: Stubs, make_token: TokenFactory) -> None:
    db = open_database(stack.settings)
    await register_place(db, "d-mx", "s-mx", "c-mx")
    await register_place(db, "d-other", "s-other", "c-other")
    await db.dispose()
    eid = await create_election(stubs, "c-mx", "s-mx", "d-mx")
    tokens = {role: bearer(await make_token(role, IN_SCOPE[role], person_id="p-x"
                                            if role in (MEM, RES) else "")) for role in ALL}
    strangers = {role: bearer(await make_token(role, OUT_OF_SCOPE[role], person_id="p-x"
                                               if role in (MEM, RES) else "")) for role in ALL}
    failures: list[str] = []
    for method, template, body, allowed in ROUTES:
        path = template.format(eid=eid)
        r = await _send(http, method, path, body, {})
        want = "ok" if allowed == PUBLIC else 401
        if (want == 401) != (r.status_code == 401) or r.status_code >= 500:
            failures.append(f"{method} {template} no token: {r.status_code} {r.text[:200]}")
        if allowed == PUBLIC:
            continue
        for role in ALL:
            r = await _send(http, method, path, body, tokens[role])
            ok = role in allowed
            got_ok = r.status_code not in (401, 403) and r.status_code < 500
            if ok != got_ok or r.status_code >= 500:
                failures.append(f"{method} {template} {role}: want {'ok' if ok else 403}, got "
                                f"{r.status_code} {r.text[:200]}")
            elif not ok and r.json()["field"] != "role":
                failures.append(f"{method} {template} {role}: 403 should name the role: {r.text}")
            if ok and template.startswith(E):
                r = await _send(http, method, path, body, strangers[role])
                if r.status_code != 403 or r.json()["field"] != "scope":
                    failures.append(f"{method} {template} {role} out of scope: want 403 scope, "
                                    f"got {r.status_code} {r.text[:200]}")
    assert not failures, "\n".join(failures)


async def test_refusals_say_why(http: httpx.AsyncClient, make_token: TokenFactory) -> None:
    r = await http.get("/api/v1/me")
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    assert r.json()["field"] == "authorization" and "bearer token" in r.json()["message"]
    r = await http.get("/api/v1/me", headers=bearer("gt_nope_nope"))
    assert r.status_code == 401 and "unknown or revoked" in r.json()["message"]
    token = await make_token("member", "community:c-mx")
    r = await http.get("/api/v1/tokens", headers=bearer(token))
    assert r.status_code == 403
    assert r.json() == {"code": "PERMISSION_DENIED", "field": "role", "rule": "", "errors": [],
                        "message": "role member may not manage tokens (allowed: district_admin)"}


async def test_revoked_token_is_refused(http: httpx.AsyncClient, make_token: TokenFactory,
                                        api_db: Database) -> None:
    admin = bearer(await make_token(ADM, "district:*"))
    r = await http.post("/api/v1/tokens", headers=admin,
                        json={"role": OFF, "scope": "community:c-rev", "name": "社区"})
    assert r.status_code == 201, r.text
    created = r.json()
    office = bearer(created["token"])
    assert (await http.get("/api/v1/me", headers=office)).json()["role"] == OFF
    listed = (await http.get("/api/v1/tokens", headers=admin)).json()
    assert all("token" not in t for t in listed)
    r = await http.delete(f"/api/v1/tokens/{created['token_id']}", headers=admin)
    assert r.status_code == 200 and r.json()["revoked"] is True
    r = await http.get("/api/v1/me", headers=office)
    assert r.status_code == 401
    # a token works for the days it was made for (90 by default), then is refused, saying so
    r = await http.post("/api/v1/tokens", headers=admin,
                        json={"role": OFF, "scope": "community:c-rev", "expires_days": 1})
    assert r.status_code == 201, r.text
    short = r.json()
    assert short["expires_at"] > short["created_at"]
    assert (await http.get("/api/v1/me", headers=bearer(short["token"]))).status_code == 200
    async with api_db.write() as session:
        await session.execute(update(TokenRow).where(TokenRow.token_id == short["token_id"])
                              .values(expires_at=utcnow() - timedelta(seconds=1)))
    r = await http.get("/api/v1/me", headers=bearer(short["token"]))
    assert r.status_code == 401 and r.json()["field"] == "authorization"
    assert r.json()["message"].startswith("the token expired at "), r.text
    r = await http.post("/api/v1/tokens", headers=admin,
                        json={"role": OFF, "scope": "community:c-rev", "expires_days": 0})
    assert r.status_code == 422, r.text
    # wrong scope kind for the role: named field
    r = await http.post("/api/v1/tokens", headers=admin,
                        json={"role": OFF, "scope": "street:s-mx"})
    assert r.status_code == 422 and r.json()["field"] == "scope"
