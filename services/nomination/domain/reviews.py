"""The qualification review: the automatic check once the window closes, then the street
committee's decision on each registration (NM2, NM4)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

import rules
from proto import common_pb2, nomination_pb2
from services.common.errors import FailedPrecondition, InvalidArgument, NotFound
from services.common.store import Tx, utcnow
from services.nomination.domain import statements as q
from services.nomination.domain.lookups import SubDomain, require_decider, sort_key
from services.nomination.domain.messages import registration_message
from services.nomination.models import CosignatureRow, PersonRow


class Reviews(SubDomain):
    async def run_automatic(self, tx: Tx, req: nomination_pb2.AutomaticReviewRequest
                            ) -> nomination_pb2.ListRegistrationsResponse:
        election = await self.lookups.election(tx.session, req.election_id)
        if election.window_status != "closed":
            raise FailedPrecondition("the automatic review runs after the nomination window"
                                     " closes", field="window_status", rule="NM4")
        profile = self.lookups.profile_of(election)
        people = {p.person_id: p for p in await self.store.rows(tx.session, select(
            *PersonRow.__table__.c).where(PersonRow.election_id == req.election_id))}
        regs = await self.lookups.registrations(tx.session, q.Q_REGS_OF_ELECTION,
                                                election_id=req.election_id)
        pending = sorted((r for r in regs if not r.auto_checked), key=lambda r: r.seq)
        signatures: dict[str, list[Any]] = {}
        if any(r.channel == "joint" and r.stage == "registered" for r in pending):
            for s in await self.store.rows(tx.session, select(
                    CosignatureRow.registration_id, CosignatureRow.cosigner_person_id,
                    CosignatureRow.withdrawn).where(
                    CosignatureRow.election_id == req.election_id).order_by(
                    CosignatureRow.signed_at, CosignatureRow.cosigner_person_id)):
                signatures.setdefault(s.registration_id, []).append(s)
        passed = rejected = 0
        for reg in pending:
            reg.auto_checked = True
            if reg.stage != "registered":  # e.g. removed by an upheld objection meanwhile
                await self.lookups.save_registration(tx.session, reg, "auto_checked")
                continue
            person = people[reg.person_id]
            facts = rules.PersonFacts(
                status=person.status, own_organization=person.status != "guest_member",
                party_years=person.party_years, age=person.age or None,
                resides_in_community=person.resides_in_community)
            verdict = rules.check_eligibility(profile, facts)
            checked = [verdict.rule]
            if verdict.ok and reg.channel == "joint":
                cosigners = [rules.Cosigner(
                    person_id=s.cosigner_person_id, status=people[s.cosigner_person_id].status,
                    in_community=True, withdrawn=s.withdrawn)
                    for s in signatures.get(reg.registration_id, [])]
                verdict = rules.check_joint_nomination(profile, reg.person_id, cosigners)
                checked.append(verdict.rule)
                counts = verdict.value if isinstance(verdict.value, dict) else {}
                reg.cosigners = int(counts.get("cosigners", sum(
                    1 for c in cosigners if not c.withdrawn)))
                reg.member_cosigners = int(counts.get("members", sum(
                    1 for c in cosigners if not c.withdrawn and c.status == "full")))
            reg.updated_at = utcnow()
            if verdict.ok:
                passed += 1
                reg.reason = ""
                kind = "review.auto_passed"
            else:
                rejected += 1
                reg.stage = "rejected"
                reg.review = "rejected"
                reg.rejected_rule = verdict.rule
                reg.reason = verdict.reason
                kind = "review.auto_rejected"
            await self.lookups.save_registration(
                tx.session, reg, "auto_checked", "stage", "review", "rejected_rule", "reason",
                "cosigners", "member_cosigners", "updated_at")
            await tx.audit(req.election_id, kind, {
                "registration_id": reg.registration_id, "person_id": reg.person_id,
                "name": person.name, "post": reg.post, "channel": reg.channel,
                "ok": verdict.ok, "rule": verdict.rule, "reason": verdict.reason,
                "rules_checked": checked, "cosigners": reg.cosigners,
                "member_cosigners": reg.member_cosigners})
        if pending:
            tx.wake(election.workflow_id,
                    f"automatic review: {passed} passed, {rejected} rejected")
        names = {pid: p.name for pid, p in people.items()}
        return nomination_pb2.ListRegistrationsResponse(registrations=[
            registration_message(r, names.get(r.person_id, ""))
            for r in sorted(regs, key=sort_key)])

    async def decide(self, tx: Tx, req: nomination_pb2.DecideReviewRequest
                     ) -> nomination_pb2.Registration:
        out = await self._decide(tx, req.actor, [("", req)])
        return out[0]

    async def decide_many(self, tx: Tx, req: nomination_pb2.DecideReviewsRequest
                          ) -> nomination_pb2.ListRegistrationsResponse:
        if not req.decisions:
            raise InvalidArgument("at least one decision is required", field="decisions",
                                  rule="NM4")
        seen: set[str] = set()
        for i, d in enumerate(req.decisions):
            if d.registration_id in seen:
                raise InvalidArgument(f"{d.registration_id!r} is decided twice",
                                      field=f"decisions[{i}].registration_id", rule="NM4",
                                      value=d.registration_id)
            seen.add(d.registration_id)
        out = await self._decide(
            tx, req.actor, [(f"decisions[{i}].", d) for i, d in enumerate(req.decisions)])
        return nomination_pb2.ListRegistrationsResponse(registrations=out)

    async def _decide(self, tx: Tx, actor: common_pb2.Actor, decisions: list[tuple[str, Any]]
                      ) -> list[nomination_pb2.Registration]:
        """NM4 decisions of one election, in order, all or none (``decisions``: the prefix of
        the request fields naming each decision, and the decision)."""
        session = tx.session
        for where, d in decisions:
            if not d.registration_id:
                raise InvalidArgument("required", field=f"{where}registration_id")
        ids = [d.registration_id for _, d in decisions]
        regs = {r.registration_id: r for r in await self.lookups.registrations(
            session, q.Q_REGS_LOCKED, registration_ids=sorted(set(ids)))}
        election_id = ""
        for where, d in decisions:
            reg = regs.get(d.registration_id)
            if reg is None:
                raise NotFound(f"no registration {d.registration_id!r}",
                               field=f"{where}registration_id", value=d.registration_id)
            if election_id and reg.election_id != election_id:
                raise InvalidArgument("all decisions must be of one election",
                                      field=f"{where}registration_id", value=d.registration_id)
            election_id = reg.election_id
        election = await self.lookups.election(session, election_id)
        require_decider(actor, "qualification reviews", rule="NM4")
        for where, d in decisions:
            reg = regs[d.registration_id]
            field = f"{where}registration_id"
            if not reg.auto_checked:
                raise FailedPrecondition("the automatic review has not checked this registration",
                                         field=field, rule="NM4")
            if reg.review != "pending" or reg.stage != "registered":
                raise FailedPrecondition(f"already decided: review {reg.review}, stage {reg.stage}",
                                         field=field, rule="NM4")
            if not d.approve and not d.reason.strip():
                raise InvalidArgument("a rejection needs a reason", field=f"{where}reason",
                                      rule="NM4")
        names = await self.lookups.names(session, election_id, [regs[i].person_id for i in ids])
        now = utcnow()
        out: list[nomination_pb2.Registration] = []
        for _, d in decisions:
            reg = regs[d.registration_id]
            if d.approve:
                reg.stage, reg.review, reg.rejected_rule = "qualified", "approved", ""
            else:
                reg.stage, reg.review, reg.rejected_rule = "rejected", "rejected", "NM4"
            reg.reason = d.reason
            reg.updated_at = now
            await self.lookups.save_registration(session, reg, "stage", "review",
                                                 "rejected_rule", "reason", "updated_at")
            name = names.get(reg.person_id)
            if name is None:
                raise NotFound(f"{reg.person_id!r} is not on the roster of {election_id!r}",
                               field="person_id", value=reg.person_id)
            await tx.audit(election_id, f"review.{reg.review}", {
                "registration_id": reg.registration_id, "person_id": reg.person_id,
                "name": name, "post": reg.post, "reason": d.reason, "rule": "NM4"})
            out.append(registration_message(reg, name))
        if len(decisions) == 1:
            reg = regs[ids[0]]
            tx.wake(election.workflow_id, f"review {reg.registration_id} {reg.review}")
        else:
            tx.wake(election.workflow_id, f"{len(decisions)} reviews decided")
        return out
