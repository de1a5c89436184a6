"""Co-signatures of joint nominations (联名举荐), given and withdrawn while the window is
open (NM2, NM3)."""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table, select, update

import rules
from proto import nomination_pb2
from services.common.errors import FailedPrecondition, InvalidArgument, NotFound
from services.common.store import Tx, utcnow
from services.nomination.domain import statements as q
from services.nomination.domain.lookups import SubDomain
from services.nomination.domain.messages import cosignature_message
from services.nomination.models import CosignatureRow, PersonRow


class Cosignatures(SubDomain):
    async def cosign(self, tx: Tx, req: nomination_pb2.CosignRequest
                     ) -> nomination_pb2.Cosignature:
        rows = await self._cosign(tx, req.registration_id,
                                  [("cosigner_person_id", req.cosigner_person_id)])
        return rows[0]

    async def cosign_many(self, tx: Tx, req: nomination_pb2.CosignManyRequest
                          ) -> nomination_pb2.CosignManyResponse:
        if not req.cosigner_person_ids:
            raise InvalidArgument("at least one co-signer is required",
                                  field="cosigner_person_ids", rule="NM2")
        seen: set[str] = set()
        for i, pid in enumerate(req.cosigner_person_ids):
            if pid in seen:
                raise InvalidArgument(f"{pid!r} is listed twice",
                                      field=f"cosigner_person_ids[{i}]", rule="NM2", value=pid)
            seen.add(pid)
        rows = await self._cosign(tx, req.registration_id, [
            (f"cosigner_person_ids[{i}]", pid) for i, pid in enumerate(req.cosigner_person_ids)])
        return nomination_pb2.CosignManyResponse(cosignatures=rows)

    async def _cosign(self, tx: Tx, registration_id: str, signers: list[tuple[str, str]]
                      ) -> list[nomination_pb2.Cosignature]:
        """Co-signatures of one registration, in order, all or none (``signers``: the request
        field naming each co-signer, and the co-signer's person ID)."""
        # Two co-signatures racing (the same co-signer for two nominations of one post, or a
        # co-signature against the review counting them) are serialised by row locks on the
        # registration and on the co-signer; a partial unique index backs the NM2 rule.
        session = tx.session
        if not registration_id:
            raise InvalidArgument("required", field="registration_id")
        found = await self.lookups.registrations(session, q.Q_REG_LOCKED,
                                                 registration_id=registration_id)
        if not found:
            raise NotFound(f"no registration {registration_id!r}", field="registration_id",
                           value=registration_id)
        reg = found[0]
        election = await self.lookups.election(session, reg.election_id)
        if reg.channel != "joint":
            raise FailedPrecondition("only a joint nomination (联名举荐) takes co-signatures",
                                     field="registration_id", rule="NM2", value=reg.channel)
        profile = self.lookups.profile_of(election)
        window = self.lookups.verdict(rules.check_registration, profile,
                                      election.window_status == "open", False)
        if not window.ok:
            raise FailedPrecondition(window.reason, field="window_status",
                                     rule=window.rule or "NM3")
        for field, pid in signers:
            if not pid:
                raise InvalidArgument("required", field=field)
        ids = [pid for _, pid in signers]
        stmt = select(PersonRow.person_id, PersonRow.status).where(
            PersonRow.election_id == reg.election_id, PersonRow.person_id.in_(ids))
        if not self.store.db.sqlite:  # row locks, in a fixed order
            stmt = stmt.order_by(PersonRow.person_id).with_for_update()
        people = dict(await self.store.rows(session, stmt))
        for field, pid in signers:
            if pid not in people:
                raise NotFound(f"{pid!r} is not on the roster of {reg.election_id!r}",
                               field=field, value=pid)
            if pid == reg.person_id:
                raise InvalidArgument("nobody co-signs their own nomination", field=field,
                                      rule="NM2", value=pid)
        others = dict(await self.store.rows(session, select(
            CosignatureRow.cosigner_person_id, CosignatureRow.registration_id).where(
            CosignatureRow.election_id == reg.election_id, CosignatureRow.post == reg.post,
            CosignatureRow.cosigner_person_id.in_(ids),
            CosignatureRow.registration_id != reg.registration_id,
            CosignatureRow.withdrawn.is_(False))))
        for field, pid in signers:
            other = others.get(pid)
            if other is not None:
                raise FailedPrecondition(
                    f"one co-signature per person per post: {pid!r} already co-signs"
                    f" {other!r} for {reg.post}", field=field, rule="NM2", value=pid)
        existing = dict(await self.store.rows(session, select(
            CosignatureRow.cosigner_person_id, CosignatureRow.withdrawn).where(
            CosignatureRow.registration_id == reg.registration_id,
            CosignatureRow.cosigner_person_id.in_(ids))))
        signatures = cast(Table, CosignatureRow.__table__)
        out: list[nomination_pb2.Cosignature] = []
        for _, pid in signers:
            if pid in existing:
                if existing[pid]:  # withdrawn: signed again
                    await self.store.dml(session, update(signatures).where(
                        signatures.c.registration_id == reg.registration_id,
                        signatures.c.cosigner_person_id == pid).values(
                        withdrawn=False, signed_at=utcnow()))
                    await tx.audit(reg.election_id, "cosignature.renewed", {
                        "registration_id": reg.registration_id, "cosigner_person_id": pid,
                        "post": reg.post, "rule": "NM2"})
                out.append(nomination_pb2.Cosignature(registration_id=reg.registration_id,
                                                      cosigner_person_id=pid, withdrawn=False))
                continue
            tx.insert(CosignatureRow, registration_id=reg.registration_id,
                      cosigner_person_id=pid, election_id=reg.election_id, post=reg.post,
                      withdrawn=False, signed_at=utcnow())
            await tx.audit(reg.election_id, "cosignature.added", {
                "registration_id": reg.registration_id, "nominee_person_id": reg.person_id,
                "cosigner_person_id": pid, "cosigner_status": people[pid], "post": reg.post,
                "rule": "NM2"})
            out.append(nomination_pb2.Cosignature(registration_id=reg.registration_id,
                                                  cosigner_person_id=pid, withdrawn=False))
        return out

    async def withdraw(self, tx: Tx, req: nomination_pb2.WithdrawCosignatureRequest
                       ) -> nomination_pb2.Cosignature:
        reg = await self.lookups.registration(tx.session, req.registration_id, lock=True)
        if not req.cosigner_person_id:
            raise InvalidArgument("required", field="cosigner_person_id")
        row = await tx.session.get(CosignatureRow, (reg.registration_id, req.cosigner_person_id))
        if row is None:
            raise NotFound(f"{req.cosigner_person_id!r} has not co-signed this nomination",
                           field="cosigner_person_id", value=req.cosigner_person_id)
        if reg.auto_checked:
            raise FailedPrecondition("the co-signatures were already counted by the review",
                                     field="registration_id", rule="NM2")
        if not row.withdrawn:
            row.withdrawn = True
            await tx.audit(reg.election_id, "cosignature.withdrawn", {
                "registration_id": reg.registration_id,
                "cosigner_person_id": row.cosigner_person_id, "post": reg.post, "rule": "NM2"})
        return cosignature_message(row)
