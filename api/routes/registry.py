"""The district's registry: districts, streets (街道) with their committees' sizes, and
communities (社区)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from api import auth, chain
from api.auth import DISTRICT_ADMIN, STAFF
from api.db import CommitteeRow, CommunityRow, DistrictRow, Principal, StreetRow
from api.deps import Allow, DbDep
from api.errors import ERROR_RESPONSES, ApiError
from api.types import Id, ShortText

router = APIRouter(prefix="/api/v1", tags=["registry"], responses=ERROR_RESPONSES)
Admin = Annotated[Principal, Depends(Allow(DISTRICT_ADMIN, what="change the registry"))]
Staff = Annotated[Principal, Depends(Allow(*STAFF, what="read the registry"))]
OrgType = Literal["branch", "general_branch", "committee"]


class DistrictCreate(BaseModel):
    district_id: Id
    name: ShortText = ""


# The answers are shapes, not checks: what the registry holds is shown as it is (a district
# registered by `gongtui demo` names its streets in Chinese, 'st-梅园新村', which the request
# pattern of Id does not take; re-checking it on the way out was a 500 on every listing).
class DistrictPublic(BaseModel):
    district_id: str
    name: str = ""


class StreetCreate(BaseModel):
    street_id: Id
    district_id: Id
    name: ShortText = ""


class StreetPublic(BaseModel):
    street_id: str
    district_id: str
    name: str = ""


class CommitteeSize(BaseModel):
    size: int = Field(ge=1, le=100, description="the street committee's membership (M11)")


class CommitteePublic(CommitteeSize):
    street_id: str
    set_by: str


class CommunityCreate(BaseModel):
    community_id: Id
    street_id: Id
    name: ShortText = ""
    org_type: OrgType = "general_branch"


class CommunityPublic(BaseModel):
    community_id: str
    street_id: str
    name: str = ""
    org_type: str = "general_branch"
    district_id: str


def _admin_covers_district(admin: Principal, district_id: str) -> None:
    if not auth.covers(admin, district_id=district_id):
        raise ApiError(403, f"scope {admin.scope} does not cover district {district_id}",
                       field="scope")


def _same(existing: object, wanted: dict[str, object], what: str) -> None:
    differs = [k for k, v in wanted.items() if getattr(existing, k) != v]
    if differs:
        raise ApiError(409, f"{what} exists with a different {', '.join(differs)}",
                       field=differs[0], code="ALREADY_EXISTS")


@router.post("/districts", response_model=DistrictPublic, status_code=201)
async def create_district(body: DistrictCreate, admin: Admin, db: DbDep,
                          response: Response) -> DistrictPublic:
    _admin_covers_district(admin, body.district_id)
    async with db.write() as session:
        row = await session.get(DistrictRow, body.district_id)
        if row is not None:
            _same(row, body.model_dump(), f"district {body.district_id}")
            response.status_code = 200
        else:
            session.add(DistrictRow(**body.model_dump()))
            await chain.append(db, session, "district.created", body.model_dump(), admin)
    return DistrictPublic(**body.model_dump())


@router.get("/districts", response_model=list[DistrictPublic])
async def list_districts(principal: Staff, db: DbDep) -> list[DistrictPublic]:
    async with db.read() as session:
        districts = list((await session.execute(
            select(DistrictRow).order_by(DistrictRow.district_id))).scalars())
        streets = {s.street_id: s.district_id for s in (await session.execute(
            select(StreetRow))).scalars()}
        communities = {c.community_id: c.district_id for c in (await session.execute(
            select(CommunityRow))).scalars()}
    kind, value = principal.scope_kind, principal.scope_value
    mine = {"district": value, "street": streets.get(value),
            "community": communities.get(value)}.get(kind)
    return [DistrictPublic(district_id=d.district_id, name=d.name) for d in districts
            if principal.scope == "district:*" or d.district_id == mine]


@router.post("/streets", response_model=StreetPublic, status_code=201)
async def create_street(body: StreetCreate, admin: Admin, db: DbDep,
                        response: Response) -> StreetPublic:
    _admin_covers_district(admin, body.district_id)
    async with db.write() as session:
        if await session.get(DistrictRow, body.district_id) is None:
            raise ApiError(404, f"no district {body.district_id!r}: create it first",
                           field="district_id")
        row = await session.get(StreetRow, body.street_id)
        if row is not None:
            _same(row, body.model_dump(), f"street {body.street_id}")
            response.status_code = 200
        else:
            session.add(StreetRow(**body.model_dump()))
            await chain.append(db, session, "street.created", body.model_dump(), admin)
    return StreetPublic(**body.model_dump())


@router.get("/streets", response_model=list[StreetPublic])
async def list_streets(principal: Staff, db: DbDep,
                       district_id: Annotated[str, Query(max_length=120)] = ""
                       ) -> list[StreetPublic]:
    async with db.read() as session:
        stmt = select(StreetRow).order_by(StreetRow.street_id)
        if district_id:
            stmt = stmt.where(StreetRow.district_id == district_id)
        streets = list((await session.execute(stmt)).scalars())
        communities = {c.community_id: c.street_id for c in (await session.execute(
            select(CommunityRow))).scalars()}
    out = []
    for s in streets:
        ok = auth.covers(principal, district_id=s.district_id, street_id=s.street_id)
        if principal.scope_kind == "community":
            ok = communities.get(principal.scope_value) == s.street_id
        if ok:
            out.append(StreetPublic(street_id=s.street_id, district_id=s.district_id, name=s.name))
    return out


@router.post("/communities", response_model=CommunityPublic, status_code=201)
async def create_community(body: CommunityCreate, admin: Admin, db: DbDep,
                           response: Response) -> CommunityPublic:
    async with db.write() as session:
        street = await session.get(StreetRow, body.street_id)
        if street is None:
            raise ApiError(404, f"no street {body.street_id!r}: create it first",
                           field="street_id")
        _admin_covers_district(admin, street.district_id)
        wanted = {**body.model_dump(), "district_id": street.district_id}
        row = await session.get(CommunityRow, body.community_id)
        if row is not None:
            _same(row, wanted, f"community {body.community_id}")
            response.status_code = 200
        else:
            session.add(CommunityRow(**wanted))
            await chain.append(db, session, "community.created", wanted, admin)
    return CommunityPublic(**wanted)


@router.get("/communities", response_model=list[CommunityPublic])
async def list_communities(principal: Staff, db: DbDep,
                           street_id: Annotated[str, Query(max_length=120)] = ""
                           ) -> list[CommunityPublic]:
    async with db.read() as session:
        stmt = select(CommunityRow).order_by(CommunityRow.community_id)
        if street_id:
            stmt = stmt.where(CommunityRow.street_id == street_id)
        rows = list((await session.execute(stmt)).scalars())
    return [CommunityPublic(community_id=c.community_id, street_id=c.street_id, name=c.name,
                            org_type=c.org_type, district_id=c.district_id)  # type: ignore[arg-type]
            for c in rows if auth.covers(principal, district_id=c.district_id,
                                         street_id=c.street_id, community_id=c.community_id)]


@router.put("/streets/{street_id}/committee", response_model=CommitteePublic)
async def set_committee(street_id: Id, body: CommitteeSize, admin: Admin,
                        db: DbDep) -> CommitteePublic:
    """The street committee's membership, which its vote's quorum and pass mark are measured
    against (M11): the district's to register, never the committee's to declare at its own
    check-in."""
    async with db.write() as session:
        street = await session.get(StreetRow, street_id)
        if street is None:
            raise ApiError(404, f"no street {street_id!r}: create it first", field="street_id")
        _admin_covers_district(admin, street.district_id)
        row = await session.get(CommitteeRow, street_id)
        if row is None:
            row = CommitteeRow(street_id=street_id, size=body.size, set_by=admin.label())
            session.add(row)
        else:
            row.size, row.set_by = body.size, admin.label()
        await chain.append(db, session, "committee.sized",
                           {"street_id": street_id, "size": body.size}, admin)
    return CommitteePublic(street_id=street_id, size=body.size, set_by=admin.label())


@router.get("/streets/{street_id}/committee", response_model=CommitteePublic)
async def get_committee(street_id: Id, principal: Staff, db: DbDep) -> CommitteePublic:
    async with db.read() as session:
        street = await session.get(StreetRow, street_id)
        row = await session.get(CommitteeRow, street_id)
    if street is None or row is None or not auth.covers(
            principal, district_id=street.district_id, street_id=street_id):
        raise ApiError(404, f"no committee registered for street {street_id!r}",
                       field="street_id")
    return CommitteePublic(street_id=street_id, size=row.size, set_by=row.set_by)
