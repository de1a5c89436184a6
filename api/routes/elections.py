"""One community's election: status and timeline (workflow query), pause / resume / abort
(the workflow's ``control`` update: checked against the role table, recorded with who and why),
the street committee's unfilled-post decision (update, recorded), the audit chain."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from api.audit import AuditVerification, verify_election
from api.auth import ALL_ROLES, DISTRICT_ADMIN, PAUSERS, STAFF, STREET, SUPERVISOR
from api.db import Principal
from api.deps import (
    Allow,
    ClientsDep,
    DbDep,
    ElectionAccess,
    ElectionInfo,
    TemporalConnection,
    TemporalDep,
    call,
    elections_in_scope,
)
from api.errors import ERROR_RESPONSES, ApiError
from api.temporal import workflow_call
from api.types import Post, ShortText
from core.config import SERVICES
from services.common.paging import all_audit_records
from workflows.election import control as control_table
from workflows.election.types import ActorRef, ControlAct, ElectionStatus
from workflows.election.types import UnfilledDecision as UnfilledInput
from workflows.election.workflows import CommunityElectionWorkflow

router = APIRouter(prefix="/api/v1", tags=["elections"], responses=ERROR_RESPONSES)
Staff = Annotated[Principal, Depends(Allow(*STAFF, what="list elections"))]
Anyone = Annotated[tuple[Principal, ElectionInfo],
                   Depends(ElectionAccess(*ALL_ROLES, what="read this election"))]
Pauser = Annotated[tuple[Principal, ElectionInfo],
                   Depends(ElectionAccess(*PAUSERS, what="pause or resume an election"))]
Aborter = Annotated[tuple[Principal, ElectionInfo],
                    Depends(ElectionAccess(DISTRICT_ADMIN, what="abort an election"))]
Auditor = Annotated[tuple[Principal, ElectionInfo],
                    Depends(ElectionAccess(DISTRICT_ADMIN, SUPERVISOR,
                                           what="read the audit records"))]
Street = Annotated[tuple[Principal, ElectionInfo],
                   Depends(ElectionAccess(STREET, what="decide an unfilled post",
                                           acts=True))]
QUERY_TIMEOUT = timedelta(seconds=15)


class ElectionSummary(BaseModel):
    election_id: str
    cycle_id: str
    community_id: str
    community_name: str
    street_id: str
    district_id: str
    workflow_id: str


class WaitingPublic(BaseModel):
    kind: str
    label: str
    post: str = ""
    meeting_id: str = ""
    round_id: str = ""
    notice: str = ""


class StepPublic(BaseModel):
    step: int
    name: str
    status: str
    started_at: str = ""
    ended_at: str = ""


class CandidatePublic(BaseModel):
    person_id: str
    name: str


class WorkflowStatusPublic(BaseModel):
    status: str = Field(description="running | completed | failed | aborted")
    step: int
    step_name: str
    paused: bool
    pause_reason: str
    waiting: WaitingPublic | None
    timeline: list[StepPublic]
    version: int
    error: str
    elected: dict[str, list[CandidatePublic]]


class ElectionPublic(BaseModel):
    election_id: str
    community_id: str
    community_name: str
    street_id: str
    district_id: str
    profile: str
    org_type: str
    window_status: str
    workflow_id: str
    workflow: WorkflowStatusPublic | None = Field(
        None, description="null when no workflow runs this election")


class PauseRequest(BaseModel):
    reason: ShortText = Field(min_length=1, description="why (recorded in the workflow)")


class SignalAccepted(BaseModel):
    election_id: str
    signal: str
    accepted: bool = True
    paused: bool = False
    paused_by: str = Field("", description="the role whose pause stands (CTL2: who lifts it)")


class UnfilledDecision(BaseModel):
    decision: Literal["reduce", "reelect"] = Field(
        description="M7: reduce the seats, or elect again among those not elected")


class UnfilledDecided(BaseModel):
    election_id: str
    post: str
    decision: str


def status_public(s: ElectionStatus) -> WorkflowStatusPublic:
    w = s.waiting
    return WorkflowStatusPublic(
        status=s.status, step=s.step, step_name=s.step_name, paused=s.paused,
        pause_reason=s.pause_reason,
        waiting=WaitingPublic(kind=w.kind, label=w.label, post=w.post, meeting_id=w.meeting_id,
                              round_id=w.round_id, notice=w.notice) if w else None,
        timeline=[StepPublic(step=t.step, name=t.name, status=t.status, started_at=t.started_at,
                             ended_at=t.ended_at) for t in s.timeline],
        version=s.version, error=s.error,
        elected={post: [CandidatePublic(person_id=c.person_id, name=c.name) for c in people]
                 for post, people in s.elected.items()})


async def workflow_status(temporal: TemporalConnection, info: ElectionInfo) -> ElectionStatus:
    handle = (await temporal.client()).get_workflow_handle(info.workflow_id)
    result: ElectionStatus = await workflow_call(
        handle.query(CommunityElectionWorkflow.status, rpc_timeout=QUERY_TIMEOUT),
        info.workflow_id)
    return result


@router.get("/elections", response_model=list[ElectionSummary])
async def list_elections(principal: Staff, db: DbDep) -> list[ElectionSummary]:
    """Elections started through the API (cycles), within the caller's scope."""
    return [ElectionSummary(election_id=r.election_id, cycle_id=r.cycle_id,
                            community_id=r.community_id, community_name=r.community_name,
                            street_id=r.street_id, district_id=r.district_id,
                            workflow_id=r.workflow_id)
            for r in await elections_in_scope(db, principal)]


