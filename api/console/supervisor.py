"""The supervision committee's view (选举工作监督委员会): an election's audit chains recomputed
on screen with the first broken record named, and the ballot-box digests of its counted
rounds — the same checks and functions as ``GET …/audit/verify`` and ``GET …/meetings``
(every role in scope may verify; the digests are the meeting readers'); for the district and
the supervisor the audit bundle to download (``GET …/audit/bundle``, docs/audit.md); and the
总监票人's screen, where each paper tally the desk entered is confirmed (and counted) or sent
back with a reason (``POST …/rounds/{id}/tally/confirm``, four eyes, M12)."""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from api.auth import DISTRICT_ADMIN, SUPERVISOR
from api.console import messages, web
from api.errors import ApiError
from api.routes import audit_bundle as bundle_rest
from api.routes import elections as elections_rest
from api.routes import meetings as meetings_rest

router = APIRouter()


@router.get("/audit/{election_id}")
@web.page
async def audit(request: Request, election_id: str) -> Response:
    user = await web.require_user(request)
    access = await web.election_access(request, elections_rest.Anyone, user, election_id)
    verification = await elections_rest.verify_audit(access, web.clients(request))
    rounds: list[meetings_rest.RoundPublic] = []
    if user.principal.role in meetings_rest.READERS:
        readers = await web.election_access(request, meetings_rest.Reader, user, election_id)
        for m in await meetings_rest.list_meetings(readers, web.clients(request), None):
            rounds += [r for r in m.rounds if r.status == "counted"]
    return web.render(request, "audit.html", user=user, info=access[1], v=verification,
                      rounds=rounds,
                      can_bundle=user.principal.role in (DISTRICT_ADMIN, SUPERVISOR))


@router.get("/audit/{election_id}/bundle.zip")
@web.page
async def bundle(request: Request, election_id: str) -> Response:
    """The audit bundle, as ``GET …/audit/bundle`` gives it, for the signed-in supervisor."""
    user = await web.require_user(request)
    access = await web.election_access(request, bundle_rest.Auditor, user, election_id)
    return await bundle_rest.get_audit_bundle(access, web.clients(request))


async def tallies_view(request: Request, user: web.User, election_id: str, status: int = 200,
                       **extra: Any) -> Response:
    """The paper tallies awaiting the supervisor (总监票人): each sheet as entered, and who
    entered it."""
    access = await web.election_access(request, meetings_rest.Supervisor, user, election_id,
                                       view=True)
    waiting: list[meetings_rest.RoundPublic] = []
    for m in await meetings_rest.list_meetings(access, web.clients(request), None):
        waiting += [r for r in m.rounds if r.status == "open" and r.tally_status == "entered"]
    return web.render(request, "tallies.html", status, user=user, info=access[1],
                      rounds=waiting, key=secrets.token_urlsafe(12), **extra)


@router.get("/tallies/{election_id}")
@web.page
async def tallies(request: Request, election_id: str, done: str = "") -> Response:
    user = await web.require_user(request)
    return await tallies_view(request, user, election_id, notice=done[:200])


@router.post("/tallies/{election_id}/{round_id}")
@web.page
async def decide_tally(request: Request, election_id: str, round_id: str) -> Response:
    """Confirms the sheet (the round is counted at once) or sends it back with a reason,
    through the REST route's own check and function."""
    user = await web.require_user(request)
    form = await web.form_of(request, user)
    try:
        access = await web.election_access(request, meetings_rest.Supervisor, user,
                                           election_id)
        body = web.parse(meetings_rest.TallyDecision, {
            "approve": form.get("decision") == "confirm",
            "reason": str(form.get("reason", ""))})
        rnd = await meetings_rest.confirm_tally(round_id, body, access, web.clients(request),
                                                str(form.get("key", ""))[:60] or None)
    except ApiError as exc:
        return await tallies_view(request, user, election_id, exc.status, error=exc)
    done = messages.t("tally.confirmed" if body.approve else "tally.sent_back", n=rnd.number)
    return RedirectResponse(f"{web.PREFIX}/tallies/{election_id}?done={done}",
                            status_code=303)
