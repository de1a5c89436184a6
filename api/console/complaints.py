"""The supervision committee's complaints view (异议与举报). A complaint is an objection (O2:
docs/design.md's glossary, 异议 / 举报 → ``Objection``) filed during a notice period against a
person on it; the street committee decides it. The supervisor reads every one in its scope,
read-only, under the check of ``GET …/objections``; the one act the rules give it is filing
one (the objection route accepts the supervisor), done on the notice board's form."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.console import web
from api.routes import nominations as nominations_rest
from api.routes import objections as rest

router = APIRouter()


@router.get("/complaints/{election_id}")
@web.page
async def complaints(request: Request, election_id: str, status: str = "") -> Response:
    user = await web.require_user(request)
    access = await web.election_access(request, rest.Clerk, user, election_id)
    clients = web.clients(request)
    rows = await rest.list_objections(access, clients)
    names = {r.person_id: r.name for r in await nominations_rest.list_registrations(
        access, clients)}
    shown = [o for o in rows if not status or o.status == status]
    return web.render(request, "complaints.html", user=user, info=access[1], rows=shown,
                      names=names, which=status,
                      can_file=user.principal.role in ("supervisor", "member", "resident"))
