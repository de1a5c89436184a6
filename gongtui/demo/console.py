"""A demo district seen in the web console: the district's places and its elections written
to the API's database (as ``POST /districts``, ``/streets``, ``/communities`` and a cycle
would have left them), so the district dashboard lists the elections the demo's
DistrictElectionWorkflow runs; and a console session signed in as a browser would."""

from __future__ import annotations

import re
from typing import Any

import httpx

from api.db import CommunityRow, DistrictRow, ElectionRow, StreetRow, TokenStore, open_database
from core.config import Settings
from core.ids import district_election_id, election_workflow_id

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


async def register_district(settings: Settings, district_id: str, name: str,
                            scenarios: list[dict[str, Any]], cycle_id: str = "demo") -> list[str]:
    """The district, its streets, communities and elections in the API's database, with the
    ids the district workflow and the services use (a fresh stack's database: the
    generated community ids repeat from one demo to the next); returns the election ids, in
    the scenarios' order."""
    db = open_database(settings)
    await db.create_all()
    ids = []
    try:
        async with db.write() as session:
            session.add(DistrictRow(district_id=district_id, name=name))
            streets: dict[str, str] = {}
            for sc in scenarios:
                street = str(sc["community"]["street"])
                streets.setdefault(street, street.removeprefix("st-") + "街道")
            for sid, street_name in streets.items():
                session.add(StreetRow(street_id=sid, district_id=district_id, name=street_name))
            for sc in scenarios:
                c = sc["community"]
                eid = district_election_id(district_id, c["id"])
                ids.append(eid)
                cid, street = str(c["id"]), str(c["street"])
                session.add(CommunityRow(community_id=cid, street_id=street,
                                         district_id=district_id, name=c["name"],
                                         org_type=c.get("org_type", "general_branch")))
                session.add(ElectionRow(election_id=eid, cycle_id=cycle_id, community_id=cid,
                                        community_name=c["name"], street_id=street,
                                        district_id=district_id,
                                        workflow_id=election_workflow_id(eid)))
    finally:
        await db.dispose()
    return ids


async def admin_token(settings: Settings, district_id: str) -> str:
    db = open_database(settings)
    try:
        token, _ = await TokenStore(db).create("district_admin", f"district:{district_id}",
                                               "区委组织部（演示）", created_by="demo")
        return token
    finally:
        await db.dispose()


async def sign_in(http: httpx.AsyncClient, token: str) -> str:
    """Signs ``http`` in through the console's form; returns the session's CSRF token."""
    page = await http.get("/console/login")
    found = CSRF.search(page.text)
    if found is None:
        raise RuntimeError("the sign-in page has no CSRF token")
    r = await http.post("/console/login", data={"token": token, "csrf": found.group(1),
                                                "next": "/console/"})
    if r.status_code != 303:
        raise RuntimeError(f"sign-in refused: {r.status_code} {r.text[:200]}")
    home = await http.get("/console/dashboard")
    found = CSRF.search(home.text)
    if found is None:
        raise RuntimeError("the dashboard has no form with a CSRF token")
    return found.group(1)
