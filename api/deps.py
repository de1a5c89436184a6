"""FastAPI dependencies: settings, the services' gRPC clients (the shared bundle: one channel
each per app, a deadline on every call), the Temporal client, the API database, the caller (bearer token) and the election it acts on."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from dataclasses import dataclass
from typing import Annotated, Any

import grpc
from fastapi import Depends, Header, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select
from temporalio.client import Client

from api import auth
from api.db import CommunityRow, ElectionRow, Principal, StreetRow, TokenStore
from api.errors import ApiError, from_grpc
from api.limits import client_key, rate_limits
from api.temporal import refuse_if_paused
from api.types import ID_PATTERN
from core.config import Settings
from core.ids import election_workflow_id
from proto import common_pb2, nomination_pb2
from services.common.assertions import User, current_user
from services.common.clients import ServiceClients
from services.common.db import Database


class TemporalConnection:
    """The API's Temporal client, connected on first use, so the API starts (and serves reads)
    while Temporal is down; the services' channels are :class:`ServiceClients`."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._client: Client | None = None
        self._lock = asyncio.Lock()

    async def client(self) -> Client:
        async with self._lock:
            if self._client is None:
                try:
                    self._client = await Client.connect(
                        self.settings.temporal_address, namespace=self.settings.temporal_namespace)
                except Exception as exc:
                    raise ApiError(503, f"Temporal is not reachable at "
                                        f"{self.settings.temporal_address}",
                                   code="UNAVAILABLE") from exc
            return self._client


def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


def get_clients(request: Request) -> ServiceClients:
    return request.app.state.clients  # type: ignore[no-any-return]


def get_temporal(request: Request) -> TemporalConnection:
    return request.app.state.temporal  # type: ignore[no-any-return]


def get_db(request: Request) -> Database:
    return request.app.state.db  # type: ignore[no-any-return]


def get_tokens(request: Request) -> TokenStore:
    return request.app.state.tokens  # type: ignore[no-any-return]


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
ClientsDep = Annotated[ServiceClients, Depends(get_clients)]
TemporalDep = Annotated[TemporalConnection, Depends(get_temporal)]
DbDep = Annotated[Database, Depends(get_db)]
TokensDep = Annotated[TokenStore, Depends(get_tokens)]

bearer = HTTPBearer(auto_error=False, description="gongtui token: gongtui token create")


