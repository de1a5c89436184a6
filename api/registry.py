"""The district's registry (districts, streets, communities) kept in the API's database."""

from __future__ import annotations

from api.db import CommitteeRow, CommunityRow, DistrictRow, StreetRow
from api.errors import ApiError
from services.common.db import Database


async def scope_district(db: Database, scope: str) -> str:
    """The district a scope lies in ("" when the registry does not know it)."""
    kind, _, value = scope.partition(":")
    async with db.read() as session:
        if kind == "district":
            return value
        if kind == "street":
            street = await session.get(StreetRow, value)
            return street.district_id if street is not None else ""
        if kind == "community":
            community = await session.get(CommunityRow, value)
            return community.district_id if community is not None else ""
    return ""


async def street_name(db: Database, street_id: str) -> str:
    """The street's name in the registry ("" when it has none or the registry lacks it)."""
    if not street_id:
        return ""
    async with db.read() as session:
        street = await session.get(StreetRow, street_id)
    return street.name if street is not None else ""


async def district_exists(db: Database, district_id: str) -> bool:
    async with db.read() as session:
        return await session.get(DistrictRow, district_id) is not None


async def committee_size(db: Database, street_id: str) -> int | None:
    """The street committee's membership as the registry keeps it (None: not registered)."""
    async with db.read() as session:
        row = await session.get(CommitteeRow, street_id) if street_id else None
    return row.size if row is not None else None


async def registered_committee_size(db: Database, street_id: str, sent: int) -> int:
    """The street committee's membership from the registry (M11); a caller's differing figure
    is refused naming it."""
    size = await committee_size(db, street_id)
    if size is None:
        raise ApiError(409, f"the registry holds no committee size for street {street_id}: "
                            "the district registers it (PUT /api/v1/streets/{id}/committee)",
                       field="committee_size", rule="M11", code="FAILED_PRECONDITION")
    if sent and sent != size:
        raise ApiError(422, f"committee_size {sent} is not the registry's {size}: the "
                            "committee's size is the district's to register",
                       field="committee_size", rule="M11")
    return size
