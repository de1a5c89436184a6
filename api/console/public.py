"""The public notice board (公示栏): each community's notices with their period and a
countdown (the workflow's deadline, which moves with pauses, so paused time is excluded), and
the objection form (O2), filed through the REST route's own check and function."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from api.console import messages, web
from api.deps import load_election
from api.errors import ApiError
from api.routes import elections as elections_rest
from api.routes import nominations as nominations_rest
from api.routes import notices as notices_rest
from api.routes import objections as rest
from workflows.election.types import ElectionStatus

router = APIRouter()
FILERS = ("member", "resident", "supervisor")


def _when(text: str) -> datetime | None:
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        return None
    return at if at.tzinfo else at.replace(tzinfo=UTC)


async def _status(request: Request, election_id: str) -> ElectionStatus | None:
    try:
        info = await load_election(web.clients(request), web.db(request), election_id)
        return await elections_rest.workflow_status(web.temporal(request), info)
    except ApiError:
        return None


def period(notice: notices_rest.NoticePublic, status: ElectionStatus | None,
           day_seconds: float) -> dict[str, Any]:
    """When the notice's period ends and how long remains. The running period's end is the
    workflow's own deadline (moved by every pause); otherwise published + days."""
    now = datetime.now(UTC)
    waiting = status.waiting if status else None
    running = (not notice.closed_at and waiting is not None and waiting.kind == "notice"
               and waiting.notice == notice.kind and bool(waiting.deadline))
    ends = _when(waiting.deadline) if running and waiting else None
    if ends is None:
        start = _when(notice.published_at)
        ends = start + timedelta(seconds=notice.days * day_seconds) if start else None
    closed = bool(notice.closed_at) or (ends is not None and ends <= now and not running)
    remaining = max(0.0, (ends - now).total_seconds()) if ends and not closed else 0.0
    return {"ends": ends.isoformat(timespec="seconds") if ends else "", "closed": closed,
            "remaining": remaining, "paused": bool(status and status.paused)}


async def _day_seconds(request: Request, election_id: str) -> float:
    from api.db import CycleRow, ElectionRow

    async with web.db(request).read() as s:
        row = await s.get(ElectionRow, election_id)
        cycle = await s.get(CycleRow, row.cycle_id) if row else None
    return cycle.day_seconds if cycle else request.app.state.settings.day_seconds


@router.get("/notices")
@web.page
async def boards(request: Request) -> Response:
    notices = await notices_rest.list_notices(web.clients(request), "", 1000)
    communities: dict[str, str] = {}
    for n in notices:
        communities.setdefault(n.election_id, n.community_name or n.election_id)
    return web.render(request, "notices.html", user=await web.optional_user(request),
                      communities=sorted(communities.items(), key=lambda x: x[1]))


async def board(request: Request, election_id: str, status: int = 200,
                **extra: Any) -> Response:
    user = await web.optional_user(request)
    notices = await notices_rest.list_notices(web.clients(request), election_id, 1000)
    if not notices:
        raise ApiError(404, f"no notices of election {election_id!r}", field="election_id")
    wf = await _status(request, election_id)
    day = await _day_seconds(request, election_id)
    people: list[nominations_rest.RegistrationPublic] = []
    can_file = user is not None and user.principal.role in FILERS
    if can_file and user is not None:
        try:
            access = await web.election_access(request, nominations_rest.Anyone, user,
                                               election_id)
            people = await nominations_rest.list_registrations(access, web.clients(request))
        except ApiError:
            can_file = False
    rows = [(n, period(n, wf, day)) for n in notices]
    return web.render(request, "board.html", status, user=user, election_id=election_id,
                      community=notices[0].community_name, rows=rows, can_file=can_file,
                      people=people, **extra)


@router.get("/notices/{election_id}")
@web.page
async def community_board(request: Request, election_id: str, filed: str = "") -> Response:
    done = messages.t("objection.filed", id=filed[:80]) if filed else ""
    return await board(request, election_id, notice=done)


@router.post("/notices/{election_id}/objections")
@web.page
async def file_objection(request: Request, election_id: str) -> Response:
    user = await web.require_user(request)
    form = await web.form_of(request, user)
    data = {k: form.get(k) for k in ("notice_kind", "person_id", "reason")}
    data["post"] = form.get("post") or None
    try:
        body = web.parse(rest.ObjectionCreate, data)
        access = await web.election_access(request, rest.Filer, user, election_id)
        filed = await rest.file_objection(body, access, web.clients(request))
    except ApiError as exc:
        return await board(request, election_id, exc.status, error=exc)
    return RedirectResponse(f"{web.PREFIX}/notices/{election_id}?filed={filed.objection_id}",
                            status_code=303)

