"""The meeting desk (会务台) of the community office, and of the street committee for its
own vote: meetings and rounds, check-in by person ID with the live counter, and 公布 of a
counted round's result for the big screen. Each act runs the REST route's own check and
function (api.routes.meetings); 公布 is the console's record (api.console.store)."""

from __future__ import annotations

import re
import secrets
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from api.console import messages, web
from api.errors import ApiError
from api.routes import meetings as rest
from api.routes import roster as roster_rest

router = APIRouter()


SHOWN = 50  # search hits listed at once
WRITE_INS = 3  # write-in lines on the paper tally form


async def roster_of(request: Request, user: web.User,
                    election_id: str) -> list[roster_rest.PersonPublic]:
    access = await web.election_access(request, roster_rest.Clerk, user, election_id)
    return await roster_rest.list_roster(access, web.clients(request))


def resolve(words: list[str], people: list[roster_rest.PersonPublic]) -> list[str]:
    """Each word a person ID or a name on the roster; an unknown or shared name is refused
    naming it (field person_ids), so the desk never checks in a guess."""
    ids = {p.person_id for p in people}
    by_name: dict[str, list[str]] = {}
    for p in people:
        by_name.setdefault(p.name, []).append(p.person_id)
    out = []
    for i, word in enumerate(words):
        if word in ids:
            out.append(word)
        elif len(by_name.get(word, [])) == 1:
            out.append(by_name[word][0])
        elif word in by_name:
            raise ApiError(422, f"{len(by_name[word])} people named {word} are on the roster: "
                                f"give the ID ({', '.join(by_name[word])})",
                           field=f"person_ids[{i}]")
        else:
            raise ApiError(422, f"no one with the ID or name {word!r} is on the roster",
                           field=f"person_ids[{i}]")
    return out


async def view(request: Request, user: web.User, election_id: str, status: int = 200,
               q: str = "", **extra: Any) -> Response:
    access = await web.election_access(request, rest.Reader, user, election_id)
    meetings = await rest.list_meetings(access, web.clients(request), None)
    published = await web.store(request).published(election_id)
    found: list[roster_rest.PersonPublic] = []
    if q:
        found = [p for p in await roster_of(request, user, election_id)
                 if q in p.name or q == p.person_id][:SHOWN]
    return web.render(request, "desk.html", status, user=user, info=access[1],
                      paused=await web.paused_reason(request, access[1]),
                      meetings=meetings, published=published, q=q, found=found,
                      write_ins=range(WRITE_INS), key=secrets.token_urlsafe(12), **extra)


@router.get("/desk/{election_id}")
@web.page
async def desk(request: Request, election_id: str, done: str = "", q: str = "") -> Response:
    user = await web.require_user(request)
    return await view(request, user, election_id, q=q.strip()[:40], notice=done[:200])


@router.post("/desk/{election_id}/meetings/{meeting_id}/check-in")
@web.page
async def check_in(request: Request, election_id: str, meeting_id: str) -> Response:
    user = await web.require_user(request)
    form = await web.form_of(request, user)
    words = [p for p in re.split(r"[\s,，;；、]+", str(form.get("person_ids", ""))) if p]
    picked = form.get("pick", [])
    picked = [picked] if isinstance(picked, str) else list(picked)
    try:
        ids = resolve(words, await roster_of(request, user, election_id)) if words else []
        body = web.parse(rest.CheckIn, {"person_ids": list(dict.fromkeys(ids + picked))})
        access = await web.election_access(request, rest.Desk, user, election_id)
        res = await rest.check_in(meeting_id, body, access, web.clients(request), web.db(request))
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


def _count(form: dict[str, Any], name: str) -> Any:
    value = str(form.get(name, "")).strip()
    return value or 0  # an empty cell is 0; anything else is the Tally model's to refuse


@router.post("/desk/{election_id}/rounds/{round_id}/tally")
@web.page
async def tally(request: Request, election_id: str, round_id: str) -> Response:
    """Paper counting: the sheet as counted (issued, returned, invalid, each candidate's
    for / against / abstain, write-ins), checked by the service (M2-M4: marks beyond the
    valid ballots, invalid beyond returned are refused naming the line)."""
    user = await web.require_user(request)
    form = await web.form_of(request, user)
    try:
        access = await web.election_access(request, rest.Desk, user, election_id)
        rnd, _ = await rest.round_of(web.clients(request), access[1], round_id)
        lines = [{"person_id": c.person_id, "votes_for": _count(form, f"for.{c.person_id}"),
                  "votes_against": _count(form, f"against.{c.person_id}"),
                  "votes_abstain": _count(form, f"abstain.{c.person_id}")}
                 for c in rnd.candidates]
        write_ins = [{"name": str(form.get(f"wname.{i}", "")).strip(),
                      "votes": _count(form, f"wvotes.{i}")} for i in range(WRITE_INS)
                     if str(form.get(f"wname.{i}", "")).strip()]
        body = web.parse(rest.Tally, {"issued": _count(form, "issued"),
                                      "returned": _count(form, "returned"),
                                      "invalid": _count(form, "invalid"), "lines": lines,
                                      "write_ins": write_ins})
        await rest.enter_tally(round_id, body, access, web.clients(request),
                               str(form.get("key", ""))[:60] or None)
    except ApiError as exc:
        return await view(request, user, election_id, exc.status, error=exc)
    # counted once the supervisor confirms it (four eyes, M12: console/supervisor.py)
    done = messages.t("desk.tally_done", n=rnd.number)
    return RedirectResponse(f"{web.PREFIX}/desk/{election_id}?done={done}", status_code=303)
