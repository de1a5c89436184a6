"""The registry lists what it holds: a district registered by `gongtui demo` names its streets
in Chinese ('st-梅园新村'); listing them is a 200 with the names as stored, never a 500."""

from __future__ import annotations

import uuid

import httpx
import pytest

from api.db import open_database
from gongtui.stack import EmbeddedStack
from tests.api.conftest import TokenFactory, bearer, register_place

pytestmark = pytest.mark.stack


async def test_streets_and_communities_with_chinese_ids_are_listed(
        stack: EmbeddedStack, http: httpx.AsyncClient, make_token: TokenFactory) -> None:
    tag = uuid.uuid4().hex[:5]
    district, street, community = f"d-{tag}", f"st-{tag}-梅园新村", f"c-{tag}-梅园"
    db = open_database(stack.settings)
    await register_place(db, district, street, community)
    await db.dispose()
    headers = bearer(await make_token("district_admin", f"district:{district}"))
    streets = await http.get("/api/v1/streets", params={"district_id": district},
                             headers=headers)
    assert streets.status_code == 200, streets.text
    assert [s["street_id"] for s in streets.json()] == [street]
    communities = await http.get("/api/v1/communities", headers=headers)
    assert communities.status_code == 200, communities.text
    assert community in [c["community_id"] for c in communities.json()]
    districts = await http.get("/api/v1/districts", headers=headers)
    assert districts.status_code == 200 and [d["district_id"] for d in districts.json()] == [
        district]
