"""The district dashboard (区委组织部): every community's election with its step, what it
waits for and since when; filters by street and step, paging, per-street and per-step counts;
pause / resume / abort of a community, a street or the district with a reason.

Listing runs the check of ``GET /api/v1/elections``; each control runs, per election, the
check and the function of ``POST /api/v1/elections/{id}/pause|resume|abort``."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select

import rules
from api.console import messages, web
from api.console.overview import Overview
from api.db import ElectionRow, StreetRow
from api.deps import elections_in_scope
from api.errors import ApiError
from api.routes import cycles as cycles_rest
from api.routes import elections as rest
from workflows.election.types import ElectionStatus

router = APIRouter()
PAGE = 50
MAX_PAGE = 400
PARALLEL = 24
ACTIONS = {"pause": (rest.Pauser, rest.pause), "resume": (rest.Pauser, rest.resume),
           "abort": (rest.Aborter, rest.abort)}


@dataclass
class Line:
    row: ElectionRow
    status: ElectionStatus | None

    @property
    def alerts(self) -> list[str]:
        """What the district should look at, from the workflow's own status: a failure,
        objections undecided, a notice period running, an unfilled post to decide, an
        approval awaited. (A failed quorum needs the voting service's meetings: not yet.)"""
        st = self.status
        if st is None:
            return []
        out = []
        if st.status == "failed" or st.error:
            out.append("alert.failed")
        kind = st.waiting.kind if st.waiting else ""
        for wanted in ("objections", "notice", "unfilled", "approval"):
            if kind == wanted:
                out.append(f"alert.{wanted}")
        return out

    @property
    def since(self) -> str:
        if self.status is None:
            return ""
        for step in self.status.timeline:
            if step.step == self.status.step:
                return step.started_at
        return ""


def overview(request: Request) -> Overview:
    """The app's one projection of the elections' statuses (api/console/overview.py)."""
    state = request.app.state
    if getattr(state, "console_overview", None) is None:
        state.console_overview = Overview(web.temporal(request),
                                          stopped=lambda: bool(getattr(state, "stopping", False)))
    return state.console_overview  # type: ignore[no-any-return]


async def street_names(request: Request) -> dict[str, str]:
    async with web.db(request).read() as s:
        return {r.street_id: r.name or r.street_id
                for r in (await s.execute(select(StreetRow))).scalars()}


async def view(request: Request, user: web.User, street: str = "", step: int = 0,
               page: int = 1, size: int = PAGE, status: int = 200, **extra: Any) -> Response:
    await web.allow(rest.Staff, user)
    rows = await elections_in_scope(web.db(request), user.principal)
    found = await overview(request).read(rows)
    lines = [Line(r, found[r.election_id]) for r in rows]
    per_street = Counter(line.row.street_id for line in lines)
    per_step = Counter(line.status.step if line.status else 0 for line in lines)
    alerts = Counter(a for line in lines for a in line.alerts)
    shown = [x for x in lines if (not street or x.row.street_id == street)
             and (not step or (x.status is not None and x.status.step == step))]
    size = min(max(1, size), MAX_PAGE)
    pages = max(1, -(-len(shown) // size))
    page = min(max(1, page), pages)
    names = await street_names(request)
    return web.render(
        request, "dashboard.html", status, user=user, lines=shown[(page - 1) * size:page * size],
        total=len(shown), all_total=len(lines), page=page, pages=pages, size=size,
        street=street, step=step,
        per_street=sorted(per_street.items()), per_step=sorted(per_step.items()),
        most=max([*per_street.values(), *per_step.values(), 1]), names=names,
        districts=sorted({x.row.district_id for x in lines}) or ([user.principal.scope_value]
                                                                 if user.principal.scope_kind
                                                                 == "district" else []),
        profiles=rules.list_profiles(), alerts=sorted(alerts.items()), **extra)


@router.get("/dashboard")
@web.page
async def dashboard(request: Request, street: str = "", step: int = 0, page: int = 1,
                    size: int = PAGE) -> Response:
    user = await web.require_user(request)
    return await view(request, user, street, step, page, size)


@router.post("/dashboard/control")
@web.page
async def control(request: Request) -> Response:
    user = await web.require_user(request)
    form = await web.form_of(request, user)
    action = str(form.get("action", ""))
    if action not in ACTIONS:
        raise ApiError(422, f"unknown action {action!r} (pause, resume, abort)", field="action")
    body = web.parse(rest.PauseRequest, {"reason": form.get("reason", "")})
    kind, _, target = str(form.get("target", "")).partition(":")
    if kind not in ("community", "street", "district") or not target:
        raise ApiError(422, "target is community:ID, street:ID or district:ID", field="target")
    rows = [r for r in await elections_in_scope(web.db(request), user.principal)
            if getattr(r, f"{kind}_id") == target]
    if not rows:
        raise ApiError(404, f"no election of {kind} {target} in scope {user.principal.scope}",
                       field="target")
    check, act = ACTIONS[action]
    gate = asyncio.Semaphore(PARALLEL)
    failures: list[ApiError] = []

    async def one(row: ElectionRow) -> None:
        async with gate:
            try:
                access = await web.election_access(request, check, user, row.election_id)
                await act(body, access, web.temporal(request))
            except ApiError as exc:
                failures.append(exc)

    await asyncio.gather(*(one(r) for r in rows))
    overview(request).forget(r.election_id for r in rows)
    if failures and len(failures) == len(rows):
        raise failures[0]
    done = messages.t("ctl.done", n=len(rows) - len(failures), action=messages.t(f"ctl.{action}"),
                      reason=body.reason)
    if failures:
        done += "；" + messages.t("ctl.partial", n=len(rows) - len(failures), failed=len(failures))
    street = target if kind == "street" else str(form.get("street", ""))
    return await view(request, user, street=street, notice=done,
                      error=failures[0] if failures else None)


@router.post("/dashboard/cycle")
@web.page
async def start_cycle(request: Request) -> Response:
    """换届: one election per community of the district (or of the listed ones), started by
    the function of ``POST /api/v1/cycles`` under its check."""
    user = await web.require_user(request)
    form = await web.form_of(request, user)
    ids = [c for c in str(form.get("community_ids", "")).replace("，", ",").split(",")
           if c.strip()]
    data: dict[str, Any] = {"cycle_id": form.get("cycle_id", ""),
                            "district_id": form.get("district_id", ""),
                            "profile": form.get("profile") or "nanjing",
                            "community_ids": [c.strip() for c in ids] or None}
    if str(form.get("day_seconds", "")).strip():
        data["day_seconds"] = form.get("day_seconds")
    try:
        admin = await web.allow(cycles_rest.Admin, user)
        body = web.parse(cycles_rest.CycleCreate, data)
        cycle = await cycles_rest.start_cycle(body, admin, web.db(request),
                                              web.temporal(request),
                                              request.app.state.settings, Response())
    except ApiError as exc:
        return await view(request, user, status=exc.status, error=exc)
    return await view(request, user, notice=messages.t(
        "cycle.started", cycle=cycle.cycle_id, n=len(cycle.elections)))
