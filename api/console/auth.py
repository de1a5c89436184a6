"""Sign in with a token (form POST), sign out, and the home page of each role.

The session cookie is HttpOnly, SameSite=Strict, Secure behind TLS, and expires with the
server-side session (store.SESSION_TTL); the token itself is never kept in the browser."""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from api.console import messages, web
from api.console.store import SESSION_TTL
from api.errors import ApiError

router = APIRouter()


def _next(target: str) -> str:
    """Only a console path: a sign-in never redirects off the site."""
    ok = target.startswith(web.PREFIX + "/") and not target.startswith("//") and "\\" not in target
    return target if ok else f"{web.PREFIX}/"


PRE = "gongtui_signin"  # the sign-in form's CSRF token (double submit: no session yet)


def _form(request: Request, next: str, status: int = 200, **context: Any) -> Response:
    pre = secrets.token_urlsafe(24)
    out = web.render(request, "login.html", status, next=_next(next), pre=pre, **context)
    out.set_cookie(PRE, pre, max_age=3600, path=web.PREFIX, httponly=True, samesite="strict",
                   secure=web.secure(request))
    return out


@router.get("/login")
async def login_form(request: Request, next: str = "") -> Response:
    return _form(request, next, message="")


@router.post("/login")
async def login(request: Request) -> Response:
    form = await web.form_of(request, None)
    target = _next(str(form.get("next", "")))
    pre = request.cookies.get(PRE, "")
    if not pre or not secrets.compare_digest(pre, str(form.get("csrf", ""))):
        err = ApiError(403, messages.t("csrf.bad"), field="csrf")
        return _form(request, target, 403, error=err, message="")
    token = str(form.get("token", "")).strip()
    link = str(form.get("link", "")).strip()
    if link:  # a one-time sign-in link (api.console.links)
        token_id = await web.store(request).redeem_link(link)
        principal = await web.principal_of(request, token_id) if token_id else None
        if principal is None:
            err = ApiError(401, messages.t("login.link_bad"), field="link")
            return _form(request, target, 401, error=err, message="")
    elif 0 < len(token) <= 200:
        principal = await web.tokens(request).authenticate(token)
    else:
        principal = None
    if principal is None:
        err = ApiError(401, messages.t("login.bad"), field="token")
        return _form(request, target, 401, error=err, message="")
    session_id, _ = await web.store(request).open_session(principal.token_id)
    out = RedirectResponse(target, status_code=303)
    out.delete_cookie(PRE, path=web.PREFIX)
    out.set_cookie(web.COOKIE, session_id, max_age=int(SESSION_TTL.total_seconds()),
                   path=web.PREFIX, httponly=True, samesite="strict", secure=web.secure(request))
    return out


@router.post("/logout")
@web.page
async def logout(request: Request) -> Response:
    user = await web.require_user(request)
    await web.form_of(request, user)
    await web.store(request).close_session(request.cookies.get(web.COOKIE, ""))
    out = _form(request, f"{web.PREFIX}/", message=messages.t("login.signed_out"))
    out.delete_cookie(web.COOKIE, path=web.PREFIX, httponly=True, samesite="strict",
                      secure=web.secure(request))
    return out


@router.get("/")
@web.page
async def home(request: Request) -> Response:
    user = await web.require_user(request)
    if user.principal.role == "district_admin":
        return RedirectResponse(f"{web.PREFIX}/dashboard", status_code=303)
    if user.principal.role == "approver":
        return RedirectResponse(f"{web.PREFIX}/approvals", status_code=303)
    from api.deps import elections_in_scope

    rows = await elections_in_scope(web.db(request), user.principal)
    return web.render(request, "home.html", user=user, elections=rows)
