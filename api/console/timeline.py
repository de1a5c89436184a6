"""The election's timeline (选举进程), for everyone in its scope: the eight steps with their
dates and what the election waits for (the workflow's status, as ``GET /elections/{id}``
reads it), who acted in each step, every notice with a link to the notice board, and the
documents of each step (notices, ballots, tally sheets, minutes, the 请示) as the document
routes serve them. Who acted is read from the audit records for those the API lets read
them (district, supervisor: ``GET …/audit``); the others see who is responsible."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.console import web
from api.errors import ApiError
from api.routes import documents as documents_rest
from api.routes import elections as rest
from api.routes import notices as notices_rest
from core.vocabulary import STEPS

router = APIRouter()
#: who acts in each step (docs/design.md, the eight steps)
RESPONSIBLE = {1: ("community_office", "street_committee"), 2: ("community_office",),
               3: ("community_office", "street_committee"), 4: ("community_office",),
               5: ("street_committee",), 6: ("street_committee",), 7: ("community_office",),
               8: ("approver",)}


def acted(steps: list[rest.StepPublic],
          records: list[rest.AuditRecordPublic]) -> dict[int, list[str]]:
    """The roles whose records fall inside each step's dates (system acts left out)."""
    out: dict[int, set[str]] = defaultdict(set)
    for r in records:
        if not r.actor_role or r.actor_role == "system":
            continue
        for s in steps:
            if s.started_at and s.started_at <= r.created_at and (
                    not s.ended_at or r.created_at <= s.ended_at):
                out[s.step].add(r.actor_role)
    return {k: sorted(v) for k, v in out.items()}


async def who_acted(request: Request, user: web.User, election_id: str,
                    steps: list[rest.StepPublic]) -> dict[int, list[str]] | None:
    try:
        access = await web.election_access(request, rest.Auditor, user, election_id)
        return acted(steps, await rest.list_audit(access, web.clients(request)))
    except ApiError:
        return None  # not an auditor: the page shows who is responsible instead


@router.get("/timeline/{election_id}")
@web.page
async def timeline(request: Request, election_id: str) -> Response:
    user = await web.require_user(request)
    access = await web.election_access(request, rest.Anyone, user, election_id)
    election = await rest.get_election(access, web.temporal(request))
    wf = election.workflow
    steps = wf.timeline if wf else []
    docs: dict[int, list[Any]] = defaultdict(list)
    readers = await web.election_access(request, documents_rest.Reader, user, election_id)
    for d in await documents_rest.list_documents(readers, web.clients(request), request,
                                                 web.db(request)):
        docs[d.step].append(d)
    notices = await notices_rest.list_notices(web.clients(request), election_id, 1000)
    return web.render(request, "timeline.html", user=user, info=access[1], election=election,
                      wf=wf, steps=steps or [rest.StepPublic(step=n, name=name,
                                                             status="pending")
                                             for n, name, _ in STEPS],
                      acted=await who_acted(request, user, election_id, steps),
                      responsible=RESPONSIBLE, docs=docs, notices=notices,
                      paused=wf.pause_reason or "—" if wf and wf.paused else "")
