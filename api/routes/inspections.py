"""Step 5: the street committee's inspection record (组织考察) per shortlisted person."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from api.auth import READERS, STREET
from api.db import Principal
from api.deps import ClientsDep, ElectionAccess, ElectionInfo, IdempotencyKey, actor, call
from api.deps import idempotency_key as make_key
from api.errors import ERROR_RESPONSES
from api.types import Id, LongText, Post
from proto import nomination_pb2

router = APIRouter(prefix="/api/v1/elections/{election_id}", tags=["inspections"],
                   responses=ERROR_RESPONSES)
Street = Annotated[tuple[Principal, ElectionInfo],
                   Depends(ElectionAccess(STREET, what="record inspections",
                                           acts=True))]
Reader = Annotated[tuple[Principal, ElectionInfo],
                   Depends(ElectionAccess(*READERS, what="read inspections"))]


class InspectionCreate(BaseModel):
    post: Post
    person_id: Id
    passed: bool
    report: LongText = ""


class InspectionPublic(InspectionCreate):
    election_id: str


def inspection_public(i: nomination_pb2.Inspection) -> InspectionPublic:
    return InspectionPublic.model_construct(election_id=i.election_id, post=Post(i.post),
                                            person_id=i.person_id, passed=i.passed,
                                            report=i.report)


@router.post("/inspections", response_model=InspectionPublic, status_code=201)
async def record_inspection(body: InspectionCreate, access: Street, clients: ClientsDep,
                            key: IdempotencyKey = None) -> InspectionPublic:
    principal, info = access
    res = await call(clients.nomination.RecordInspection(nomination_pb2.RecordInspectionRequest(
        idempotency_key=make_key(principal, "RecordInspection", key, info.election_id,
                                 body.post, body.person_id),
        actor=actor(principal), election_id=info.election_id, post=body.post,
        person_id=body.person_id, passed=body.passed, report=body.report)), "nomination")
    return inspection_public(res)


@router.get("/inspections", response_model=list[InspectionPublic])
async def list_inspections(access: Reader, clients: ClientsDep) -> list[InspectionPublic]:
    _, info = access
    res = await call(clients.nomination.ListInspections(
        nomination_pb2.ListInspectionsRequest(election_id=info.election_id)), "nomination")
    return [inspection_public(i) for i in res.inspections]
