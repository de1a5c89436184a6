"""Election cycles (换届): the district starts one CommunityElectionWorkflow per community."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from temporalio.exceptions import WorkflowAlreadyStartedError

import rules
from api import auth, chain
from api.auth import DISTRICT_ADMIN, SUPERVISOR
from api.db import CommunityRow, CycleRow, DistrictRow, ElectionRow, Principal
from api.deps import Allow, DbDep, SettingsDep, TemporalDep
from api.errors import ERROR_RESPONSES, ApiError
from core.ids import election_workflow_id
from core.vocabulary import DEFAULT_PROFILE
from rules.loading import profile_from_json
from workflows.election.types import ElectionInput
from workflows.election.workflows import CommunityElectionWorkflow

router = APIRouter(prefix="/api/v1", tags=["cycles"], responses=ERROR_RESPONSES)
Admin = Annotated[Principal, Depends(Allow(DISTRICT_ADMIN, what="start election cycles"))]
Reader = Annotated[Principal, Depends(Allow(DISTRICT_ADMIN, SUPERVISOR,
                                            what="read election cycles"))]
CYCLE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,39}$"


class CycleCreate(BaseModel):
    cycle_id: str = Field(pattern=CYCLE_PATTERN, description="e.g. 2026; election ids are "
                                                              "COMMUNITY-CYCLE")
    district_id: str = Field(min_length=1, max_length=80)
    profile: str = Field(DEFAULT_PROFILE, max_length=80)
    overrides: dict[str, Any] = Field(default_factory=dict,
                                      description="profile parameter overrides")
    community_ids: list[Annotated[str, Field(max_length=80)]] | None = Field(
        None, max_length=2000, description="default: every community of the district")
    day_seconds: float | None = Field(None, gt=0, le=86400 * 7,
                                      description="one day of the procedure in seconds "
                                                  "(drills); default: the server's setting")


class CycleElection(BaseModel):
    election_id: str
    community_id: str
    community_name: str
    street_id: str
    workflow_id: str


class CyclePublic(BaseModel):
    cycle_id: str
    district_id: str
    profile: str
    overrides: dict[str, Any]
    day_seconds: float
    started_at: datetime
    elections: list[CycleElection]


def _public(cycle: CycleRow, elections: list[ElectionRow]) -> CyclePublic:
    return CyclePublic(cycle_id=cycle.cycle_id, district_id=cycle.district_id,
                       profile=cycle.profile, overrides=json.loads(cycle.overrides_json),
                       day_seconds=cycle.day_seconds, started_at=cycle.started_at,
                       elections=[CycleElection(election_id=e.election_id,
                                                community_id=e.community_id,
                                                community_name=e.community_name,
                                                street_id=e.street_id, workflow_id=e.workflow_id)
                                  for e in elections])


@router.post("/cycles", response_model=CyclePublic, status_code=201)
async def start_cycle(body: CycleCreate, admin: Admin, db: DbDep, temporal: TemporalDep,
                      settings: SettingsDep, response: Response) -> CyclePublic:
    if not auth.covers(admin, district_id=body.district_id):
        raise ApiError(403, f"scope {admin.scope} does not cover district {body.district_id}",
                       field="scope")
    if body.profile not in rules.list_profiles():
        raise ApiError(422, f"unknown profile (one of {', '.join(rules.list_profiles())})",
                       field="profile")
    overrides_json = json.dumps(body.overrides, sort_keys=True, ensure_ascii=False)
    try:  # the text the elections will load their profile from
        profile_from_json(body.profile, overrides_json)
    except rules.RuleViolation as exc:
        raise ApiError(422, str(exc.message), field=f"overrides.{exc.field}".rstrip("."),
                       rule=str(exc.rule_id)) from exc
    except Exception as exc:  # a malformed override the profile loader cannot merge
        raise ApiError(422, f"not valid profile overrides: {exc}", field="overrides") from exc
    day_seconds = body.day_seconds or settings.day_seconds
    async with db.write() as session:
        if await session.get(DistrictRow, body.district_id) is None:
            raise ApiError(404, f"no district {body.district_id!r}", field="district_id")
        communities = list((await session.execute(select(CommunityRow).where(
            CommunityRow.district_id == body.district_id).order_by(
            CommunityRow.community_id))).scalars())
        if body.community_ids is not None:
            known = {c.community_id: c for c in communities}
            for i, cid in enumerate(body.community_ids):
                if cid not in known:
                    raise ApiError(404, f"community {cid!r} is not in district "
                                        f"{body.district_id}", field=f"community_ids[{i}]")
            communities = [known[c] for c in dict.fromkeys(body.community_ids)]
        if not communities:
            raise ApiError(409, f"district {body.district_id} has no communities",
                           field="community_ids")
        cycle = await session.get(CycleRow, body.cycle_id)
        if cycle is not None:
            if (cycle.district_id, cycle.profile, cycle.overrides_json) != (
                    body.district_id, body.profile, overrides_json):
                raise ApiError(409, f"cycle {body.cycle_id} exists with other settings",
                               field="cycle_id", code="ALREADY_EXISTS")
            response.status_code = 200
        else:
            cycle = CycleRow(cycle_id=body.cycle_id, district_id=body.district_id,
                             profile=body.profile, overrides_json=overrides_json,
                             day_seconds=day_seconds, started_by=admin.token_id)
            session.add(cycle)
            await chain.append(db, session, "cycle.started", {
                "cycle_id": body.cycle_id, "district_id": body.district_id,
                "profile": body.profile, "overrides": body.overrides,
                "day_seconds": day_seconds,
                "communities": [c.community_id for c in communities]}, admin)
        elections: list[ElectionRow] = []
        for c in communities:
            eid = f"{c.community_id}-{body.cycle_id}"
            row = await session.get(ElectionRow, eid)
            if row is None:
                row = ElectionRow(election_id=eid, cycle_id=body.cycle_id,
                                  community_id=c.community_id, community_name=c.name,
                                  street_id=c.street_id, district_id=c.district_id,
                                  workflow_id=election_workflow_id(eid))
                session.add(row)
            elections.append(row)
    client = await temporal.client()
    by_id = {c.community_id: c for c in communities}
    for e in elections:
        c = by_id[e.community_id]
        try:
            await client.start_workflow(
                CommunityElectionWorkflow.run,
                ElectionInput(election_id=e.election_id, community_id=c.community_id,
                              community_name=c.name or c.community_id, org_type=c.org_type,
                              street_id=c.street_id, district_id=c.district_id,
                              committee_id=c.street_id, profile=cycle.profile,
                              overrides=json.loads(cycle.overrides_json),
                              day_seconds=cycle.day_seconds),
                id=e.workflow_id, task_queue=settings.task_queue)
        except WorkflowAlreadyStartedError:
            pass  # started by an earlier attempt of this request
    return _public(cycle, elections)


async def _elections(db: DbDep, cycle_id: str) -> list[ElectionRow]:
    async with db.read() as session:
        return list((await session.execute(select(ElectionRow).where(
            ElectionRow.cycle_id == cycle_id).order_by(ElectionRow.election_id))).scalars())


@router.get("/cycles", response_model=list[CyclePublic])
async def list_cycles(principal: Reader, db: DbDep) -> list[CyclePublic]:
    async with db.read() as session:
        cycles = list((await session.execute(select(CycleRow).order_by(
            CycleRow.started_at))).scalars())
    out = []
    for cycle in cycles:
        elections = [e for e in await _elections(db, cycle.cycle_id)
                     if auth.covers(principal, district_id=e.district_id, street_id=e.street_id,
                                    community_id=e.community_id)]
        if elections:
            out.append(_public(cycle, elections))
    return out


@router.get("/cycles/{cycle_id}", response_model=CyclePublic)
async def get_cycle(cycle_id: Annotated[str, Path(max_length=40)], principal: Reader,
                    db: DbDep) -> CyclePublic:
    async with db.read() as session:
        cycle = await session.get(CycleRow, cycle_id)
    if cycle is None:
        raise ApiError(404, f"no cycle {cycle_id!r}", field="cycle_id")
    elections = [e for e in await _elections(db, cycle.cycle_id)
                 if auth.covers(principal, district_id=e.district_id, street_id=e.street_id,
                                community_id=e.community_id)]
    if not elections:
        raise ApiError(403, f"scope {principal.scope} covers no election of cycle {cycle_id}",
                       field="scope")
    return _public(cycle, elections)