async def current_principal(
        request: Request, tokens: TokensDep,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> Principal:
    challenge = {"WWW-Authenticate": "Bearer"}
    if credentials is None or not credentials.credentials:
        raise ApiError(401, "a bearer token is required (Authorization: Bearer <token>)",
                       field="authorization", headers=challenge)
    # a client guessing tokens is stopped after a few failures, whatever it sends next
    limits, who = rate_limits(request), "auth:" + client_key(request)
    await limits.check(limits.auth_failure, who, "failed authentications")
    token = credentials.credentials
    principal, why = ((None, "unknown or revoked token") if len(token) > 200
                      else await tokens.check(token))
    if principal is None:
        await limits.hit(limits.auth_failure, who, "failed authentications")
        raise ApiError(401, why, field="authorization", headers=challenge)
    # the person the API's calls to the services assert (services/common/assertions.py)
    current_user.set(User(principal.role, principal.scope, principal.token_id, principal.name))
    return principal


PrincipalDep = Annotated[Principal, Depends(current_principal)]


def require_role(principal: Principal, roles: tuple[str, ...], what: str) -> None:
    if principal.role not in roles:
        raise ApiError(403, f"role {principal.role} may not {what} (allowed: {', '.join(roles)})",
                       field="role")


class Allow:
    """Dependency: the caller, if its role is one of ``roles``."""

    def __init__(self, *roles: str, what: str = "use this route"):
        self.roles = roles
        self.what = what

    async def __call__(self, principal: PrincipalDep) -> Principal:
        require_role(principal, self.roles, self.what)
        return principal


@dataclass
class ElectionInfo:
    election_id: str
    community_id: str
    community_name: str
    street_id: str
    district_id: str
    workflow_id: str
    profile: str = ""
    org_type: str = ""
    window_status: str = ""
    created_at: str = ""
    registered: bool = True  # known to the nomination service


async def district_of_street(db: Database, street_id: str) -> str:
    if not street_id:
        return ""
    async with db.read() as session:
        row = await session.get(StreetRow, street_id)
    return row.district_id if row is not None else ""


async def load_election(clients: ServiceClients, db: Database, election_id: str) -> ElectionInfo:
    try:
        e = await clients.nomination.GetElection(
            nomination_pb2.GetElectionRequest(election_id=election_id))
        info = ElectionInfo(e.election_id, e.community_id, e.community_name, e.street_id,
                            e.district_id, e.workflow_id or election_workflow_id(e.election_id),
                            e.profile, e.org_type, e.window_status, e.created_at)
    except grpc.aio.AioRpcError as exc:
        if exc.code() != grpc.StatusCode.NOT_FOUND:
            raise from_grpc(exc, "nomination") from exc
        # started through the API, not yet registered by the workflow's first activity
        async with db.read() as session:
            row = await session.get(ElectionRow, election_id)
        if row is None:
            raise ApiError(404, f"no election {election_id!r}", field="election_id") from exc
        info = ElectionInfo(row.election_id, row.community_id, row.community_name, row.street_id,
                            row.district_id, row.workflow_id, registered=False)
    if not info.district_id:
        info.district_id = await district_of_street(db, info.street_id)
    return info


def check_scope(principal: Principal, info: ElectionInfo) -> None:
    if not auth.covers(principal, district_id=info.district_id, street_id=info.street_id,
                       community_id=info.community_id):
        raise ApiError(403, f"scope {principal.scope} does not cover election "
                            f"{info.election_id} (community {info.community_id or '-'}, street "
                            f"{info.street_id or '-'}, district {info.district_id or '-'})",
                       field="scope")


ElectionIdPath = Annotated[str, Path(description="election id", max_length=120,
                                     pattern=ID_PATTERN)]


class ElectionAccess:
    """Dependency: the caller and the election of the path, role and scope checked; with
    ``acts``, an act on a paused election is refused with the pause reason
    (``api.temporal.refuse_if_paused``), for the REST route and the console page alike."""

    def __init__(self, *roles: str, what: str = "act on this election", acts: bool = False):
        self.roles = roles
        self.what = what
        self.acts = acts

    async def __call__(self, election_id: ElectionIdPath, principal: PrincipalDep,
                       clients: ClientsDep, db: DbDep,
                       temporal: TemporalDep) -> tuple[Principal, ElectionInfo]:
        principal, info = await self.may_see(election_id, principal, clients, db)
        if self.acts:
            await refuse_if_paused(temporal, info.workflow_id, info.election_id)
        return principal, info

    async def may_see(self, election_id: str, principal: Principal, clients: ServiceClients,
                      db: Database) -> tuple[Principal, ElectionInfo]:
        """Role and scope only: a console page that shows what its form would act on."""
        require_role(principal, self.roles, self.what)
        info = await load_election(clients, db, election_id)
        check_scope(principal, info)
        return principal, info


IdempotencyKey = Annotated[str | None, Header(
    alias="Idempotency-Key", max_length=120,
    description="retrying a request with the same key never acts twice")]


def idempotency_key(principal: Principal | None, method: str, header: str | None,
                    *parts: str) -> str:
    """The services' idempotency key: per caller and per call, from the client's header, or a
    fresh one (no deduplication) when the client sent none."""
    raw = header or uuid.uuid4().hex
    who = principal.token_id if principal else "public"
    key = "/".join(("api", who, method, *parts, raw))
    return key if len(key) <= 180 else "api/" + hashlib.sha256(key.encode()).hexdigest()


def actor(principal: Principal) -> common_pb2.Actor:
    return common_pb2.Actor(role=principal.role, scope=principal.scope,
                            name=principal.name or f"token {principal.token_id}")


async def community_of(db: Database, community_id: str) -> CommunityRow | None:
    async with db.read() as session:
        return await session.get(CommunityRow, community_id)


async def elections_in_scope(db: Database, principal: Principal) -> list[ElectionRow]:
    async with db.read() as session:
        rows = list((await session.execute(select(ElectionRow).order_by(
            ElectionRow.cycle_id, ElectionRow.election_id))).scalars())
    return [r for r in rows if auth.covers(principal, district_id=r.district_id,
                                           street_id=r.street_id, community_id=r.community_id)]


async def call(coro: Any, service: str) -> Any:
    """Await a gRPC call; a refusal becomes the uniform error (field and rule named)."""
    try:
        return await coro
    except grpc.aio.AioRpcError as exc:
        raise from_grpc(exc, service) from exc
