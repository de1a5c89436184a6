"""Four eyes on a paper tally (M12: counting on the spot, under the scrutineers): the desk
enters the tally, and it counts only once the supervisor (总监票人) — another person than the
one who entered it — has confirmed it. A rejected tally is entered again (which asks for a
new confirmation); entering a confirmed tally again also asks for one.

A person is the acting account's holder as the API asserted it (``Actor.name``), or, for a
caller that names none, its role and scope."""

from __future__ import annotations

from proto import common_pb2, voting_pb2
from services.common.errors import FailedPrecondition, InvalidArgument, PermissionDenied
from services.common.store import Tx
from services.voting.domain.converters import round_to_message
from services.voting.domain.shared import SubDomain, require_open, round_row
from services.voting.models import RoundRow

#: who confirms a paper tally
CONFIRMER = "supervisor"
RULE = "M12"


def person_of(actor: common_pb2.Actor) -> str:
    """The person acting, as far as the request tells one from another."""
    return actor.name.strip() or f"{actor.role}@{actor.scope}"


def mark_entered(rnd: RoundRow, actor: common_pb2.Actor) -> dict[str, str]:
    """A tally (re-)entered: it awaits the supervisor's confirmation. Returns what the tally
    record states: who entered it, and the decision on the tally it replaces, if any."""
    replaced = ({"replaces": rnd.tally_status, "replaced_decision_by": rnd.tally_confirmed_by}
                if rnd.tally_status in ("confirmed", "rejected") else {})
    rnd.tally_status, rnd.tally_entered_by = "entered", person_of(actor)
    rnd.tally_confirmed_by, rnd.tally_note = "", ""
    return {"entered_by": rnd.tally_entered_by, **replaced}


def require_confirmed(rnd: RoundRow) -> None:
    """A paper round is counted only from a confirmed tally."""
    if rnd.tally_status == "confirmed":
        return
    if rnd.tally_status == "rejected":
        raise FailedPrecondition(f"the supervisor rejected the tally ({rnd.tally_note}): enter"
                                 " it again", field="tally_status", rule=RULE,
                                 value=rnd.tally_status)
    raise FailedPrecondition("the tally awaits the supervisor's confirmation (总监票人)",
                             field="tally_status", rule=RULE, value=rnd.tally_status)


class Tallies(SubDomain):
    """The supervisor's confirmation (or rejection) of a paper tally."""

    async def confirm_tally(self, tx: Tx, req: voting_pb2.ConfirmTallyRequest
                            ) -> voting_pb2.Round:
        rnd = await round_row(tx, req.round_id)
        require_open(rnd)
        if req.actor.role != CONFIRMER:
            raise PermissionDenied(f"a tally is confirmed by the {CONFIRMER}, not "
                                   f"{req.actor.role or 'an anonymous caller'}",
                                   field="actor.role", rule=RULE, value=req.actor.role)
        if rnd.source != "paper" or rnd.tally_status not in ("entered",):
            what = {"confirmed": "is already confirmed", "rejected": "was rejected: it is"
                    " entered again first"}.get(rnd.tally_status, "has no tally entered")
            raise FailedPrecondition(f"round {rnd.round_id} {what}", field="round_id",
                                     rule=RULE, value=rnd.tally_status)
        who = person_of(req.actor)
        if who == rnd.tally_entered_by:
            raise PermissionDenied(f"{who} entered this tally: another person confirms it",
                                   field="actor", rule=RULE, value=who)
        reason = req.reason.strip()
        if not req.approve and not reason:
            raise InvalidArgument("required: why the tally is rejected", field="reason",
                                  rule=RULE)
        rnd.tally_status = "confirmed" if req.approve else "rejected"
        rnd.tally_confirmed_by, rnd.tally_note = who, "" if req.approve else reason
        if not req.approve:
            await tx.audit(rnd.election_id, "tally.rejected", {
                "round_id": rnd.round_id, "entered_by": rnd.tally_entered_by, "by": who,
                "reason": reason, "rule": RULE})
        # a confirmation enters the chain with what it decides: the round's count names who
        # entered and who confirmed the tally it counts (``round.counted``), and a tally
        # entered again names the confirmation it replaces (``tally.entered``) — so a played
        # election's chain keeps the length its expected output states
        return round_to_message(rnd)
