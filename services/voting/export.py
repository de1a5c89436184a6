"""A counted round's ballots for an independent recount (``ListRoundBallots``).

Only once the round is counted: while it is open, its ballots (with their salts) are the
ballot box itself. A ballot is given as the recount needs it — round, receipt, salt,
marks — sorted by receipt, with no voter, no code and no time (none is stored).
"""

from __future__ import annotations

from sqlalchemy import select

from proto import voting_pb2
from services.common.errors import FailedPrecondition, InvalidArgument, NotFound
from services.common.store import Store
from services.voting.models import BallotRow, RoundRow

_ROUNDS = RoundRow.__table__
_BALLOTS = BallotRow.__table__


async def list_round_ballots(store: Store, round_id: str
                             ) -> voting_pb2.ListRoundBallotsResponse:
    if not round_id:
        raise InvalidArgument("required", field="round_id")
    async with store.read() as session:
        found = await session.first(select(_ROUNDS.c.status).where(
            _ROUNDS.c.round_id == round_id))
        if found is None:
            raise NotFound(f"no round {round_id!r}", field="round_id")
        if found.status != "counted":
            raise FailedPrecondition(f"round {round_id} is {found.status}: its ballots are"
                                     " given only once it is counted", field="round_id")
        rows = await session.rows(select(
            _BALLOTS.c.receipt, _BALLOTS.c.salt, _BALLOTS.c.marks_json).where(
                _BALLOTS.c.round_id == round_id).order_by(_BALLOTS.c.receipt))
    return voting_pb2.ListRoundBallotsResponse(ballots=[
        voting_pb2.RoundBallot(round_id=round_id, receipt=r.receipt, salt=r.salt,
                               marks_json=r.marks_json) for r in rows])
