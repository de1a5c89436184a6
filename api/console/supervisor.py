"""The supervision committee's view (选举工作监督委员会), read-only: an election's audit chains
recomputed on screen with the first broken record named, and the ballot-box digests of its
counted rounds. The same checks and functions as ``GET …/audit/verify`` and ``GET …/meetings``
(every role in scope may verify; the digests are the meeting readers'), and for the district
and the supervisor the audit bundle to download (``GET …/audit/bundle``, docs/audit.md)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.auth import DISTRICT_ADMIN, SUPERVISOR
from api.console import web
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
