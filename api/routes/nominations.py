"""Step 3: registrations (报名) through the three channels, co-signatures (联名), the
nomination window and the street committee's qualification review (资格审查)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, Field

from api.auth import ALL_ROLES, MEMBER, OFFICE, RESIDENT, STREET
from api.db import Principal
from api.deps import (
    ClientsDep,
    ElectionAccess,
    ElectionInfo,
    IdempotencyKey,
    actor,
    call,
)
from api.deps import idempotency_key as make_key
from api.errors import ERROR_RESPONSES, ApiError
from api.types import Decision, Id, LongText, Post
from core.vocabulary import Channel, Stage
from proto import nomination_pb2
from services.common.clients import ServiceClients

router = APIRouter(prefix="/api/v1/elections/{election_id}", tags=["nominations"],
                   responses=ERROR_RESPONSES)
Office = Annotated[tuple[Principal, ElectionInfo],
                   Depends(ElectionAccess(OFFICE, what="record nominations",
                                           acts=True))]
Member = Annotated[tuple[Principal, ElectionInfo],
                   Depends(ElectionAccess(MEMBER, what="nominate themselves",
                                           acts=True))]
Signer = Annotated[tuple[Principal, ElectionInfo],
                   Depends(ElectionAccess(MEMBER, RESIDENT, OFFICE, what="co-sign nominations",
                                           acts=True))]
Street = Annotated[tuple[Principal, ElectionInfo],
                   Depends(ElectionAccess(STREET, what="review qualifications",
                                           acts=True))]
Anyone = Annotated[tuple[Principal, ElectionInfo],
                   Depends(ElectionAccess(*ALL_ROLES, what="read registrations"))]
RegistrationId = Annotated[str, Path(max_length=80, pattern=r"^[A-Za-z0-9_.:\-]+$")]


class RegistrationCreate(BaseModel):
    person_id: Id
    post: Post
    channel: Channel = Field(description="organization 组织推荐 | self 个人自荐 | joint 联名举荐")


class SelfNominationCreate(BaseModel):
    post: Post


class RegistrationPublic(BaseModel):
    registration_id: str
    election_id: str
    person_id: str
    name: str
    post: str
    channel: str
    stage: str
    review: str
    rejected_rule: str
    reason: str
    cosigners: int
    member_cosigners: int
    rank: int
    held: bool


class CosignatureCreate(BaseModel):
    person_id: str = Field("", max_length=80, description="the co-signer; members and residents "
                                                          "co-sign as the person of their token")


class CosignaturePublic(BaseModel):
    registration_id: str
    cosigner_person_id: str
    withdrawn: bool


class ReviewDecision(BaseModel):
    decision: Decision
    reason: LongText = ""


class WindowPublic(BaseModel):
    election_id: str
    status: str = Field(description="not_open | open | closed")


def registration_public(r: nomination_pb2.Registration) -> RegistrationPublic:
    return RegistrationPublic(
        registration_id=r.registration_id, election_id=r.election_id, person_id=r.person_id,
        name=r.name, post=r.post, channel=r.channel, stage=r.stage, review=r.review,
        rejected_rule=r.rejected_rule, reason=r.reason, cosigners=r.cosigners,
        member_cosigners=r.member_cosigners, rank=r.rank, held=r.held)


def own_person(principal: Principal, given: str = "") -> str:
    """Members and residents act as the roster person their token names, and as no other."""
    if principal.role not in (MEMBER, RESIDENT):
        if not given:
            raise ApiError(422, "required", field="person_id")
        return given
    if not principal.person_id:
        raise ApiError(403, "this token names no roster person (create it with --person)",
                       field="person_id")
    if given and given != principal.person_id:
        raise ApiError(403, f"a {principal.role} acts only as {principal.person_id}",
                       field="person_id")
    return principal.person_id


async def registration_of(clients: ServiceClients, info: ElectionInfo,
                          registration_id: str) -> nomination_pb2.Registration:
    res = await call(clients.nomination.ListRegistrations(
        nomination_pb2.ListRegistrationsRequest(election_id=info.election_id)), "nomination")
    for r in res.registrations:
        if r.registration_id == registration_id:
            return r
    raise ApiError(404, f"no registration {registration_id!r} in election {info.election_id}",
                   field="registration_id")


async def _register(principal: Principal, info: ElectionInfo, clients: ServiceClients,
                    person_id: str, post: str, channel: str,
                    key: str | None) -> RegistrationPublic:
    reg = await call(clients.nomination.Register(nomination_pb2.RegisterRequest(
        idempotency_key=make_key(principal, "Register", key, info.election_id),
        actor=actor(principal), election_id=info.election_id, person_id=person_id, post=post,
        channel=channel)), "nomination")
    return registration_public(reg)


@router.post("/registrations", response_model=RegistrationPublic, status_code=201)
async def register(body: RegistrationCreate, access: Office, clients: ClientsDep,
                   key: IdempotencyKey = None) -> RegistrationPublic:
    """The community office records a nomination of any channel (NM1, NM3)."""
    principal, info = access
    return await _register(principal, info, clients, body.person_id, body.post, body.channel,
                           key)


@router.post("/self-nomination", response_model=RegistrationPublic, status_code=201)
async def self_nominate(body: SelfNominationCreate, access: Member, clients: ClientsDep,
                        key: IdempotencyKey = None) -> RegistrationPublic:
    """A member nominates themselves (个人自荐) as the person of their token."""
    principal, info = access
    return await _register(principal, info, clients, own_person(principal), body.post, "self",
                           key)


@router.get("/registrations", response_model=list[RegistrationPublic])
async def list_registrations(access: Anyone, clients: ClientsDep,
                             post: Annotated[Post | None, Query()] = None,
                             stage: Annotated[Stage | None, Query()] = None
                             ) -> list[RegistrationPublic]:
    _, info = access
    res = await call(clients.nomination.ListRegistrations(nomination_pb2.ListRegistrationsRequest(
        election_id=info.election_id, post=post or "", stage=stage or "")), "nomination")
    return [registration_public(r) for r in res.registrations]


@router.post("/registrations/{registration_id}/cosignatures", response_model=CosignaturePublic,
             status_code=201)
async def cosign(registration_id: RegistrationId, body: CosignatureCreate, access: Signer,
                 clients: ClientsDep, key: IdempotencyKey = None) -> CosignaturePublic:
    """NM2: a member or resident co-signs a joint nomination (the office records paper
    signatures for any person)."""
    principal, info = access
    person = own_person(principal, body.person_id)
    await registration_of(clients, info, registration_id)
    res = await call(clients.nomination.Cosign(nomination_pb2.CosignRequest(
        idempotency_key=make_key(principal, "Cosign", key, registration_id, person),
        actor=actor(principal), registration_id=registration_id, cosigner_person_id=person)),
        "nomination")
    return CosignaturePublic(registration_id=res.registration_id,
                             cosigner_person_id=res.cosigner_person_id, withdrawn=res.withdrawn)


@router.delete("/registrations/{registration_id}/cosignatures/{person_id}",
               response_model=CosignaturePublic)
async def withdraw_cosignature(registration_id: RegistrationId,
                               person_id: Annotated[str, Path(max_length=80)], access: Signer,
                               clients: ClientsDep,
                               key: IdempotencyKey = None) -> CosignaturePublic:
    """NM2: a withdrawn co-signature no longer counts (until the review has counted them)."""
    principal, info = access
    person = own_person(principal, person_id)
    await registration_of(clients, info, registration_id)
    res = await call(clients.nomination.WithdrawCosignature(
        nomination_pb2.WithdrawCosignatureRequest(
            idempotency_key=make_key(principal, "Withdraw", key, registration_id, person),
            actor=actor(principal), registration_id=registration_id,
            cosigner_person_id=person)), "nomination")
    return CosignaturePublic(registration_id=res.registration_id,
                             cosigner_person_id=res.cosigner_person_id, withdrawn=res.withdrawn)


@router.post("/registrations/{registration_id}/review", response_model=RegistrationPublic)
async def decide_review(registration_id: RegistrationId, body: ReviewDecision, access: Street,
                        clients: ClientsDep, key: IdempotencyKey = None) -> RegistrationPublic:
    """NM4: the street committee's recorded decision, with a reason, per registrant."""
    principal, info = access
    await registration_of(clients, info, registration_id)
    reg = await call(clients.nomination.DecideReview(nomination_pb2.DecideReviewRequest(
        idempotency_key=make_key(principal, "DecideReview", key, registration_id),
        actor=actor(principal), registration_id=registration_id,
        approve=body.decision == "approve", reason=body.reason)), "nomination")
    return registration_public(reg)


@router.post("/nominations/close", response_model=WindowPublic)
async def close_nominations(access: Office, clients: ClientsDep,
                            key: IdempotencyKey = None) -> WindowPublic:
    """NM3: closes the nomination window (the workflow then runs the automatic review)."""
    principal, info = access
    res = await call(clients.nomination.CloseNominations(nomination_pb2.WindowRequest(
        idempotency_key=make_key(principal, "CloseNominations", key, info.election_id),
        actor=actor(principal), election_id=info.election_id)), "nomination")
    return WindowPublic(election_id=res.election_id, status=res.status)
