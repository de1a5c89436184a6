"""The street committee's steps 5 and 7 beside its inbox (api.console.street): the
inspection record (组织考察) of each shortlisted person (P4), and the decision on a post left
unfilled after the additional rounds (M7: reduce the seats or elect again). The committee's
own vote (差额票决) is entered at the meeting desk. Each act is the REST route's own check and
function (api.routes.inspections, ``POST …/unfilled/{post}/decision``)."""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from api.console import messages, web
from api.errors import ApiError
from api.routes import elections as elections_rest
from api.routes import inspections as rest
from api.routes import nominations as nominations_rest

router = APIRouter()


async def view(request: Request, user: web.User, election_id: str, status: int = 200,
               **extra: Any) -> Response:
    access = await web.election_access(request, rest.Street, user, election_id)
    clients = web.clients(request)
    regs = await nominations_rest.list_registrations(access, clients)
    records = await rest.list_inspections(access, clients)
    done = {(i.post, i.person_id): i for i in records}
    shortlisted = [r for r in regs if r.stage == "shortlisted"]
    election = await elections_rest.get_election(access, web.temporal(request))
    wf = election.workflow
    unfilled = wf.waiting.post if wf and wf.waiting and wf.waiting.kind == "unfilled" else ""
    return web.render(request, "street_work.html", status, user=user, info=access[1],
                      paused=await web.paused_reason(request, access[1]),
                      shortlisted=shortlisted, done=done, unfilled=unfilled,
                      partial=wf.elected.get(unfilled, []) if wf and unfilled else [],
                      key=secrets.token_urlsafe(12), **extra)


@router.get("/street/{election_id}/work")
@web.page
async def work(request: Request, election_id: str, done: str = "") -> Response:
    user = await web.require_user(request)
    return await view(request, user, election_id, notice=done[:200])


async def act(request: Request, election_id: str, what: str, run: Any) -> Response:
    user = await web.require_user(request)
    form = await web.form_of(request, user)
    try:
        access = await web.election_access(request, rest.Street, user, election_id)
        await run(form, access, str(form.get("key", ""))[:60] or None)
    except ApiError as exc:
        return await view(request, user, election_id, exc.status, error=exc)
    return RedirectResponse(f"{web.PREFIX}/street/{election_id}/work?done={messages.t(what)}",
                            status_code=303)


@router.post("/street/{election_id}/inspections")
@web.page
async def inspect(request: Request, election_id: str) -> Response:
    async def run(form: dict[str, Any], access: Any, key: str | None) -> None:
        verdict = str(form.get("verdict", ""))
        if verdict not in ("pass", "fail"):
            raise ApiError(422, "pass or fail", field="passed")
        body = web.parse(rest.InspectionCreate, {
            "post": form.get("post"), "person_id": form.get("person_id"),
            "passed": verdict == "pass", "report": form.get("report", "")})
        await rest.record_inspection(body, access, web.clients(request), key)

    return await act(request, election_id, "work.inspection_done", run)


@router.post("/street/{election_id}/unfilled/{post}")
@web.page
async def decide_unfilled(request: Request, election_id: str, post: str) -> Response:
    async def run(form: dict[str, Any], access: Any, key: str | None) -> None:
        body = web.parse(elections_rest.UnfilledDecision, {"decision": form.get("decision")})
        checked = web.parse(nominations_rest.SelfNominationCreate, {"post": post})
        await elections_rest.decide_unfilled(checked.post, body, access, web.temporal(request))

    return await act(request, election_id, "work.unfilled_done", run)
