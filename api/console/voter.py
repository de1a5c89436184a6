"""The voter's ballot page (by one-time code, no sign-in), laid out for a phone: the post,
the candidates in ballot order, for / against / abstain with a write-in beside against where
M4 allows it (congress rounds; M8 ballots take none), a review step, the receipt.

Served under ``/ballot``, outside the console's cookie path, so no session cookie is ever sent
with it; it sets none, loads only its own assets (also under ``/ballot``) and needs no
script. The access log drops every ``/ballot`` line (api.main.SECRET_PATHS). A cast goes
through the REST cast route's own function, ``api.routes.meetings.cast_ballot``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.console import messages, web
from api.deps import call
from api.errors import ApiError
from api.routes import meetings as rest
from proto import voting_pb2
from services.voting.domain import CONGRESS_ROUND_KINDS

PATH = "/ballot"
router = APIRouter(prefix=PATH)
CHOICES = ("for", "against", "abstain")
PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def page(request: Request, template: str, status: int = 200, **context: Any) -> Response:
    return web.render(request, template, status, headers=dict(PRIVATE), base=PATH, **context)


async def round_for(request: Request, round_id: str) -> voting_pb2.Round:
    if not round_id or len(round_id) > 80:
        raise ApiError(422, "a round id is required", field="round_id")
    return await call(web.clients(request).voting.GetRound(
        voting_pb2.GetRoundRequest(round_id=round_id)), "voting")  # type: ignore[no-any-return]


def marks_of(rnd: voting_pb2.Round, form: dict[str, Any]) -> list[dict[str, str]]:
    """The form's marks in ballot order; a write-in counts only beside an against (M4)."""
    out = []
    write_ins = rnd.kind in CONGRESS_ROUND_KINDS
    for c in rnd.candidates:
        choice = str(form.get(f"c.{c.person_id}", ""))
        if choice not in CHOICES:
            continue
        write_in = str(form.get(f"w.{c.person_id}", "")).strip() if write_ins else ""
        out.append({"person_id": c.person_id, "choice": choice,
                    "write_in": write_in if choice == "against" else ""})
    return out


def ballot_context(rnd: voting_pb2.Round, code: str, marks: list[dict[str, str]]
                   ) -> dict[str, Any]:
    by_person = {m["person_id"]: m for m in marks}
    names = {c.person_id: c.name for c in rnd.candidates}
    return {"round": rnd, "code": code, "marks": by_person, "names": names,
            "write_ins": rnd.kind in CONGRESS_ROUND_KINDS}


@router.get("")
async def start(request: Request, round: str = "") -> Response:
    return page(request, "ballot_start.html", round_id=round[:80])


@router.post("/open")
async def open_ballot(request: Request) -> Response:
    form = await web.form_of(request, None)
    round_id, code = str(form.get("round_id", "")).strip(), str(form.get("code", "")).strip()
    try:
        rnd = await round_for(request, round_id)
        if rnd.status != "open":
            raise ApiError(409, messages.t("ballot.closed"), field="round_id")
        if not code:
            raise ApiError(422, "the ballot code is required", field="code")
    except ApiError as exc:
        return page(request, "ballot_start.html", exc.status, round_id=round_id, error=exc)
    return page(request, "ballot.html", **ballot_context(rnd, code, marks_of(rnd, form)))


@router.post("/review")
async def review(request: Request) -> Response:
    form = await web.form_of(request, None)
    try:
        rnd = await round_for(request, str(form.get("round_id", "")))
    except ApiError as exc:
        return page(request, "ballot_start.html", exc.status, error=exc)
    ctx = ballot_context(rnd, str(form.get("code", "")), marks_of(rnd, form))
    return page(request, "ballot_review.html", **ctx)


@router.post("/cast")
async def cast(request: Request) -> Response:
    form = await web.form_of(request, None)
    try:
        rnd = await round_for(request, str(form.get("round_id", "")))
    except ApiError as exc:
        return page(request, "ballot_start.html", exc.status, error=exc)
    marks = marks_of(rnd, form)
    code = str(form.get("code", ""))
    try:
        body = web.parse(rest.BallotCast, {"round_id": rnd.round_id, "code": code,
                                            "marks": marks})
        receipt = await rest.cast_ballot(body, web.clients(request))
    except ApiError as exc:
        return page(request, "ballot_review.html", exc.status, error=exc,
                    **ballot_context(rnd, code, marks))
    return page(request, "ballot_receipt.html", round=rnd, receipt=receipt)
