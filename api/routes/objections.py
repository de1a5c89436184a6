"""Objections (异议 / 举报) during a notice period (O2): filed by members, residents or the
supervision committee; decided by the street committee."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, Field

from api.auth import CLERKS, MEMBER, RESIDENT, STREET, SUPERVISOR
from api.db import Principal
from api.deps import ClientsDep, ElectionAccess, ElectionInfo, IdempotencyKey, actor, call
from api.deps import idempotency_key as make_key
from api.errors import ERROR_RESPONSES, ApiError
from api.types import Id, LongText, Post
from proto import nomination_pb2

router = APIRouter(prefix="/api/v1/elections/{election_id}", tags=["objections"],
                   responses=ERROR_RESPONSES)
Filer = Annotated[tuple[Principal, ElectionInfo],
                  Depends(ElectionAccess(MEMBER, RESIDENT, SUPERVISOR, what="file objections",
                                           acts=True))]
Street = Annotated[tuple[Principal, ElectionInfo],
                   Depends(ElectionAccess(STREET, what="decide objections",
                                           acts=True))]
Clerk = Annotated[tuple[Principal, ElectionInfo],
                  Depends(ElectionAccess(*CLERKS, what="read objections"))]
NoticeKind = Literal["registrants", "shortlist", "candidates", "results"]


class ObjectionCreate(BaseModel):
    notice_kind: NoticeKind
    person_id: Id
    post: Post | None = Field(None, description="empty: every post of the person")
    reason: LongText = Field(min_length=1)


class ObjectionDecision(BaseModel):
    decision: Literal["upheld", "dismissed"]
    reason: LongText = ""


class ObjectionPublic(BaseModel):
    objection_id: str
    election_id: str
    notice_kind: str
    person_id: str
    post: str
    reason: str
    status: str = Field(description="pending | upheld | dismissed")
    decision_reason: str


def objection_public(o: nomination_pb2.Objection) -> ObjectionPublic:
    return ObjectionPublic(objection_id=o.objection_id, election_id=o.election_id,
                           notice_kind=o.notice_kind, person_id=o.person_id, post=o.post,
                           reason=o.reason, status=o.status, decision_reason=o.decision_reason)


@router.post("/objections", response_model=ObjectionPublic, status_code=201)
async def file_objection(body: ObjectionCreate, access: Filer, clients: ClientsDep,
                         key: IdempotencyKey = None) -> ObjectionPublic:
    principal, info = access
    res = await call(clients.nomination.FileObjection(nomination_pb2.FileObjectionRequest(
        idempotency_key=make_key(principal, "FileObjection", key, info.election_id),
        actor=actor(principal), election_id=info.election_id, notice_kind=body.notice_kind,
        person_id=body.person_id, post=body.post or "", reason=body.reason)), "nomination")
    return objection_public(res)


@router.get("/objections", response_model=list[ObjectionPublic])
async def list_objections(access: Clerk, clients: ClientsDep) -> list[ObjectionPublic]:
    _, info = access
    res = await call(clients.nomination.ListObjections(
        nomination_pb2.ListObjectionsRequest(election_id=info.election_id)), "nomination")
    return [objection_public(o) for o in res.objections]


@router.post("/objections/{objection_id}/decision", response_model=ObjectionPublic)
async def decide_objection(objection_id: Annotated[str, Path(max_length=80)],
                           body: ObjectionDecision, access: Street, clients: ClientsDep,
                           key: IdempotencyKey = None) -> ObjectionPublic:
    principal, info = access
    res = await call(clients.nomination.ListObjections(
        nomination_pb2.ListObjectionsRequest(election_id=info.election_id)), "nomination")
    if not any(o.objection_id == objection_id for o in res.objections):
        raise ApiError(404, f"no objection {objection_id!r} in election {info.election_id}",
                       field="objection_id")
    decided = await call(clients.nomination.DecideObjection(nomination_pb2.DecideObjectionRequest(
        idempotency_key=make_key(principal, "DecideObjection", key, objection_id),
        actor=actor(principal), objection_id=objection_id, upheld=body.decision == "upheld",
        reason=body.reason)), "nomination")
    return objection_public(decided)
