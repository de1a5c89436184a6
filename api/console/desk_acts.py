"""The meeting desk's acts beyond check-in and paper tallies: closing check-in (the quorum
decided), the committee's headcount, the electronic round — ballots issued to the people
at the table with their one-time codes shown once for printing, casting opened, the round
closed and counted — and the end of the recommendation meeting. Each runs the REST route's
own check and function (api.routes.meetings); the codes are never stored by the console."""

from __future__ import annotations

import re
import secrets
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from api.console import desk, messages, web
from api.errors import ApiError
from api.routes import meetings as rest
from documents.archive import meeting_stem, round_stem

router = APIRouter()
DOCS = "/api/v1/elections/{eid}/documents/{name}"


def round_documents(election_id: str, m: rest.MeetingPublic,
                    r: rest.RoundPublic) -> dict[str, str]:
    """The round's printable papers (documents/): ballot, tally sheet, and its result."""
    stem = round_stem(m.kind, m.session, r.number, r.post, r.kind)
    kinds = ("ballot", "tally", "result") if r.status == "counted" else ("ballot", "tally")
    return {k: DOCS.format(eid=election_id, name=f"{stem}-{k}.pdf") for k in kinds}


def meeting_documents(election_id: str, m: rest.MeetingPublic) -> dict[str, str]:
    """The meeting's minutes once check-in has closed, and its result once a round counted."""
    stem = meeting_stem(m.kind, m.session)
    out = {}
    if m.status != "checking_in":
        out["minutes"] = DOCS.format(eid=election_id, name=f"{stem}-minutes.pdf")
    if any(r.status == "counted" for r in m.rounds):
        out["meeting-result"] = DOCS.format(eid=election_id, name=f"{stem}-result.pdf")
    return out


def back(election_id: str, text: str) -> RedirectResponse:
    return RedirectResponse(f"{web.PREFIX}/desk/{election_id}?done={text}", status_code=303)


async def meeting_act(request: Request, election_id: str, what: str, run: Any,
                      check: Any = rest.Desk) -> Response:
    """One act: the form checked (CSRF), the route's access check, its function."""
    user = await web.require_user(request)
    form = await web.form_of(request, user)
    try:
        access = await web.election_access(request, check, user, election_id)
        key = str(form.get("key", ""))[:60] or None
        await run(form, access, key)
    except ApiError as exc:
        return await desk.view(request, user, election_id, exc.status, error=exc)
    return back(election_id, messages.t(what))


@router.post("/desk/{election_id}/meetings/{meeting_id}/confirm")
@web.page
async def confirm_attendance(request: Request, election_id: str, meeting_id: str) -> Response:
    """Check-in closes: attendance frozen and the quorum decided by the service (M1, M11)."""
    async def run(form: dict[str, Any], access: Any, key: str | None) -> None:
        await rest.confirm_attendance(meeting_id, access, web.clients(request), key)

    return await meeting_act(request, election_id, "desk.confirmed", run)


@router.post("/desk/{election_id}/meetings/{meeting_id}/headcount")
@web.page
async def headcount(request: Request, election_id: str, meeting_id: str) -> Response:
    """The street committee's sitting: its membership and the members present (M11)."""
    async def run(form: dict[str, Any], access: Any, key: str | None) -> None:
        body = web.parse(rest.CheckIn, {"committee_size": form.get("committee_size") or 0,
                                        "headcount": form.get("headcount") or 0})
        await rest.check_in(meeting_id, body, access, web.clients(request), web.db(request),
                            key)

    return await meeting_act(request, election_id, "desk.headcount_done", run)


@router.post("/desk/{election_id}/meetings/{meeting_id}/close")
@web.page
async def close_meeting(request: Request, election_id: str, meeting_id: str) -> Response:
    """The recommendation meeting ends once its rounds are counted (step 4 then goes on)."""
    async def run(form: dict[str, Any], access: Any, key: str | None) -> None:
        await rest.close_meeting(meeting_id, access, web.clients(request), key)

    return await meeting_act(request, election_id, "desk.meeting_closed", run)


@router.post("/desk/{election_id}/rounds/{round_id}/issue")
@web.page
async def issue(request: Request, election_id: str, round_id: str) -> Response:
    """Ballots for the people named (ID or name, resolved on the roster): the one-time codes
    are shown on this answer only, for printing, in an order unrelated to the people; the
    same form sent again (its key) answers the same codes and issues nothing more."""
    user = await web.require_user(request)
    form = await web.form_of(request, user)
    words = [p for p in re.split(r"[\s,，;；、]+", str(form.get("person_ids", ""))) if p]
    try:
        access = await web.election_access(request, rest.Office, user, election_id)
        ids = desk.resolve(words, await desk.roster_of(request, user, election_id))
        body = web.parse(rest.BallotIssue, {"person_ids": list(dict.fromkeys(ids))})
        rnd, meeting = await rest.round_of(web.clients(request), access[1], round_id)
        res = await rest.issue_ballots(round_id, body, access, web.clients(request),
                                       str(form.get("key", ""))[:60] or None)
    except ApiError as exc:
        return await desk.view(request, user, election_id, exc.status, error=exc)
    ballot_url = f"{str(request.base_url).rstrip('/')}/ballot?round={round_id}"
    out = web.render(request, "desk_codes.html", user=user, info=access[1], round=rnd,
                     meeting=meeting, codes=res.codes, issued_total=res.issued_total,
                     ballot_url=ballot_url, key=secrets.token_urlsafe(12))
    out.headers["Cache-Control"] = "no-store"  # the codes are shown once
    return out


@router.post("/desk/{election_id}/rounds/{round_id}/casting")
@web.page
async def open_casting(request: Request, election_id: str, round_id: str) -> Response:
    """Every ballot handed out: casting opens on the phone page, no ballot is issued after."""
    async def run(form: dict[str, Any], access: Any, key: str | None) -> None:
        await rest.open_casting(round_id, access, web.clients(request), key)

    return await meeting_act(request, election_id, "desk.casting_open", run, rest.Office)


@router.post("/desk/{election_id}/rounds/{round_id}/count")
@web.page
async def count(request: Request, election_id: str, round_id: str) -> Response:
    """The electronic round closed: the service counts the ballot box by the rules (M2-M11)."""
    async def run(form: dict[str, Any], access: Any, key: str | None) -> None:
        await rest.close_round(round_id, access, web.clients(request), key)

    return await meeting_act(request, election_id, "desk.counted", run)


web.env.globals.update(round_documents=round_documents, meeting_documents=meeting_documents)