@router.get("/elections/{election_id}", response_model=ElectionPublic)
async def get_election(access: Anyone, temporal: TemporalDep) -> ElectionPublic:
    """Status and timeline from the workflow's ``status`` query."""
    _, info = access
    workflow: WorkflowStatusPublic | None = None
    try:
        workflow = status_public(await workflow_status(temporal, info))
    except ApiError as exc:
        if exc.status != 404:
            raise
    return ElectionPublic(election_id=info.election_id, community_id=info.community_id,
                          community_name=info.community_name, street_id=info.street_id,
                          district_id=info.district_id, profile=info.profile,
                          org_type=info.org_type, window_status=info.window_status,
                          workflow_id=info.workflow_id, workflow=workflow)


def acting(principal: Principal) -> ActorRef:
    """Who acts, as the workflow records it: the token's role, scope, ID and holder."""
    return ActorRef(principal.role, principal.scope, principal.token_id, principal.name)


async def _control(temporal: TemporalConnection, info: ElectionInfo, principal: Principal,
                   action: str, reason: str) -> SignalAccepted:
    """The ``control`` update: the workflow checks the act (CTL1, CTL2), records it in the
    election's chain with who and why, then applies it. A resume the role table refuses is
    answered 403 before the workflow is asked (the workflow refuses it too, 409, should the
    pause have changed hands meanwhile)."""
    by = acting(principal)
    if action == "resume":
        status = await workflow_status(temporal, info)
        message, field, rule = control_table.refused(
            action, by.role, status.paused_by if status.paused else "")
        if message:
            raise ApiError(403, message, field=field, rule=rule)
    handle = (await temporal.client()).get_workflow_handle(info.workflow_id)
    st = await workflow_call(handle.execute_update(
        CommunityElectionWorkflow.control, ControlAct(action, reason, by),
        rpc_timeout=timedelta(seconds=30)), info.workflow_id)
    return SignalAccepted(election_id=info.election_id, signal=action, paused=st.paused,
                          paused_by=st.paused_by)


@router.post("/elections/{election_id}/pause", response_model=SignalAccepted, status_code=202)
async def pause(body: PauseRequest, access: Pauser, temporal: TemporalDep) -> SignalAccepted:
    """Freezes the election (and its notice-period clocks) until resumed; recorded in its
    chain (``election.paused``) with the token's ID, holder and the reason."""
    principal, info = access
    return await _control(temporal, info, principal, "pause", body.reason)


@router.post("/elections/{election_id}/resume", response_model=SignalAccepted, status_code=202)
async def resume(body: PauseRequest, access: Pauser, temporal: TemporalDep) -> SignalAccepted:
    """Lifts the pause (CTL2: a supervisor's halt only by the district; 403 naming the rule
    otherwise); recorded (``election.resumed``)."""
    principal, info = access
    return await _control(temporal, info, principal, "resume", body.reason)


@router.post("/elections/{election_id}/abort", response_model=SignalAccepted, status_code=202)
async def abort(body: PauseRequest, access: Aborter, temporal: TemporalDep) -> SignalAccepted:
    """Stops the election for good (status ``aborted``); recorded (``election.aborted``)."""
    principal, info = access
    return await _control(temporal, info, principal, "abort", body.reason)


@router.post("/elections/{election_id}/unfilled/{post}/decision",
             response_model=UnfilledDecided)
async def decide_unfilled(post: Post, body: UnfilledDecision, access: Street,
                          temporal: TemporalDep) -> UnfilledDecided:
    """M7: the street committee's answer for a post left unfilled after the additional rounds
    (workflow update ``decide_unfilled``; refused with 409 when no such decision is awaited);
    recorded in the chain (``election.unfilled_decided``) with who decided."""
    principal, info = access
    handle = (await temporal.client()).get_workflow_handle(info.workflow_id)
    decided = await workflow_call(handle.execute_update(
        CommunityElectionWorkflow.decide_unfilled,
        UnfilledInput(post, body.decision, acting(principal)),
        rpc_timeout=timedelta(seconds=30)), info.workflow_id)
    return UnfilledDecided(election_id=info.election_id, post=post, decision=str(decided))


@router.get("/elections/{election_id}/audit/verify", response_model=AuditVerification)
async def verify_audit(access: Anyone, clients: ClientsDep) -> AuditVerification:
    """Recomputes each service's hash chain for this election and names the first broken
    record (service and seq); ``verified`` is false when any chain is broken."""
    _, info = access
    return await call(verify_election(clients, info.election_id), "audit")


class AuditRecordPublic(BaseModel):
    service: str
    seq: int
    kind: str
    payload_json: str
    actor_role: str
    actor_scope: str
    prev_hash: str
    hash: str
    created_at: str


@router.get("/elections/{election_id}/audit", response_model=list[AuditRecordPublic])
async def list_audit(access: Auditor, clients: ClientsDep) -> list[AuditRecordPublic]:
    """Every audit record of the election, per service in chain order."""
    _, info = access
    out: list[AuditRecordPublic] = []
    for service in SERVICES:
        stub = getattr(clients, service)
        records = await call(all_audit_records(stub, info.election_id), service)
        out += [AuditRecordPublic(service=service, seq=r.seq, kind=r.kind,
                                  payload_json=r.payload_json, actor_role=r.actor_role,
                                  actor_scope=r.actor_scope, prev_hash=r.prev_hash, hash=r.hash,
                                  created_at=r.created_at) for r in records]
    return out
