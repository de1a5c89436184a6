"""Tokens for the other roles (区委组织部): create one — shown once, with a one-time sign-in
link to hand over instead of the token — list and revoke, through the REST token routes'
own functions and checks (inside the admin's district only)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.console import web
from api.db import ROLES
from api.errors import ApiError
from api.routes import tokens as rest

router = APIRouter()


async def view(request: Request, user: web.User, status: int = 200, **extra: Any) -> Response:
    admin = await web.allow(rest.Admin, user)
    rows = await rest.list_tokens(admin, web.tokens(request), web.db(request))
    return web.render(request, "tokens.html", status, user=user, rows=rows,
                      roles=[r for r in ROLES], **extra)


@router.get("/tokens")
@web.page
async def tokens(request: Request) -> Response:
    return await view(request, await web.require_user(request))


@router.post("/tokens")
@web.page
async def create(request: Request) -> Response:
    user = await web.require_user(request)
    form = await web.form_of(request, user)
    try:
        admin = await web.allow(rest.Admin, user)
        body = web.parse(rest.TokenCreate, {k: form.get(k, "") for k in
                                            ("role", "scope", "name", "person_id")})
        made = await rest.create_token(body, admin, web.tokens(request), web.db(request))
    except ApiError as exc:
        return await view(request, user, exc.status, error=exc)
    code = await web.store(request).create_link(made.token_id)
    link = f"{str(request.base_url).rstrip('/')}{web.PREFIX}/login#link={code}"
    out = await view(request, user, 201, made=made, link=link)
    out.headers["Cache-Control"] = "no-store"  # the token is shown once
    return out


@router.post("/tokens/{token_id}/revoke")
@web.page
async def revoke(request: Request, token_id: str) -> Response:
    user = await web.require_user(request)
    await web.form_of(request, user)
    try:
        admin = await web.allow(rest.Admin, user)
        await rest.revoke_token(token_id, admin, web.tokens(request), web.db(request))
    except ApiError as exc:
        return await view(request, user, exc.status, error=exc)
    return await view(request, user, notice=f"{token_id}: 已吊销")
