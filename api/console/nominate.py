"""The community office's steps 1 and 3 (社区选举工作小组): the election plan submitted for the
street committee's approval (P1-P5 checked by the service), nominations recorded in the
three channels (NM1: organization, self, joint), the co-signers of a joint nomination as
signed on paper (NM2), and the end of the nomination window (NM3). Each act is the REST
route's own check and function (api.routes.plans, api.routes.nominations)."""

from __future__ import annotations

import re
import secrets
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from api.console import desk, messages, web
from api.errors import ApiError
from api.routes import nominations as rest
from api.routes import plans as plans_rest
from api.routes import roster as roster_rest
from core.vocabulary import POSTS

router = APIRouter()
CHANNELS = ("organization", "self", "joint")


async def view(request: Request, user: web.User, election_id: str, status: int = 200,
               **extra: Any) -> Response:
    access = await web.election_access(request, rest.Office, user, election_id)
    clients = web.clients(request)
    plan: plans_rest.PlanPublic | None = None
    try:
        plan = await plans_rest.get_plan(access, clients)
    except ApiError as exc:
        if exc.status != 404:
            raise
    people = await roster_rest.list_roster(access, clients)
    regs = await rest.list_registrations(access, clients)
    return web.render(request, "nominate.html", status, user=user, info=access[1],
                      paused=await web.paused_reason(request, access[1]), plan=plan,
                      people=people, registrations=regs, posts=POSTS, channels=CHANNELS,
                      key=secrets.token_urlsafe(12), **extra)


@router.get("/nominate/{election_id}")
@web.page
async def nominate(request: Request, election_id: str, done: str = "") -> Response:
    user = await web.require_user(request)
    return await view(request, user, election_id, notice=done[:200])


async def act(request: Request, election_id: str, run: Any) -> Response:
    user = await web.require_user(request)
    form = await web.form_of(request, user)
    try:
        access = await web.election_access(request, rest.Office, user, election_id)
        text = await run(form, access, str(form.get("key", ""))[:60] or None)
    except ApiError as exc:
        return await view(request, user, election_id, exc.status, error=exc)
    return RedirectResponse(f"{web.PREFIX}/nominate/{election_id}?done={text}", status_code=303)


def _num(form: dict[str, Any], name: str) -> Any:
    return str(form.get(name, "")).strip() or 0


@router.post("/nominate/{election_id}/plan")
@web.page
async def submit_plan(request: Request, election_id: str) -> Response:
    """The posts with seats in the form; a post left at 0 seats is not part of the plan."""
    async def run(form: dict[str, Any], access: Any, key: str | None) -> str:
        posts = [{"post": p, **{k: _num(form, f"{p}.{k}") for k in
                                ("seats", "shortlist", "inspected", "candidates")}}
                 for p in POSTS if str(form.get(f"{p}.seats", "")).strip() not in ("", "0")]
        body = web.parse(plans_rest.PlanSubmit, {"posts": posts})
        await plans_rest.submit_plan(body, access, web.clients(request), key)
        return messages.t("nominate.plan_done")

    return await act(request, election_id, run)


@router.post("/nominate/{election_id}/registrations")
@web.page
async def register(request: Request, election_id: str) -> Response:
    async def run(form: dict[str, Any], access: Any, key: str | None) -> str:
        body = web.parse(rest.RegistrationCreate, {k: form.get(k, "") for k in
                                                   ("person_id", "post", "channel")})
        reg = await rest.register(body, access, web.clients(request), key)
        return messages.t("nominate.registered", name=reg.name)

    return await act(request, election_id, run)


@router.post("/nominate/{election_id}/registrations/{registration_id}/cosigners")
@web.page
async def cosign(request: Request, election_id: str, registration_id: str) -> Response:
    """Paper co-signatures recorded by the office: names or IDs resolved on the roster, each
    recorded by the co-sign route (one per person per post, NM2: the service refuses the
    nominee and a second signature naming them)."""
    async def run(form: dict[str, Any], access: Any, key: str | None) -> str:
        words = [w for w in re.split(r"[\s,，;；、]+", str(form.get("person_ids", ""))) if w]
        people = await desk.roster_of(request, await web.require_user(request), election_id)
        ids = desk.resolve(words, people)
        if not ids:
            raise ApiError(422, "name at least one co-signer", field="person_ids")
        for pid in dict.fromkeys(ids):
            body = web.parse(rest.CosignatureCreate, {"person_id": pid})
            await rest.cosign(registration_id, body, access, web.clients(request),
                              f"{key}-{pid}" if key else None)
        return messages.t("nominate.cosigned", n=len(set(ids)))

    return await act(request, election_id, run)


@router.post("/nominate/{election_id}/close")
@web.page
async def close(request: Request, election_id: str) -> Response:
    async def run(form: dict[str, Any], access: Any, key: str | None) -> str:
        await rest.close_nominations(access, web.clients(request), key)
        return messages.t("nominate.closed")

    return await act(request, election_id, run)
