"""The election plan: the seats and the funnel of every post, submitted and decided (P1–P5)."""

from __future__ import annotations

import json

from sqlalchemy import func, select

import rules
from core.vocabulary import POSTS
from proto import nomination_pb2
from services.common.errors import FailedPrecondition, InvalidArgument, NotFound
from services.common.store import Tx, utcnow
from services.nomination.domain import statements as q
from services.nomination.domain.exclusions import decide_rows, decider
from services.nomination.domain.lookups import POST_ORDER, SubDomain, require_decider
from services.nomination.domain.messages import plan_message
from services.nomination.models import PersonRow, PlanRow


class Plans(SubDomain):
    async def submit(self, tx: Tx, req: nomination_pb2.SubmitPlanRequest) -> nomination_pb2.Plan:
        election = await self.lookups.election(tx.session, req.election_id)
        if not req.posts:
            raise InvalidArgument("a plan needs at least one post", field="posts")
        funnels: dict[str, rules.PostFunnel] = {}
        for i, p in enumerate(req.posts):
            if p.post not in POSTS:
                raise InvalidArgument(f"unknown post (one of {', '.join(POSTS)})",
                                      field=f"posts[{i}].post", rule="P1", value=p.post)
            if p.post in funnels:
                raise InvalidArgument("each post appears once", field=f"posts[{i}].post",
                                      value=p.post)
            funnels[p.post] = rules.PostFunnel(seats=p.seats, shortlist=p.shortlist,
                                               inspected=p.inspected, candidates=p.candidates)
        plan = await tx.session.get(PlanRow, req.election_id)
        if plan is not None and plan.status == "approved":
            raise FailedPrecondition("the plan is already approved", field="plan")
        full_members = (await tx.session.execute(select(func.count()).select_from(PersonRow).where(
            PersonRow.election_id == req.election_id, PersonRow.status == "full"))).scalar_one()
        profile = self.lookups.profile_of(election)
        violations = rules.validate_plan(profile, election.org_type, full_members, funnels)
        if violations:
            first = violations[0]
            listing = "; ".join(f"[{v.rule_id}] {v.field}: {v.message}" for v in violations)
            raise InvalidArgument(f"{first.message} (all: {listing})", field=first.field,
                                  rule=first.rule_id, value=first.value)
        posts = [{"post": post, "seats": f.seats, "shortlist": f.shortlist,
                  "inspected": f.inspected, "candidates": f.candidates}
                 for post, f in sorted(funnels.items(), key=lambda kv: POST_ORDER[kv[0]])]
        if plan is None:
            plan = PlanRow(election_id=req.election_id)
            tx.session.add(plan)
        plan.posts_json = json.dumps(posts)
        plan.status = "draft"
        plan.decided_reason = ""
        plan.full_members = full_members
        plan.submitted_at = utcnow()
        plan.decided_at = None
        plan.decided_by = ""
        await tx.audit(req.election_id, "plan.submitted",
                       {"posts": posts, "full_members": full_members,
                        "org_type": election.org_type, "rules": ["P1", "P2", "P3", "P4", "P5"]})
        tx.wake(election.workflow_id, "plan submitted")
        return plan_message(plan)

    async def decide(self, tx: Tx, req: nomination_pb2.DecidePlanRequest) -> nomination_pb2.Plan:
        election = await self.lookups.election(tx.session, req.election_id)
        plan = await tx.session.get(PlanRow, req.election_id)
        if plan is None:
            raise NotFound("no plan submitted", field="plan")
        require_decider(req.actor, "plans")
        if plan.status != "draft":
            raise FailedPrecondition(f"the plan is {plan.status}, not a draft", field="plan")
        if not req.approve and not req.reason.strip():
            raise InvalidArgument("a rejection needs a reason", field="reason")
        consented: list[str] = []
        if req.consent_exclusions:  # E2: the expected attendance approved with the plan
            if not req.approve:
                raise InvalidArgument("exclusions are consented to with an approval",
                                      field="consent_exclusions", rule="E2")
            rows = await decide_rows(tx, req.election_id, list(req.consent_exclusions), True,
                                     decider(req.actor), field="consent_exclusions")
            consented = [r.person_id for r in rows]
        plan.status = "approved" if req.approve else "rejected"
        plan.decided_reason = req.reason
        plan.decided_at = utcnow()
        plan.decided_by = f"{req.actor.role}@{req.actor.scope}"
        payload = {"reason": req.reason, "posts": json.loads(plan.posts_json)}
        if consented:
            payload["exclusions_consented"] = consented
        await tx.audit(req.election_id, f"plan.{plan.status}", payload)
        tx.wake(election.workflow_id, f"plan {plan.status}")
        return plan_message(plan)

    async def get(self, election_id: str) -> nomination_pb2.Plan:
        async with self.store.read() as session:
            await self.lookups.election(session, election_id)
            plan = await self.store.first(session, q.Q_PLAN, election_id=election_id)
        if plan is None:
            raise NotFound("no plan submitted", field="plan")
        return plan_message(plan)
