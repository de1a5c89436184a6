"""Through the real API over HTTP, on the embedded stack's mutual TLS: the person a token
names is what the service records, and the API's own certificate cannot act as ``system``."""

from __future__ import annotations

import grpc
import httpx
import pytest

from api.db import open_database
from gongtui.stack import EmbeddedStack
from proto import common_pb2
from proto import nomination_pb2 as pb
from services.common.clients import ServiceClients
from tests.api.conftest import Stubs, TokenFactory, bearer, create_election, register_place

pytestmark = pytest.mark.stack


async def test_the_tokens_person_reaches_the_audit_record(
        http: httpx.AsyncClient, stack: EmbeddedStack, stubs: Stubs,
        make_token: TokenFactory) -> None:
    db = open_database(stack.settings)
    try:
        await register_place(db, "d-id", "s-id", "c-id")
    finally:
        await db.dispose()
    eid = await create_election(stubs, "c-id", "s-id", "d-id")
    office = bearer(await make_token("community_office", "community:c-id", name="选举工作小组"))
    r = await http.post(f"/api/v1/elections/{eid}/roster", headers=office, json={"people": [
        {"person_id": "p1", "name": "王建国", "status": "full"}]})
    assert r.status_code == 200, r.text
    audit = await stubs.nomination.ListAudit(common_pb2.AuditRequest(election_id=eid))
    last = audit.records[-1]
    assert (last.actor_role, last.actor_scope) == ("community_office", "community:c-id")


async def test_the_apis_certificate_cannot_act_as_system(stack: EmbeddedStack) -> None:
    clients = ServiceClients(stack.settings_of("api"))  # the API's key, but no person asserted
    try:
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await clients.nomination.CreateElection(pb.CreateElectionRequest(
                idempotency_key="forged-api-system", actor=common_pb2.Actor(role="system"),
                election=pb.Election(election_id="forged-1", community_id="c-id",
                                     community_name="c-id", org_type="branch")))
    finally:
        await clients.close()
    assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED  # the workflow's RPC
    with pytest.raises(grpc.aio.AioRpcError) as missing:
        await stubs_get(stack, "forged-1")
    assert missing.value.code() == grpc.StatusCode.NOT_FOUND
    clients = ServiceClients(stack.settings_of("api"))
    try:
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await clients.nomination.ImportRoster(pb.ImportRosterRequest(
                idempotency_key="forged-api-roster", actor=common_pb2.Actor(role="system"),
                election_id="forged-1"))
    finally:
        await clients.close()
    assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED


async def stubs_get(stack: EmbeddedStack, election_id: str) -> pb.Election:
    clients = ServiceClients(stack.settings)  # the operator reads
    try:
        return await clients.nomination.GetElection(pb.GetElectionRequest(
            election_id=election_id))
    finally:
        await clients.close()
