"""Official results: the community office and the supervisor each confirm a counted round's
results (in either order, each once: a second confirmation by the same role changes nothing).
After both the round is official — the result report prints without its draft mark — and the
round refuses every change (tally entry, counting, ballots)."""

from __future__ import annotations

import json

from proto import voting_pb2
from services.common.errors import FailedPrecondition, NotFound, PermissionDenied
from services.common.store import Tx
from services.voting.models import RoundRow

CONFIRMERS = ("community_office", "supervisor")


def confirmed_by(row: RoundRow) -> list[str]:
    return json.loads(row.confirmed_json or "[]")


def is_official(row: RoundRow) -> bool:
    return set(CONFIRMERS) <= set(confirmed_by(row))


def refuse_if_official(row: RoundRow) -> None:
    if is_official(row):
        raise FailedPrecondition(f"the results of round {row.round_id} are official: the round"
                                 " cannot change", field="round_id")


async def confirm_results(tx: Tx, req: voting_pb2.RoundActionRequest) -> RoundRow:
    row = await tx.session.get(RoundRow, req.round_id, with_for_update=True) \
        if req.round_id else None
    if row is None:
        raise NotFound(f"no round {req.round_id!r}", field="round_id")
    if req.actor.role not in CONFIRMERS:
        raise PermissionDenied(f"results are confirmed by {' and '.join(CONFIRMERS)}, not "
                               f"{req.actor.role or 'an anonymous caller'}", field="actor.role",
                               value=req.actor.role)
    if row.status != "counted":
        raise FailedPrecondition(f"round {row.round_id} is {row.status}: only counted results "
                                 "are confirmed", field="round_id")
    roles = confirmed_by(row)
    if req.actor.role not in roles:
        roles = sorted({*roles, req.actor.role})
        row.confirmed_json = json.dumps(roles)
        await tx.audit(row.election_id, "results.confirmed", {
            "round_id": row.round_id, "role": req.actor.role, "by": req.actor.name,
            "official": is_official(row), "ballot_box_digest": row.ballot_box_digest})
    return row
