"""What every console page shares: the templates, the signed-in caller (cookie session), the
CSRF check, the API's own access checks called as they are, and errors shown as the API
states them (field and rule named, in Chinese)."""

from __future__ import annotations

import secrets
import time
import typing
from collections.abc import Awaitable, Callable
from functools import wraps
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from pydantic import BaseModel, ValidationError

from api import auth
from api.console import messages
from api.console.store import ConsoleStore, Session
from api.db import Principal
from api.deps import get_clients, get_db, get_temporal, get_tokens
from api.errors import ApiError, _loc_field
from services.common.assertions import User as Asserted
from services.common.assertions import current_user

PREFIX = "/console"
COOKIE = auth.SESSION_COOKIE
TEMPLATES = Path(__file__).parent / "templates"

env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                  trim_blocks=True, lstrip_blocks=True)
env.globals.update(t=messages.t, field_label=messages.field_label,
                   rule_label=messages.rule_label, role_label=messages.role_label,
                   scope_label=messages.scope_label, post_label=messages.post_label,
                   step_label=messages.step_label, waiting_label=messages.waiting_label,
                   zh=messages.zh_part, duration=messages.duration, prefix=PREFIX,
                   locale=messages.LOCALE)


class SignInNeeded(Exception):
    pass


class User:
    """The signed-in caller: the token's principal and the session's CSRF token."""

    def __init__(self, principal: Principal, session: Session):
        self.principal = principal
        self.session = session

    @property
    def csrf(self) -> str:
        return self.session.csrf


def store(request: Request) -> ConsoleStore:
    app = request.app
    if getattr(app.state, "console", None) is None:
        app.state.console = ConsoleStore(app.state.db)
    return app.state.console  # type: ignore[no-any-return]


#: the app's shared objects, read by the same getters the API's dependencies use
clients = get_clients
temporal = get_temporal
db = get_db
tokens = get_tokens


async def principal_of(request: Request, token_id: str) -> Principal | None:
    row = await tokens(request).get(token_id)
    if row is None or row.refusal():  # revoked or expired: the session ends with the token
        return None
    # the person the console's calls to the services assert, as the API's bearer check does
    current_user.set(Asserted(row.role, row.scope, row.token_id, row.name))
    return Principal(row.token_id, row.role, row.scope, row.name, row.person_id)


async def optional_user(request: Request) -> User | None:
    session = await store(request).session(request.cookies.get(COOKIE, ""))
    if session is None:
        return None
    principal = await principal_of(request, session.token_id)
    return User(principal, session) if principal is not None else None


async def require_user(request: Request) -> User:
    user = await optional_user(request)
    if user is None:
        raise SignInNeeded
    return user


def secure(request: Request) -> bool:
    """Behind TLS the cookie is Secure: the scheme itself, or the proxy's forwarded scheme."""
    return (request.url.scheme == "https"
            or request.headers.get("x-forwarded-proto", "").lower() == "https")


async def form_of(request: Request, user: User | None) -> dict[str, Any]:
    """The submitted form; with a user, its CSRF token checked (403 field csrf)."""
    data = await request.form(max_part_size=12 * 1024 * 1024)  # a roster file's echo
    values: dict[str, Any] = {}
    for key in data:
        items = data.getlist(key)
        values[key] = items if len(items) > 1 or key.endswith("[]") else items[0]
    if user is not None and not secrets.compare_digest(str(values.get("csrf", "")), user.csrf):
        raise ApiError(403, messages.t("csrf.bad"), field="csrf")
    return values


M = typing.TypeVar("M", bound=BaseModel)


def parse(model: type[M], data: dict[str, Any]) -> M:
    """The API's own request model, so a form is refused exactly as the JSON body would be."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ApiError(422, str(first.get("msg", "")), field=_loc_field(first.get("loc", ())),
                       code="INVALID_ARGUMENT") from exc


def dependency(annotated: Any) -> Any:
    """The dependency object inside a route's ``Annotated[..., Depends(x)]``: the console
    calls the very check the route runs."""
    for meta in typing.get_args(annotated)[1:]:
        dep = getattr(meta, "dependency", None)
        if dep is not None:
            return dep
    raise TypeError(f"{annotated!r} carries no dependency")


async def election_access(request: Request, annotated: Any, user: User,
                          election_id: str, view: bool = False) -> Any:
    """The route's own check; ``view``: a page showing the form of an act checks role and
    scope only, so a paused election's page still shows (its act is refused when sent)."""
    check = dependency(annotated)
    if view:
        return await check.may_see(election_id, user.principal, clients(request), db(request))
    return await check(election_id, user.principal, clients(request), db(request),
                       temporal(request))


async def allow(annotated: Any, user: User) -> Principal:
    return await dependency(annotated)(user.principal)  # type: ignore[no-any-return]


def render(request: Request, template: str, status: int = 200, *, user: User | None = None,
           headers: dict[str, str] | None = None, **context: Any) -> HTMLResponse:
    html = env.get_template(template).render(request=request, user=user, **context)
    out = HTMLResponse(html, status_code=status, headers=headers)
    out.headers.setdefault("Content-Security-Policy",
                           "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                           "script-src 'self'; frame-ancestors 'none'; form-action 'self'")
    out.headers.setdefault("Referrer-Policy", "no-referrer")
    out.headers.setdefault("X-Content-Type-Options", "nosniff")
    return out


def error_page(request: Request, exc: ApiError, user: User | None,
               template: str = "error.html", **context: Any) -> HTMLResponse:
    return render(request, template, exc.status, user=user, error=exc, **context)


Handler = Callable[..., Awaitable[Response]]


def page(handler: Handler) -> Handler:
    """A page: no session → the sign-in page; an ApiError → the error page with the API's
    status, field and rule. Each answer states its server time (``Server-Timing: app;dur=``
    in ms, read by ``gongtui bench console``)."""

    @wraps(handler)
    async def run(request: Request, *args: Any, **kwargs: Any) -> Response:
        started = time.perf_counter()
        out: Response
        try:
            out = await handler(request, *args, **kwargs)
        except SignInNeeded:
            out = RedirectResponse(f"{PREFIX}/login?next={request.url.path}", status_code=303)
        except ApiError as exc:
            out = error_page(request, exc, await optional_user(request))
        out.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
        return out

    return run


async def paused_reason(request: Request, info: Any) -> str:
    """The pause reason when the election's workflow is paused, else "" (shown above the
    desk and the inbox, so nobody acts on a paused election unknowingly)."""
    from api.temporal import running_status

    try:
        status = await running_status(temporal(request), info.workflow_id)
    except ApiError:
        return ""
    return (status.pause_reason or "—") if status is not None and status.paused else ""
