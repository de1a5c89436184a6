"""Step 8: approvals (批准) of secretaries and deputies and filings (备案) of committee members
by the higher committee. An approver sees and decides only the requests of its own committee's
communities (A3). A decision reaches the waiting workflow through the approval service, which
signals ``wake`` itself."""

from __future__ import annotations

from typing import Annotated, Literal

import grpc
from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, Field

from api import auth
from api.auth import APPROVER, DISTRICT_ADMIN, SUPERVISOR
from api.db import Principal
from api.deps import (
    Allow,
    ClientsDep,
    DbDep,
    IdempotencyKey,
    actor,
    call,
    district_of_street,
)
from api.deps import idempotency_key as make_key
from api.errors import ERROR_RESPONSES, ApiError, from_grpc
from api.types import Decision, LongText
from proto import approval_pb2, nomination_pb2
from services.common.clients import ServiceClients
from services.common.db import Database

router = APIRouter(prefix="/api/v1", tags=["approvals"], responses=ERROR_RESPONSES)
Reader = Annotated[Principal, Depends(Allow(APPROVER, DISTRICT_ADMIN, SUPERVISOR,
                                            what="read approvals"))]
Approver = Annotated[Principal, Depends(Allow(APPROVER, what="decide approvals"))]
ApprovalId = Annotated[str, Path(max_length=80, pattern=r"^[A-Za-z0-9_.:\-]+$")]


class ApprovalPublic(BaseModel):
    approval_id: str
    election_id: str
    community_id: str
    street_id: str
    committee_id: str
    post: str
    person_id: str
    name: str
    kind: str = Field(description="approval (批准) | filing (备案)")
    status: str = Field(description="pending | approved | rejected | filed")
    reason: str
    attempt: int
    requested_at: str
    decided_at: str


class ApprovalDecision(BaseModel):
    decision: Decision
    reason: LongText = ""


def approval_public(a: approval_pb2.ApprovalRequest) -> ApprovalPublic:
    return ApprovalPublic(approval_id=a.approval_id, election_id=a.election_id,
                          community_id=a.community_id, street_id=a.street_id,
                          committee_id=a.committee_id, post=a.post, person_id=a.person_id,
                          name=a.name, kind=a.kind, status=a.status, reason=a.reason,
                          attempt=a.attempt, requested_at=a.requested_at,
                          decided_at=a.decided_at)


class _Districts:
    """The district of each election, looked up once per request."""

    def __init__(self, clients: ServiceClients, db: Database):
        self.clients, self.db = clients, db
        self.known: dict[str, str] = {}

    async def of(self, a: approval_pb2.ApprovalRequest) -> str:
        if a.election_id not in self.known:
            district = ""
            try:
                e = await self.clients.nomination.GetElection(
                    nomination_pb2.GetElectionRequest(election_id=a.election_id))
                district = e.district_id
            except grpc.aio.AioRpcError as exc:
                # an election the nomination service does not know falls back on the street's
                # district; an outage is the caller's 503, never a 403 or a shorter list
                if exc.code() != grpc.StatusCode.NOT_FOUND:
                    raise from_grpc(exc, "nomination") from exc
            self.known[a.election_id] = district or await district_of_street(self.db,
                                                                             a.street_id)
        return self.known[a.election_id]


async def visible(principal: Principal, a: approval_pb2.ApprovalRequest,
                  districts: _Districts) -> bool:
    if principal.role == APPROVER:
        district = await districts.of(a) if principal.scope_kind == "district" else ""
        return auth.covers_committee(principal, a.committee_id, district)
    district = await districts.of(a) if principal.scope_kind == "district" else ""
    return auth.covers(principal, district_id=district, street_id=a.street_id,
                       community_id=a.community_id)


async def _list(principal: Principal, clients: ServiceClients, db: Database, kind: str,
                status: str, election_id: str) -> list[ApprovalPublic]:
    committee = principal.scope_value if (principal.role == APPROVER
                                          and principal.scope_kind == "street") else ""
    res = await call(clients.approval.ListApprovals(approval_pb2.ListApprovalsRequest(
        election_id=election_id, committee_id=committee, status=status)), "approval")
    districts = _Districts(clients, db)
    return [approval_public(a) for a in res.approvals
            if a.kind == kind and await visible(principal, a, districts)]


@router.get("/approvals", response_model=list[ApprovalPublic])
async def list_approvals(principal: Reader, clients: ClientsDep, db: DbDep,
                         status: Annotated[Literal["pending", "approved", "rejected"] | None,
                                           Query()] = None,
                         election_id: Annotated[str, Query(max_length=120)] = ""
                         ) -> list[ApprovalPublic]:
    """Approval requests (批准) of the caller's committee (approvers) or scope."""
    return await _list(principal, clients, db, "approval", status or "", election_id)


@router.get("/filings", response_model=list[ApprovalPublic])
async def list_filings(principal: Reader, clients: ClientsDep, db: DbDep,
                       election_id: Annotated[str, Query(max_length=120)] = ""
                       ) -> list[ApprovalPublic]:
    """Filings (备案) of elected committee members, received without a decision (A1)."""
    return await _list(principal, clients, db, "filing", "", election_id)


async def _get(principal: Principal, clients: ServiceClients, db: Database,
               approval_id: str) -> approval_pb2.ApprovalRequest:
    a = await call(clients.approval.GetApproval(
        approval_pb2.GetApprovalRequest(approval_id=approval_id)), "approval")
    if not await visible(principal, a, _Districts(clients, db)):
        raise ApiError(403, f"scope {principal.scope} is not the committee {a.committee_id} of "
                            f"community {a.community_id}", field="scope", rule="A3")
    return a


@router.get("/approvals/{approval_id}", response_model=ApprovalPublic)
async def get_approval(approval_id: ApprovalId, principal: Reader, clients: ClientsDep,
                       db: DbDep) -> ApprovalPublic:
    return approval_public(await _get(principal, clients, db, approval_id))


@router.post("/approvals/{approval_id}/decision", response_model=ApprovalPublic)
async def decide(approval_id: ApprovalId, body: ApprovalDecision, principal: Approver,
                 clients: ClientsDep, db: DbDep, key: IdempotencyKey = None) -> ApprovalPublic:
    """Approve or reject (a rejection needs a reason). The approval service stores the
    decision with its audit record and wakes the election's workflow."""
    await _get(principal, clients, db, approval_id)
    if body.decision == "reject" and not body.reason.strip():
        raise ApiError(422, "a rejection needs a reason", field="reason", rule="A1")
    decided = await call(clients.approval.Decide(approval_pb2.DecideRequest(
        idempotency_key=make_key(principal, "Decide", key, approval_id), actor=actor(principal),
        approval_id=approval_id, decision=body.decision, reason=body.reason)), "approval")
    return approval_public(decided)
