"""Tokens from the console on the real stack: the district admin hands a street committee a
token (shown once) and a one-time sign-in link; the token works on the API, the link signs
in; a wrong role or a scope outside the district is refused as the token route refuses it;
revoking ends the token."""

from __future__ import annotations

import re

import httpx
import pytest

from gongtui.stack import EmbeddedStack
from tests.api.conftest import Stubs, TokenFactory, bearer
from tests.api.console.conftest import csrf_of, place, sign_in

pytestmark = pytest.mark.stack


async def test_the_admin_hands_out_a_token_and_a_sign_in_link(
        stack: EmbeddedStack, api_url: str, http: httpx.AsyncClient, stubs: Stubs,
        make_token: TokenFactory) -> None:
    district, street, _, _ = await place(stack, stubs, "tok")
    csrf = await sign_in(http, await make_token("district_admin", f"district:{district}"))
    r = await http.post("/console/tokens", data={"csrf": csrf, "role": "street_committee",
                                                 "scope": f"street:{street}", "name": "街道"})
    assert r.status_code == 201, r.text
    assert r.headers["cache-control"] == "no-store"
    token = re.search(r'id="token">([^<]+)<', r.text)
    link = re.search(r'id="link">([^<]+)<', r.text)
    assert token and link and "#link=" in link.group(1)
    me = await http.get("/api/v1/me", headers=bearer(token.group(1)))
    assert me.json()["role"] == "street_committee" and me.json()["scope"] == f"street:{street}"

    async with httpx.AsyncClient(base_url=api_url) as street_browser:
        page = await street_browser.get("/console/login")
        signed = await street_browser.post("/console/login", data={
            "csrf": csrf_of(page.text), "link": link.group(1).partition("#link=")[2]})
        assert signed.status_code == 303
        home = await street_browser.get("/console/")
        assert "角色：街道党工委" in home.text

    r = await http.post("/console/tokens", data={"csrf": csrf, "role": "mayor",
                                                 "scope": f"street:{street}"})
    assert r.status_code == 422 and "角色（role）" in r.text
    r = await http.post("/console/tokens", data={"csrf": csrf, "role": "street_committee",
                                                 "scope": "street:s-elsewhere"})
    assert r.status_code == 403 and "范围（scope）" in r.text

    token_id = me.json()["token_id"]
    r = await http.post(f"/console/tokens/{token_id}/revoke", data={"csrf": csrf})
    assert r.status_code == 200 and "已吊销" in r.text
    assert (await http.get("/api/v1/me", headers=bearer(token.group(1)))).status_code == 401
