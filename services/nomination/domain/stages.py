"""The candidate funnel: the workflow moves registrations from stage to stage as each step
decides (shortlisted, inspected, candidate, elected, ...), ranked, the rest dropped."""

from __future__ import annotations

from typing import Any

from proto import nomination_pb2
from services.common.errors import FailedPrecondition, InvalidArgument
from services.common.store import Tx, utcnow
from services.nomination.domain import statements as q
from services.nomination.domain.lookups import (
    ADVANCE_STAGES,
    ALL_STAGES,
    SubDomain,
    require_post,
    sort_key,
)
from services.nomination.domain.messages import registration_message


class Stages(SubDomain):
    async def advance(self, tx: Tx, req: nomination_pb2.AdvanceStageRequest
                      ) -> nomination_pb2.ListRegistrationsResponse:
        await self.lookups.election(tx.session, req.election_id)
        require_post(req.post)
        if req.stage not in ADVANCE_STAGES:
            raise InvalidArgument(f"unknown stage (one of {', '.join(ADVANCE_STAGES)})",
                                  field="stage", value=req.stage)
        if req.from_stage and req.from_stage not in ALL_STAGES:
            raise InvalidArgument(f"unknown stage (one of {', '.join(ALL_STAGES)})",
                                  field="from_stage", value=req.from_stage)
        if len(set(req.person_ids)) != len(req.person_ids):
            raise InvalidArgument("a person is listed twice", field="person_ids")
        regs = {r.person_id: r for r in await self.lookups.registrations(
            tx.session, q.Q_REGS_OF_POST, election_id=req.election_id, post=req.post)}
        names = await self.lookups.names(tx.session, req.election_id, regs)
        moving: list[Any] = []
        for i, pid in enumerate(req.person_ids):
            reg = regs.get(pid)
            field = f"person_ids[{i}]"
            if reg is None:
                raise FailedPrecondition(f"{pid!r} has no registration for {req.post}",
                                         field=field, value=pid)
            # a retry that already moved this person to the stage at this rank is accepted
            repeated = reg.stage == req.stage and reg.rank == i + 1
            if req.from_stage and reg.stage != req.from_stage and not repeated:
                raise FailedPrecondition(
                    f"{pid!r} is {reg.stage}, not {req.from_stage}, for {req.post}",
                    field=field, value=reg.stage)
            if not req.from_stage and reg.stage == "rejected":
                raise FailedPrecondition(
                    f"{pid!r} was rejected ({reg.rejected_rule}) for {req.post}",
                    field=field, rule=reg.rejected_rule, value=reg.stage)
            moving.append(reg)
        now = utcnow()
        listed = set(req.person_ids)
        for rank, reg in enumerate(moving, start=1):
            if req.stage == "dropped" and reg.stage != "dropped":
                reg.dropped_at = reg.stage
            reg.stage = req.stage
            reg.rank = rank
            reg.updated_at = now
        dropped: list[Any] = []
        if req.from_stage and req.from_stage != req.stage:
            for reg in sorted(regs.values(), key=sort_key):
                if reg.person_id not in listed and reg.stage == req.from_stage:
                    reg.stage = "dropped"
                    reg.dropped_at = req.stage
                    reg.rank = 0
                    reg.updated_at = now
                    dropped.append(reg)
        for reg in (*moving, *dropped):
            await self.lookups.save_registration(tx.session, reg, "stage", "rank", "dropped_at",
                                                 "updated_at")
        await tx.audit(req.election_id, "stage.advanced", {
            "post": req.post, "stage": req.stage, "from_stage": req.from_stage,
            "person_ids": list(req.person_ids),
            "names": [names.get(pid, "") for pid in req.person_ids],
            "dropped": [r.person_id for r in dropped],
            "dropped_names": [names.get(r.person_id, "") for r in dropped],
            "rules": list(req.rules)})
        return nomination_pb2.ListRegistrationsResponse(registrations=[
            registration_message(r, names.get(r.person_id, ""))
            for r in sorted(regs.values(), key=sort_key)])
