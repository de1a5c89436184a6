"""The big screen (大屏) for the hall projector at 1920 × 1080, and the 公布 that lets it show
results. During check-in: 应到 / 实到 / quorum; during a round: ballots issued and returned;
results (table and bar chart) only for rounds the desk has published: projecting is separate
from publishing. A script polls the screen's fragment four times a second (live without reload);
without script the page refreshes itself every five seconds."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

import rules
from api.console import web
from api.deps import call, load_election
from api.errors import ApiError
from proto import voting_pb2

router = APIRouter()
MEETING_ORDER = {"recommendation": 0, "committee": 1, "congress": 2, "plenary": 3}


def _need(meeting: voting_pb2.Meeting, profile: str) -> int:
    """M1: the congress needs more than four fifths of those expected."""
    if meeting.kind != "congress" or meeting.expected <= 0:
        return 0
    try:
        verdict = rules.congress_quorum(rules.load_profile(profile or "nanjing"),
                                        meeting.present_members, meeting.expected)
    except Exception:
        return 0
    value = verdict.value if isinstance(verdict.value, dict) else {}
    return int(value.get("need", 0))


def _followed(rounds: list[voting_pb2.Round]) -> voting_pb2.Round | None:
    """The round the hall follows: the newest one with figures. The workflow opens the next
    round as soon as one is counted; shown at once, its 0 / 0 would replace the returned
    count of the round just counted before the hall could read it."""
    started = [r for r in rounds if r.status != "open" or r.issued > 0]
    return started[-1] if started else (rounds[-1] if rounds else None)


async def screen_data(request: Request, election_id: str) -> dict[str, Any]:
    clients = web.clients(request)
    info = await load_election(clients, web.db(request), election_id)
    res = await call(clients.voting.ListMeetings(voting_pb2.ListMeetingsRequest(
        election_id=election_id)), "voting")
    published = await web.store(request).published(election_id)
    # the service lists meetings by kind's name: the hall follows them in the steps' order
    meetings = sorted(res.meetings, key=lambda m: (MEETING_ORDER.get(m.kind, 9), m.session))
    meeting = meetings[-1] if meetings else None
    current = _followed(list(meeting.rounds)) if meeting is not None else None
    shown = [r for m in meetings for r in m.rounds if r.round_id in published]
    result = shown[-1] if shown else None
    most = max([t.votes_for for t in result.tally] + [1]) if result else 1
    return {"info": info, "meeting": meeting, "current": current, "result": result,
            "most": most, "need": _need(meeting, info.profile) if meeting else 0,
            "published": published}


@router.get("/screen/{election_id}")
@web.page
async def screen(request: Request, election_id: str) -> Response:
    data = await screen_data(request, election_id)
    return web.render(request, "screen.html", **data)


@router.get("/screen/{election_id}/live")
async def live(request: Request, election_id: str) -> Response:
    try:
        data = await screen_data(request, election_id)
    except ApiError as exc:
        return HTMLResponse(exc.message, status_code=exc.status)
    out = web.render(request, "screen_body.html", **data)
    out.headers["Cache-Control"] = "no-store"
    return out
