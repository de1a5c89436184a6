"""Fixtures of the API tests: the real stack's API over HTTP, tokens made through the token
store directly, and gRPC stubs to set up facts the way the workflow's activities would."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest

from api.db import CommunityRow, DistrictRow, StreetRow, TokenStore, open_database
from gongtui.stack import EmbeddedStack
from proto import common_pb2, nomination_pb2
from services.common.clients import ServiceClients
from services.common.db import Database

SYSTEM = common_pb2.Actor(role="system", scope="", name="test")

TokenFactory = Callable[..., Awaitable[str]]


#: the services' stubs, through the bundle every caller uses
Stubs = ServiceClients


@pytest.fixture(scope="session")
async def api_db(stack: EmbeddedStack) -> AsyncIterator[Database]:
    db = open_database(stack.settings)
    await db.create_all()
    yield db
    await db.dispose()


@pytest.fixture(scope="session")
async def make_token(api_db: Database) -> TokenFactory:
    store = TokenStore(api_db)

    async def make(role: str, scope: str, person_id: str = "", name: str = "") -> str:
        token, _ = await store.create(role, scope, name or f"test {role}", person_id)
        return token

    return make


@pytest.fixture(scope="session")
def api_url(stack: EmbeddedStack) -> str:
    return f"http://{stack.settings.host}:{stack.settings.api_port}"


@pytest.fixture
async def http(api_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=api_url, timeout=60) as client:
        yield client


@pytest.fixture(scope="session")
async def stubs(stack: EmbeddedStack) -> AsyncIterator[Stubs]:
    clients = ServiceClients(stack.settings_of("worker"))  # plays the workflow (system)
    yield clients
    await clients.close()


async def register_place(db: Database, district: str, street: str, community: str) -> None:
    async with db.write() as session:
        if await session.get(DistrictRow, district) is None:
            session.add(DistrictRow(district_id=district, name=district))
        if await session.get(StreetRow, street) is None:
            session.add(StreetRow(street_id=street, district_id=district, name=street))
        if await session.get(CommunityRow, community) is None:
            session.add(CommunityRow(community_id=community, street_id=street,
                                     district_id=district, name=community,
                                     org_type="general_branch"))


async def create_election(stubs: Stubs, community: str, street: str, district: str,
                          election_id: str = "") -> str:
    """An election in the nomination service with no workflow behind it."""
    election_id = election_id or f"{community}-{uuid.uuid4().hex[:6]}"
    await stubs.nomination.CreateElection(nomination_pb2.CreateElectionRequest(
        idempotency_key=f"test-create/{election_id}", actor=SYSTEM,
        election=nomination_pb2.Election(
            election_id=election_id, community_id=community, community_name=community,
            org_type="general_branch", street_id=street, district_id=district,
            profile="nanjing")))
    return election_id


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
