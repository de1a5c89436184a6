"""The nomination window and the registrations made while it is open (NM1, NM3)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from sqlalchemy import func, select

import rules
from core.vocabulary import CHANNELS
from proto import nomination_pb2
from services.common.errors import FailedPrecondition, InvalidArgument, NotFound
from services.common.store import Tx, utcnow
from services.nomination.domain import statements as q
from services.nomination.domain.lookups import (
    ALL_STAGES,
    SubDomain,
    registration_id_for,
    require_post,
    sort_key,
)
from services.nomination.domain.messages import registration_message
from services.nomination.models import PersonRow, RegistrationRow


class Window(SubDomain):
    async def open(self, tx: Tx, req: nomination_pb2.WindowRequest
                   ) -> nomination_pb2.NominationWindow:
        election = await self.lookups.election(tx.session, req.election_id, mutable=True)
        await self.lookups.approved_plan(tx.session, req.election_id)
        if election.window_status == "closed":
            raise FailedPrecondition("the nomination window is already closed",
                                     field="window_status", rule="NM3")
        if election.window_status != "open":
            election.window_status = "open"
            await tx.audit(req.election_id, "nominations.opened", {"rule": "NM3"})
            tx.wake(election.workflow_id, "nominations opened")
        return nomination_pb2.NominationWindow(election_id=req.election_id,
                                               status=election.window_status)

    async def close(self, tx: Tx, req: nomination_pb2.WindowRequest
                    ) -> nomination_pb2.NominationWindow:
        election = await self.lookups.election(tx.session, req.election_id, mutable=True)
        if election.window_status == "not_open":
            raise FailedPrecondition("the nomination window is not open",
                                     field="window_status", rule="NM3")
        if election.window_status == "open":
            election.window_status = "closed"
            count = (await tx.session.execute(select(func.count()).select_from(
                RegistrationRow).where(RegistrationRow.election_id == req.election_id))
            ).scalar_one()
            await tx.audit(req.election_id, "nominations.closed",
                           {"registrations": count, "rule": "NM3"})
            tx.wake(election.workflow_id, "nominations closed")
        return nomination_pb2.NominationWindow(election_id=req.election_id,
                                               status=election.window_status)


class Registrations(SubDomain):
    async def register(self, tx: Tx, req: nomination_pb2.RegisterRequest
                       ) -> nomination_pb2.Registration:
        out = await self._register(tx, req.election_id, [("", req)])
        return out[0]

    async def register_many(self, tx: Tx, req: nomination_pb2.RegisterManyRequest
                            ) -> nomination_pb2.ListRegistrationsResponse:
        if not req.registrations:
            raise InvalidArgument("at least one registration is required",
                                  field="registrations", rule="NM1")
        out = await self._register(tx, req.election_id, [
            (f"registrations[{i}].", r) for i, r in enumerate(req.registrations)])
        return nomination_pb2.ListRegistrationsResponse(registrations=out)

    async def _register(self, tx: Tx, election_id: str, entries: list[tuple[str, Any]]
                        ) -> list[nomination_pb2.Registration]:
        """Registrations of one election, in order, all or none (``entries``: the prefix of
        the request fields naming each one, and its person_id, post and channel)."""
        session = tx.session
        election = await self.lookups.election(session, election_id)
        for where, e in entries:
            if not e.person_id:
                raise InvalidArgument("required", field=f"{where}person_id")
        people = {r.person_id: r for r in await self.store.rows(session, select(
            PersonRow.person_id, PersonRow.name).where(
            PersonRow.election_id == election_id,
            PersonRow.person_id.in_({e.person_id for _, e in entries})))}
        ids = [registration_id_for(election_id, e.person_id, e.post) for _, e in entries]
        # the registrations already there, and the last registration number, at once
        found = await self.store.rows(session, select(
            RegistrationRow.registration_id, func.max(RegistrationRow.seq).over()).where(
            RegistrationRow.election_id == election_id))
        taken = {r[0] for r in found}
        last_seq = found[0][1] if found else 0
        profile = self.lookups.profile_of(election)
        window_open = election.window_status == "open"
        plan = None
        now = utcnow()
        out: list[nomination_pb2.Registration] = []
        for (where, e), registration_id in zip(entries, ids, strict=True):
            person = people.get(e.person_id)
            if person is None:
                raise NotFound(f"{e.person_id!r} is not on the roster of {election_id!r}",
                               field=f"{where}person_id", value=e.person_id)
            if e.channel not in CHANNELS:
                raise InvalidArgument(f"must be one of {', '.join(CHANNELS)}",
                                      field=f"{where}channel", rule="NM1", value=e.channel)
            channel = self.lookups.verdict(rules.check_channel, profile, e.channel)
            if not channel.ok:
                raise InvalidArgument(channel.reason, field=f"{where}channel",
                                      rule=channel.rule, value=e.channel)
            require_post(e.post, field=f"{where}post")
            plan = plan or await self.lookups.approved_plan(session, election_id)
            if e.post not in self.lookups.plan_posts(plan):
                raise InvalidArgument("the approved plan has no seats for this post",
                                      field=f"{where}post", value=e.post)
            already = registration_id in taken
            verdict = self.lookups.verdict(rules.check_registration, profile, window_open,
                                           already)
            if not verdict.ok:
                raise FailedPrecondition(
                    verdict.reason, rule=verdict.rule or "NM3",
                    field="window_status" if not window_open else f"{where}post", value=e.post)
            taken.add(registration_id)
            last_seq += 1
            values = dict(
                registration_id=registration_id, election_id=election_id, seq=last_seq,
                person_id=e.person_id, post=e.post, channel=e.channel, stage="registered",
                review="pending", auto_checked=False, rejected_rule="", reason="", cosigners=0,
                member_cosigners=0, rank=0, held=False, dropped_at="", registered_at=now,
                updated_at=now)
            tx.insert(RegistrationRow, **values)
            await tx.audit(election_id, "registration.received", {
                "registration_id": registration_id, "person_id": person.person_id,
                "name": person.name, "post": e.post, "channel": e.channel,
                "rules": ["NM1", "NM3"]})
            out.append(registration_message(SimpleNamespace(**values), person.name))
        return out

    async def list(self, req: nomination_pb2.ListRegistrationsRequest
                   ) -> nomination_pb2.ListRegistrationsResponse:
        if req.post:
            require_post(req.post)
        if req.stage and req.stage not in ALL_STAGES:
            raise InvalidArgument(f"unknown stage (one of {', '.join(ALL_STAGES)})",
                                  field="stage", value=req.stage)
        if not req.election_id:
            raise InvalidArgument("required", field="election_id")
        stmt = q.list_registrations(bool(req.post), bool(req.stage))
        async with self.store.read() as session:
            rows = await self.store.rows(session, stmt, election_id=req.election_id,
                                         **({"post": req.post} if req.post else {}),
                                         **({"stage": req.stage} if req.stage else {}))
            if not rows:  # none, or no such election
                await self.lookups.election(session, req.election_id)
        return nomination_pb2.ListRegistrationsResponse(registrations=[
            registration_message(r, r.name or "") for r in sorted(rows, key=sort_key)])
