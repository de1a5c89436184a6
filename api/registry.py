"""The district's registry (districts, streets, communities) kept in the API's database."""

from __future__ import annotations

from api.db import CommunityRow, DistrictRow, StreetRow
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
