"""The meeting desk (会务台) of the community office, and of the street committee for its
own vote: meetings and rounds, check-in by person ID with the live counter, and 公布 of a
counted round's result for the big screen. Each act runs the REST route's own check and
function (api.routes.meetings); 公布 is the console's record (api.console.store)."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from api.console import messages, web
from api.errors import ApiError
from api.routes import meetings as rest

router = APIRouter()


async def view(request: Request, user: web.User, election_id: str, status: int = 200,
               **extra: Any) -> Response:
    access = await web.election_access(request, rest.Reader, user, election_id)
    meetings = await rest.list_meetings(access, web.clients(request), None)
    published = await web.store(request).published(election_id)
    return web.render(request, "desk.html", status, user=user, info=access[1],
                      meetings=meetings, published=published, **extra)


@router.get("/desk/{election_id}")
@web.page
async def desk(request: Request, election_id: str, done: str = "") -> Response:
    user = await web.require_user(request)
    return await view(request, user, election_id, notice=done[:200])


@router.post("/desk/{election_id}/meetings/{meeting_id}/check-in")
@web.page
async def check_in(request: Request, election_id: str, meeting_id: str) -> Response:
    user = await web.require_user(request)
    form = await web.form_of(request, user)
    ids = [p for p in re.split(r"[\s,，;；]+", str(form.get("person_ids", ""))) if p]
    try:
        body = web.parse(rest.CheckIn, {"person_ids": ids})
        access = await web.election_access(request, rest.Desk, user, election_id)
        res = await rest.check_in(meeting_id, body, access, web.clients(request))
    except ApiError as exc:
        return await view(request, user, election_id, exc.status, error=exc)
    done = f"{messages.t('screen.present')} {res.meeting.present_members}"
    return RedirectResponse(f"{web.PREFIX}/desk/{election_id}?done={done}", status_code=303)


@router.post("/desk/{election_id}/rounds/{round_id}/publish")
@web.page
async def publish(request: Request, election_id: str, round_id: str) -> Response:
    """公布: the round's result may be shown on the big screen. Only a counted round, only by
    whoever runs its meeting's desk (rest.desk_role)."""
    user = await web.require_user(request)
    await web.form_of(request, user)
    try:
        principal, info = await web.election_access(request, rest.Desk, user, election_id)
        rnd, meeting = await rest.round_of(web.clients(request), info, round_id)
        rest.desk_role(principal, meeting, "publish a result")
        if rnd.status != "counted":
            raise ApiError(409, f"round {round_id} is {rnd.status}: only a counted round is "
                                "published", field="round_id", code="FAILED_PRECONDITION")
        await web.store(request).publish(election_id, round_id, principal.label())
    except ApiError as exc:
        return await view(request, user, election_id, exc.status, error=exc)
    done = messages.t("desk.published", n=rnd.number)
    return RedirectResponse(f"{web.PREFIX}/desk/{election_id}?done={done}", status_code=303)
