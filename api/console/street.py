"""The street committee's work inbox (街道党工委) for one election: the plan to approve, the
E2 exclusions from the expected attendance awaiting its consent, the qualification reviews
waiting for a decision, and the objections to decide (O2, O3), each
decided with a reason through the REST route's own check and function. Every form carries
an idempotency key of its own, so a resubmitted form never acts twice."""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from api.console import messages, web
from api.errors import ApiError
from api.routes import nominations as nominations_rest
from api.routes import objections as objections_rest
from api.routes import plans as plans_rest
from api.routes import roster as roster_rest

router = APIRouter()


async def view(request: Request, user: web.User, election_id: str, status: int = 200,
               **extra: Any) -> Response:
    access = await web.election_access(request, plans_rest.Street, user, election_id,
                                       view=True)
    clients = web.clients(request)
    plan: plans_rest.PlanPublic | None = None
    try:
        plan = await plans_rest.get_plan(access, clients)
    except ApiError as exc:
        if exc.status != 404:
            raise
    registrations = [r for r in await nominations_rest.list_registrations(access, clients)
                     if r.review == "pending"]
    objections = await objections_rest.list_objections(access, clients)
    clerk = await web.election_access(request, roster_rest.Clerk, user, election_id)
    exclusions = [p for p in await roster_rest.list_roster(clerk, clients)
                  if p.excluded_reason and not p.exclusion_consent]
    names = {r.person_id: r.name for r in await nominations_rest.list_registrations(
        access, clients)}
    return web.render(request, "street.html", status, user=user, info=access[1],
                      paused=await web.paused_reason(request, access[1]), plan=plan,
                      registrations=registrations, names=names, exclusions=exclusions,
                      objections=[o for o in objections if o.status == "pending"],
                      decided=[o for o in objections if o.status != "pending"],
                      key=secrets.token_urlsafe(12), **extra)


@router.get("/street/{election_id}")
@web.page
async def inbox(request: Request, election_id: str, done: str = "") -> Response:
    user = await web.require_user(request)
    return await view(request, user, election_id, notice=done[:200])


async def act(request: Request, election_id: str, what: str, run: Any) -> Response:
    """Runs one decision: the form checked (CSRF), the route's access check, its function."""
    user = await web.require_user(request)
    form = await web.form_of(request, user)
    key = str(form.get("key", ""))[:60] or None
    try:
        access = await web.election_access(request, plans_rest.Street, user, election_id)
        await run(form, access, key)
    except ApiError as exc:
        return await view(request, user, election_id, exc.status, error=exc)
    return RedirectResponse(f"{web.PREFIX}/street/{election_id}?done={messages.t(what)}",
                            status_code=303)


@router.post("/street/{election_id}/plan")
@web.page
async def decide_plan(request: Request, election_id: str) -> Response:
    async def run(form: dict[str, Any], access: Any, key: str | None) -> None:
        body = web.parse(plans_rest.PlanDecision, {"decision": form.get("decision"),
                                                   "reason": form.get("reason", "")})
        await plans_rest.decide_plan(body, access, web.clients(request), key)

    return await act(request, election_id, "street.plan_done", run)


@router.post("/street/{election_id}/registrations/{registration_id}")
@web.page
async def decide_review(request: Request, election_id: str, registration_id: str) -> Response:
    async def run(form: dict[str, Any], access: Any, key: str | None) -> None:
        body = web.parse(nominations_rest.ReviewDecision, {"decision": form.get("decision"),
                                                           "reason": form.get("reason", "")})
        await nominations_rest.decide_review(registration_id, body, access,
                                             web.clients(request), key)

    return await act(request, election_id, "street.review_done", run)


@router.post("/street/{election_id}/objections/{objection_id}")
@web.page
async def decide_objection(request: Request, election_id: str, objection_id: str) -> Response:
    async def run(form: dict[str, Any], access: Any, key: str | None) -> None:
        body = web.parse(objections_rest.ObjectionDecision, {
            "decision": form.get("decision"), "reason": form.get("reason", "")})
        await objections_rest.decide_objection(objection_id, body, access,
                                               web.clients(request), key)

    return await act(request, election_id, "street.objection_done", run)


@router.post("/street/{election_id}/exclusions/{person_id}")
@web.page
async def decide_exclusion(request: Request, election_id: str, person_id: str) -> Response:
    async def run(form: dict[str, Any], access: Any, key: str | None) -> None:
        body = web.parse(roster_rest.ExclusionDecision, {
            "person_ids": [person_id], "consent": form.get("decision") == "consent",
            "reason": form.get("reason", "")})
        # the inbox's access is the street committee's, the consenter's (E2)
        await roster_rest.decide_exclusions(body, access, web.clients(request), key)

    return await act(request, election_id, "street.exclusion_done", run)
