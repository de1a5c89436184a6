"""Objections (异议) against a person on a notice, filed during its period, holding the
person's registrations until decided (O2)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

import rules
from proto import nomination_pb2
from services.common.errors import FailedPrecondition, InvalidArgument, NotFound
from services.common.store import Tx, utcnow
from services.nomination.domain import statements as q
from services.nomination.domain.lookups import (
    SubDomain,
    digest,
    require_decider,
    require_notice_kind,
    require_post,
    sort_key,
)
from services.nomination.domain.messages import iso, objection_message
from services.nomination.models import ObjectionRow, RegistrationRow


async def _concerned(session: Any, objection: ObjectionRow) -> list[RegistrationRow]:
    """The registrations an objection is against: the person's, of its post if it names one."""
    stmt = select(RegistrationRow).where(
        RegistrationRow.election_id == objection.election_id,
        RegistrationRow.person_id == objection.person_id)
    if objection.post:
        stmt = stmt.where(RegistrationRow.post == objection.post)
    return sorted((await session.execute(stmt)).scalars(), key=sort_key)


class Objections(SubDomain):
    async def file(self, tx: Tx, req: nomination_pb2.FileObjectionRequest
                   ) -> nomination_pb2.Objection:
        election = await self.lookups.election(tx.session, req.election_id)
        require_notice_kind(req.notice_kind, field="notice_kind")
        if req.post:
            require_post(req.post)
        if not req.reason.strip():
            raise InvalidArgument("an objection needs a reason", field="reason", rule="O2")
        notice = await self.lookups.newest_notice(tx.session, req.election_id, req.notice_kind)
        if notice is None:
            raise FailedPrecondition(f"no {req.notice_kind} notice has been published",
                                     field="notice_kind", rule="O2", value=req.notice_kind)
        if notice.closed_at is not None:  # O2: objections are filed during the notice period
            raise FailedPrecondition(
                f"the {req.notice_kind} notice period closed at {iso(notice.closed_at)}; "
                "objections are filed during it", field="notice_kind", rule="O2",
                value=req.notice_kind)
        person = await self.lookups.person(tx.session, req.election_id, req.person_id)
        seq = await self.lookups.next_seq(tx.session, ObjectionRow, req.election_id)
        row = ObjectionRow(
            objection_id="ob-" + digest(req.election_id, seq), election_id=req.election_id,
            seq=seq, notice_kind=req.notice_kind, person_id=req.person_id, post=req.post,
            reason=req.reason, status="pending", decision_reason="", filed_at=utcnow())
        concerned = await _concerned(tx.session, row)
        if not concerned:
            raise NotFound(f"{req.person_id!r} is not a registrant"
                           + (f" for {req.post}" if req.post else ""), field="person_id",
                           value=req.person_id)
        effect = rules.objection_effect("pending")
        held = []
        for reg in concerned:
            if reg.stage not in ("rejected", "dropped"):
                reg.held = True
                reg.updated_at = utcnow()
                held.append(reg.registration_id)
        tx.session.add(row)
        await tx.audit(req.election_id, "objection.filed", {
            "objection_id": row.objection_id, "notice_kind": req.notice_kind,
            "person_id": req.person_id, "name": person.name, "post": req.post,
            "reason": req.reason, "held": held, "effect": effect.value, "rule": "O2"})
        tx.wake(election.workflow_id, f"objection {row.objection_id} filed")
        return objection_message(row)

    async def decide(self, tx: Tx, req: nomination_pb2.DecideObjectionRequest
                     ) -> nomination_pb2.Objection:
        if not req.objection_id:
            raise InvalidArgument("required", field="objection_id")
        row = await tx.session.get(ObjectionRow, req.objection_id)
        if row is None:
            raise NotFound(f"no objection {req.objection_id!r}", field="objection_id",
                           value=req.objection_id)
        election = await self.lookups.election(tx.session, row.election_id)
        require_decider(req.actor, "objections", rule="O2")
        if row.status != "pending":
            raise FailedPrecondition(f"already decided: {row.status}", field="objection_id",
                                     rule="O2")
        row.status = "upheld" if req.upheld else "dismissed"
        row.decision_reason = req.reason
        row.decided_at = utcnow()
        row.decided_by = f"{req.actor.role}@{req.actor.scope}"
        effect = rules.objection_effect(row.status)
        await tx.session.flush()
        others = list((await tx.session.execute(select(ObjectionRow).where(
            ObjectionRow.election_id == row.election_id,
            ObjectionRow.person_id == row.person_id,
            ObjectionRow.status == "pending"))).scalars())
        removed, released = [], []
        for reg in await _concerned(tx.session, row):
            if req.upheld and reg.stage != "rejected":
                reg.stage = "rejected"
                reg.rejected_rule = "O2"
                reg.reason = req.reason or row.reason
                if reg.review == "pending":
                    reg.review = "rejected"
                reg.rank = 0
                removed.append(reg.registration_id)
            still_held = any(not o.post or o.post == reg.post for o in others)
            if reg.held and not (still_held and reg.stage != "rejected"):
                reg.held = False
                released.append(reg.registration_id)
            reg.updated_at = utcnow()
        person = await self.lookups.person(tx.session, row.election_id, row.person_id)
        await tx.audit(row.election_id, f"objection.{row.status}", {
            "objection_id": row.objection_id, "person_id": row.person_id, "name": person.name,
            "post": row.post, "reason": req.reason, "removed": removed, "released": released,
            "effect": effect.value, "rule": "O2"})
        tx.wake(election.workflow_id, f"objection {row.objection_id} {row.status}")
        return objection_message(row)

    async def list(self, election_id: str) -> nomination_pb2.ListObjectionsResponse:
        rows = await self.lookups.election_rows(q.Q_OBJECTIONS, election_id)
        return nomination_pb2.ListObjectionsResponse(
            objections=[objection_message(r) for r in rows])
