"""Limits at the door and errors as they are, over real HTTP to an API served by uvicorn in
this process (no Temporal): a body above the limit is 413, casts and failed authentications
beyond their rate are 429 with Retry-After, and a service that cannot be reached is a 503
for every caller (with the approval service up and the nomination service down, a
district-scoped approver gets a 503, not an empty list)."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from api.db import TokenStore, open_database
from api.main import create_app
from core.config import Settings
from proto import approval_pb2, approval_pb2_grpc, common_pb2
from services.approval import server as approval_server

SYSTEM = common_pb2.Actor(role="system", scope="", name="test")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


Api = Callable[..., Any]


@pytest.fixture
async def api(tmp_path: Path) -> AsyncIterator[Api]:
    """``await api(**settings)``: (client, token factory) of an API on a free port whose
    services listen nowhere unless the settings say otherwise."""
    servers: list[tuple[uvicorn.Server, asyncio.Task[None]]] = []
    clients: list[httpx.AsyncClient] = []

    async def start(**overrides: Any) -> tuple[httpx.AsyncClient, Any]:
        port = free_port()
        values: dict[str, Any] = {
            "data_dir": tmp_path, "api_port": port, "temporal_address": "127.0.0.1:1",
            "nomination_address": f"127.0.0.1:{free_port()}",
            "voting_address": f"127.0.0.1:{free_port()}",
            "approval_address": f"127.0.0.1:{free_port()}"}
        settings = Settings(**(values | overrides))
        server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1",
                                               port=port, log_level="warning"))
        task = asyncio.create_task(server.serve())
        for _ in range(200):
            if server.started:
                break
            await asyncio.sleep(0.05)
        assert server.started
        servers.append((server, task))
        db = open_database(settings)
        store = TokenStore(db)

        async def token(role: str, scope: str) -> dict[str, str]:
            secret, _ = await store.create(role, scope, f"test {role}", "")
            return {"Authorization": f"Bearer {secret}"}

        client = httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30)
        clients.append(client)
        client.token = token  # type: ignore[attr-defined]
        client.db = db  # type: ignore[attr-defined]
        return client, token

    yield start
    for client in clients:
        await client.db.dispose()  # type: ignore[attr-defined]
        await client.aclose()
    for server, task in servers:
        server.should_exit = True
        await asyncio.wait_for(task, timeout=30)


async def test_a_body_above_the_limit_is_413_with_the_error_body(api: Api) -> None:
    client, token = await api(api_max_body_bytes=1000, api_max_upload_bytes=5000)
    office = await token("district_admin", "district:*")
    big = {"reason": "x" * 2000}
    r = await client.post("/api/v1/elections/e-1/pause", json=big, headers=office)
    assert r.status_code == 413, r.text
    assert r.json()["code"] == "PAYLOAD_TOO_LARGE" and r.json()["field"] == "body"

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: counted as it comes
        for _ in range(20):
            yield b"x" * 100

    r = await client.post("/api/v1/ballots", content=chunks(),
                          headers={"Content-Type": "application/json"})
    assert r.status_code == 413, r.text
    # the roster routes take a file: their limit is the upload limit
    r = await client.post("/api/v1/elections/e-1/roster/import", content=b"x" * 3000,
                          headers=office | {"Content-Type": "text/csv"})
    assert r.status_code != 413, r.text
    r = await client.post("/api/v1/elections/e-1/roster/import", content=b"x" * 6000,
                          headers=office | {"Content-Type": "text/csv"})
    assert r.status_code == 413, r.text


async def test_casts_beyond_the_rate_are_429_with_retry_after(api: Api) -> None:
    client, _ = await api(cast_rate_limit="3/minute")
    cast = {"round_id": "r-1", "code": "abc", "marks": []}
    first = [await client.post("/api/v1/ballots", json=cast) for _ in range(3)]
    # the voting service listens nowhere: each of them a 503 to retry, never a 500
    assert [r.status_code for r in first] == [503] * 3, first[0].text
    assert first[0].headers["Retry-After"] and first[0].json()["code"] == "UNAVAILABLE"
    r = await client.post("/api/v1/ballots", json=cast)
    assert r.status_code == 429, r.text
    assert int(r.headers["Retry-After"]) >= 1 and r.json()["code"] == "RESOURCE_EXHAUSTED"


async def test_failed_authentications_beyond_the_rate_are_429(api: Api) -> None:
    client, token = await api(auth_failure_rate_limit="3/minute")
    good = await token("district_admin", "district:*")
    bad = {"Authorization": "Bearer not-a-token"}
    assert [(await client.get("/api/v1/elections", headers=bad)).status_code
            for _ in range(3)] == [401] * 3
    r = await client.get("/api/v1/elections", headers=bad)
    assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1, r.text
    # the client is stopped whatever it sends now, a valid token too
    r = await client.get("/api/v1/elections", headers=good)
    assert r.status_code == 429, r.text


async def test_a_nomination_outage_is_a_503_for_a_district_scoped_approver(
        api: Api, tmp_path: Path) -> None:
    address = f"127.0.0.1:{free_port()}"
    settings = Settings(data_dir=tmp_path / "approval", approval_address=address,
                        temporal_address="")
    ready, stop = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(approval_server.main(settings, ready, stop))
    try:
        await asyncio.wait_for(ready.wait(), timeout=30)
        import grpc

        async with grpc.aio.insecure_channel(address) as channel:
            await approval_pb2_grpc.ApprovalStub(channel).RequestApproval(
                approval_pb2.RequestApprovalRequest(
                    idempotency_key="t-1", actor=SYSTEM, election_id="e-1",
                    community_id="c-1", street_id="s-1", committee_id="s-1",
                    post="secretary", person_id="p-1", name="王建国", attempt=1,
                    workflow_id="wf-e-1"))
        client, token = await api(approval_address=address)
        approver = await token("approver", "district:d-1")
        r = await client.get("/api/v1/approvals", headers=approver)
        assert r.status_code == 503, r.text
        assert r.json()["code"] == "UNAVAILABLE" and r.headers["Retry-After"]
        admin = await token("district_admin", "district:d-1")
        r = await client.get("/api/v1/elections/e-1/meetings", headers=admin)
        assert r.status_code == 503, r.text
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=30)
