"""Signing in to the console on the real stack: the sign-in form's CSRF token, the session
cookie's flags, the header's role and scope, CSRF on every form, signing out, a revoked
token, the API's role check shown in Chinese with its field."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy import update

from api.db import TokenRow, TokenStore, open_database, utcnow
from gongtui.stack import EmbeddedStack
from tests.api.conftest import TokenFactory
from tests.api.console.conftest import csrf_of, sign_in

pytestmark = pytest.mark.stack


async def test_sign_in_sets_a_strict_http_only_session_and_shows_role_and_scope(
        http: httpx.AsyncClient, make_token: TokenFactory) -> None:
    token = await make_token("district_admin", "district:d-auth", name="区委组织部 测试")
    page = await http.get("/console/login")
    assert page.status_code == 200 and "凭令牌登录" in page.text
    pre = page.headers["set-cookie"]
    assert "HttpOnly" in pre and "SameSite=strict" in pre and "Path=/console" in pre

    # without the form's CSRF token the sign-in is refused
    r = await http.post("/console/login", data={"token": token, "csrf": "forged"})
    assert r.status_code == 403 and "CSRF" in r.text and "表单校验（csrf）" in r.text
    # an unknown token: the field is named
    r = await http.post("/console/login", data={"token": "gt_nope", "csrf": csrf_of(
        (await http.get("/console/login")).text)})
    assert r.status_code == 401 and "令牌无效或已吊销" in r.text and "令牌（token）" in r.text

    r = await http.post("/console/login", data={
        "token": token, "csrf": csrf_of((await http.get("/console/login")).text),
        "next": "https://elsewhere.example/"})
    assert r.status_code == 303 and r.headers["location"] == "/console/"  # never off-site
    cookie = next(v for k, v in r.headers.multi_items()
                  if k == "set-cookie" and v.startswith("gongtui_session="))
    for flag in ("HttpOnly", "SameSite=strict", "Path=/console", "Max-Age=28800"):
        assert flag in cookie, cookie
    assert "Secure" not in cookie  # plain HTTP here; behind TLS see below
    assert token not in cookie  # the token never reaches the browser's storage

    dash = await http.get("/console/dashboard")
    assert dash.status_code == 200, dash.text
    assert "角色：区委组织部" in dash.text and "范围：区 d-auth" in dash.text


async def test_behind_tls_the_cookie_is_secure(api_url: str, make_token: TokenFactory) -> None:
    token = await make_token("supervisor", "district:d-auth")
    async with httpx.AsyncClient(base_url=api_url, headers={"X-Forwarded-Proto": "https"}) as c:
        page = await c.get("/console/login")
        pre = page.headers["set-cookie"]
        assert "Secure" in pre  # so this plain-HTTP client keeps it only if handed over
        r = await c.post("/console/login", data={"token": token, "csrf": csrf_of(page.text)},
                         headers={"Cookie": pre.split(";")[0]})
        assert r.status_code == 303
        assert "Secure" in r.headers["set-cookie"]


async def test_forms_need_the_session_csrf_and_sign_out_ends_the_session(
        http: httpx.AsyncClient, make_token: TokenFactory) -> None:
    csrf = await sign_in(http, await make_token("district_admin", "district:d-auth"))
    r = await http.post("/console/dashboard/control", data={
        "action": "pause", "target": "district:d-auth", "reason": "x", "csrf": "wrong"})
    assert r.status_code == 403 and "表单已失效" in r.text
    r = await http.post("/console/logout", data={"csrf": "wrong"})
    assert r.status_code == 403
    r = await http.post("/console/logout", data={"csrf": csrf})
    assert r.status_code == 200 and "已退出登录" in r.text
    r = await http.get("/console/dashboard")
    assert r.status_code == 303 and r.headers["location"].startswith("/console/login")


async def test_a_revoked_token_ends_its_sessions(
        stack: EmbeddedStack, http: httpx.AsyncClient) -> None:
    db = open_database(stack.settings)
    store = TokenStore(db)
    token, row = await store.create("district_admin", "district:d-auth", "to revoke")
    await sign_in(http, token)
    assert (await http.get("/console/dashboard")).status_code == 200
    await store.revoke(row.token_id)
    await db.dispose()
    assert (await http.get("/console/dashboard")).status_code == 303


async def test_an_expired_token_ends_its_sessions(
        stack: EmbeddedStack, http: httpx.AsyncClient) -> None:
    db = open_database(stack.settings)
    store = TokenStore(db)
    token, row = await store.create("district_admin", "district:d-auth", "to expire")
    await sign_in(http, token)
    assert (await http.get("/console/dashboard")).status_code == 200
    async with db.write() as session:
        await session.execute(update(TokenRow).where(TokenRow.token_id == row.token_id)
                              .values(expires_at=utcnow() - timedelta(seconds=1)))
    await db.dispose()
    assert (await http.get("/console/dashboard")).status_code == 303


async def test_a_page_checks_the_api_role_and_says_so_in_chinese(
        http: httpx.AsyncClient, make_token: TokenFactory) -> None:
    await sign_in(http, await make_token("community_office", "community:c-auth"))
    r = await http.get("/console/dashboard")  # the GET /api/v1/elections check: staff only? yes
    assert r.status_code == 200  # an office is staff: it sees its own community only
    await sign_in(http, await make_token("member", "community:c-auth"))
    r = await http.get("/console/dashboard")
    assert r.status_code == 403
    assert "角色（role）" in r.text and "may not list elections" in r.text


async def test_every_asset_is_the_apps_own_and_the_font_covers_the_catalogue(
        http: httpx.AsyncClient) -> None:
    import io
    import re

    from fontTools.ttLib import TTFont

    from api.console import messages

    page = await http.get("/console/login")
    assets = re.findall(r'(?:href|src)="([^"]+)"', page.text)
    assert assets and all(a.startswith("/console/") for a in assets), assets
    css = await http.get("/console/static/fonts.css")
    assert css.status_code == 200
    urls = re.findall(r"url\(([^)]+)\)", css.text)
    assert all(u.startswith("/console/static/fonts/") for u in urls)
    core = await http.get(urls[0])
    assert core.status_code == 200 and core.content[:4] == b"wOF2"
    assert core.headers["content-type"] == "font/woff2"
    assert len(core.content) < 200_000  # the slice every page loads stays small
    cmap = TTFont(io.BytesIO(core.content)).getBestCmap()
    missing = {c for c in messages.all_text() if c.strip() and ord(c) not in cmap}
    assert not missing, f"the core slice lacks {''.join(sorted(missing))}"
    assert (await http.get("/console/static/fonts/unknown.woff2")).status_code == 404
    assert (await http.get("/console/static/..%2Fweb.py")).status_code == 404


async def test_a_one_time_sign_in_link_signs_in_once(
        stack: EmbeddedStack, api_url: str, http: httpx.AsyncClient) -> None:
    from api.console.links import login_link

    db = open_database(stack.settings)
    _, row = await TokenStore(db).create("street_committee", "street:s-auth", "街道 测试")
    await db.dispose()
    link = await login_link(stack.settings, row.token_id, api_url)
    assert link.startswith(f"{api_url}/console/login#link=")
    code = link.partition("#link=")[2]

    page = await http.get(link.partition("#")[0])  # the fragment never reaches the server
    r = await http.post("/console/login", data={"link": code, "csrf": csrf_of(page.text)})
    assert r.status_code == 303, r.text
    home = await http.get("/console/")
    assert "角色：街道党工委" in home.text and "范围：街道 s-auth" in home.text

    async with httpx.AsyncClient(base_url=api_url) as other:
        page = await other.get("/console/login")
        again = await other.post("/console/login", data={"link": code,
                                                         "csrf": csrf_of(page.text)})
        assert again.status_code == 401 and "登录链接无效、已使用或已过期" in again.text
