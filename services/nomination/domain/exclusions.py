"""E2: the exclusions from the expected attendance (应到会) take effect with the higher
committee's consent. The community office enters an exclusion and its reason with the roster;
the street committee consents to it or refuses it, person by person, each decision recorded
with who made it. Only a consented exclusion lowers the quorum base: the workflow opens a
meeting with every other member expected (workflows/election/activities.py)."""

from __future__ import annotations

from sqlalchemy import select

from proto import common_pb2, nomination_pb2
from services.common.errors import FailedPrecondition, InvalidArgument, NotFound, PermissionDenied
from services.common.store import Tx
from services.nomination.domain.lookups import SubDomain
from services.nomination.domain.messages import person_message
from services.nomination.models import PersonRow

#: who consents to an exclusion (the higher committee of a community organization)
CONSENTER = "street_committee"
DECISIONS = ("consented", "refused")


async def decide_rows(tx: Tx, election_id: str, person_ids: list[str], consent: bool,
                      who: str, field: str = "person_ids") -> list[PersonRow]:
    """The decision on each listed person's exclusion, written; the rows, in the order
    asked. Refuses a person not on the roster or not excluded (naming ``field[i]``)."""
    wanted = list(dict.fromkeys(person_ids))
    rows = {r.person_id: r for r in (await tx.session.execute(select(PersonRow).where(
        PersonRow.election_id == election_id, PersonRow.person_id.in_(wanted))
        .with_for_update())).scalars().all()}
    for i, person_id in enumerate(wanted):
        row = rows.get(person_id)
        if row is None:
            raise NotFound(f"{person_id!r} is not on the roster", field=f"{field}[{i}]",
                           value=person_id)
        if not row.excluded_reason:
            raise FailedPrecondition(f"{person_id} is not excluded: there is nothing to "
                                     "consent to", field=f"{field}[{i}]", rule="E2",
                                     value=person_id)
    for person_id in wanted:
        rows[person_id].exclusion_consent = DECISIONS[0] if consent else DECISIONS[1]
        rows[person_id].exclusion_decided_by = who
    return [rows[p] for p in wanted]


def decider(actor: common_pb2.Actor) -> str:
    if actor.role != CONSENTER:
        raise PermissionDenied(f"the {CONSENTER} consents to an exclusion, not "
                               f"{actor.role or 'an anonymous caller'}",
                               field="actor.role", rule="E2", value=actor.role)
    return actor.name.strip() or f"{actor.role}@{actor.scope}"


class Exclusions(SubDomain):
    async def decide(self, tx: Tx, req: nomination_pb2.DecideExclusionsRequest
                     ) -> nomination_pb2.ListRosterResponse:
        who = decider(req.actor)
        await self.lookups.election(tx.session, req.election_id)
        if not req.person_ids:
            raise InvalidArgument("required", field="person_ids")
        reason = req.reason.strip()
        if not req.consent and not reason:
            raise InvalidArgument("required: why the exclusion is refused", field="reason",
                                  rule="E2")
        rows = await decide_rows(tx, req.election_id, list(req.person_ids), req.consent, who)
        decision = DECISIONS[0] if req.consent else DECISIONS[1]
        await tx.audit(req.election_id, f"exclusions.{decision}", {
            "person_ids": [r.person_id for r in rows],
            "reasons": [r.excluded_reason for r in rows], "by": who, "reason": reason,
            "rule": "E2"})
        return nomination_pb2.ListRosterResponse(people=[person_message(r) for r in rows])
