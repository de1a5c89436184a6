"""Step 1: the election plan (选举工作方案): drafted by the community office, approved by the
street committee (DecidePlan)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from api.auth import OFFICE, READERS, STREET
from api.db import Principal
from api.deps import ClientsDep, ElectionAccess, ElectionInfo, IdempotencyKey, actor, call
from api.deps import idempotency_key as make_key
from api.errors import ERROR_RESPONSES, ApiError
from api.types import Decision, LongText, Post
from proto import nomination_pb2

router = APIRouter(prefix="/api/v1/elections/{election_id}", tags=["plan"],
                   responses=ERROR_RESPONSES)
Office = Annotated[tuple[Principal, ElectionInfo],
                   Depends(ElectionAccess(OFFICE, what="submit the election plan",
                                           acts=True))]
Street = Annotated[tuple[Principal, ElectionInfo],
                   Depends(ElectionAccess(STREET, what="decide the election plan",
                                           acts=True))]
Reader = Annotated[tuple[Principal, ElectionInfo],
                   Depends(ElectionAccess(*READERS, what="read the election plan"))]


class PostPlanIn(BaseModel):
    post: Post
    seats: int = Field(ge=1, le=50)
    shortlist: int = Field(ge=0, le=500)
    inspected: int = Field(ge=0, le=500)
    candidates: int = Field(ge=0, le=500)


class PlanSubmit(BaseModel):
    posts: list[PostPlanIn] = Field(min_length=1, max_length=3)


class PlanDecision(BaseModel):
    decision: Decision
    reason: LongText = ""


class PlanPublic(BaseModel):
    election_id: str
    posts: list[PostPlanIn]
    status: str = Field(description="draft | approved | rejected")
    decided_reason: str
    full_members: int


def plan_public(p: nomination_pb2.Plan) -> PlanPublic:
    return PlanPublic(election_id=p.election_id, status=p.status, decided_reason=p.decided_reason,
                      full_members=p.full_members,
                      posts=[PostPlanIn(post=x.post, seats=max(x.seats, 1),  # type: ignore[arg-type]
                                        shortlist=x.shortlist, inspected=x.inspected,
                                        candidates=x.candidates) for x in p.posts])


@router.post("/plan", response_model=PlanPublic)
async def submit_plan(body: PlanSubmit, access: Office, clients: ClientsDep,
                      key: IdempotencyKey = None) -> PlanPublic:
    """P1-P5 are checked on submission; a refusal names the rule."""
    principal, info = access
    plan = await call(clients.nomination.SubmitPlan(nomination_pb2.SubmitPlanRequest(
        idempotency_key=make_key(principal, "SubmitPlan", key, info.election_id),
        actor=actor(principal), election_id=info.election_id,
        posts=[nomination_pb2.PostPlan(**p.model_dump()) for p in body.posts])), "nomination")
    return plan_public(plan)


@router.get("/plan", response_model=PlanPublic)
async def get_plan(access: Reader, clients: ClientsDep) -> PlanPublic:
    _, info = access
    return plan_public(await call(clients.nomination.GetPlan(
        nomination_pb2.GetPlanRequest(election_id=info.election_id)), "nomination"))


@router.post("/plan/decision", response_model=PlanPublic)
async def decide_plan(body: PlanDecision, access: Street, clients: ClientsDep,
                      key: IdempotencyKey = None) -> PlanPublic:
    principal, info = access
    if body.decision == "reject" and not body.reason.strip():
        raise ApiError(422, "a rejection needs a reason", field="reason")
    plan = await call(clients.nomination.DecidePlan(nomination_pb2.DecidePlanRequest(
        idempotency_key=make_key(principal, "DecidePlan", key, info.election_id),
        actor=actor(principal), election_id=info.election_id,
        approve=body.decision == "approve", reason=body.reason)), "nomination")
    return plan_public(plan)
