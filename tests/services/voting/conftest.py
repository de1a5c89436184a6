"""The voting service over a real grpc.aio channel, on its own database (a SQLite file, or
PostgreSQL in the suite's PostgreSQL pass)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import pytest

from core.config import Settings
from proto import voting_pb2_grpc
from services.voting import server
from tests.conftest import service_probe
from tests.services.voting.support import Service, free_port


@pytest.fixture
async def svc(tmp_path: Path, service_database_url: str) -> AsyncIterator[Service]:
    address = f"127.0.0.1:{free_port()}"
    settings = Settings(data_dir=tmp_path, voting_address=address, temporal_address="",
                        database_url=service_database_url)
    ready, stop = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(server.main(settings, ready, stop))
    waiter = asyncio.ensure_future(ready.wait())
    done, _ = await asyncio.wait({task, waiter}, timeout=30, return_when=asyncio.FIRST_COMPLETED)
    if task in done:
        task.result()  # raises the start-up error
    assert ready.is_set()
    async with grpc.aio.insecure_channel(address) as channel:
        yield Service(voting_pb2_grpc.VotingStub(channel), service_probe(settings, "voting"))
    stop.set()
    await asyncio.wait_for(task, timeout=30)
