"""The approval inbox of the higher committee (上级党组织): each pending approval with the
person's dossier — the funnel they came through (registration, stages) and their votes at
each counted round — approved or rejected with a reason (A1-A3), and the filings received.
The list and the decision are the REST routes' own functions and checks (own committee only,
A3); the dossier reads what the approver may read through the API."""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from api.console import messages, web
from api.errors import ApiError
from api.routes import approvals as rest
from api.routes import meetings as meetings_rest
from api.routes import nominations as nominations_rest

router = APIRouter()


async def dossier(request: Request, user: web.User, a: rest.ApprovalPublic) -> dict[str, Any]:
    """The person's registrations and their votes in every counted round of the election."""
    clients = web.clients(request)
    out: dict[str, Any] = {"registrations": [], "votes": []}
    try:
        access = await web.election_access(request, nominations_rest.Anyone, user,
                                           a.election_id)
        out["registrations"] = [r for r in await nominations_rest.list_registrations(
            access, clients) if r.person_id == a.person_id]
        readers = await web.election_access(request, meetings_rest.Reader, user,
                                            a.election_id)
        for m in await meetings_rest.list_meetings(readers, clients, None):
            for r in m.rounds:
                for line in r.tally:
                    if line.person_id == a.person_id and r.status == "counted":
                        out["votes"].append({"meeting": m.kind, "round": r, "line": line,
                                             "elected": a.person_id in r.elected})
    except ApiError:
        pass  # the dossier shows what the approver may read; the decision stands alone
    return out


async def view(request: Request, user: web.User, status: int = 200, **extra: Any) -> Response:
    principal = await web.allow(rest.Reader, user)
    clients, db = web.clients(request), web.db(request)
    pending = await rest.list_approvals(principal, clients, db, "pending", "")
    filings = await rest.list_filings(principal, clients, db, "")
    items = [(a, await dossier(request, user, a)) for a in pending]
    return web.render(request, "approvals.html", status, user=user, items=items,
                      filings=filings, key=secrets.token_urlsafe(12), **extra)


@router.get("/approvals")
@web.page
async def inbox(request: Request, done: str = "") -> Response:
    user = await web.require_user(request)
    return await view(request, user, notice=done[:200])


@router.post("/approvals/{approval_id}")
@web.page
async def decide(request: Request, approval_id: str) -> Response:
    user = await web.require_user(request)
    form = await web.form_of(request, user)
    try:
        principal = await web.allow(rest.Approver, user)
        body = web.parse(rest.ApprovalDecision, {"decision": form.get("decision"),
                                                 "reason": form.get("reason", "")})
        decided = await rest.decide(approval_id, body, principal, web.clients(request),
                                    web.db(request), str(form.get("key", ""))[:60] or None)
    except ApiError as exc:
        return await view(request, user, exc.status, error=exc)
    done = messages.t("approval.done", name=decided.name,
                      status=messages.t(f"approval.status.{decided.status}"))
    return RedirectResponse(f"{web.PREFIX}/approvals?done={done}", status_code=303)
