"""The nomination service over a real grpc.aio channel, on its own database (a SQLite file,
or PostgreSQL in the suite's PostgreSQL pass)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import pytest

from core.config import Settings
from proto import nomination_pb2_grpc
from services.nomination import server
from tests.conftest import service_probe
from tests.services.nomination.support import Service, free_port


@pytest.fixture
async def svc(tmp_path: Path, service_database_url: str) -> AsyncIterator[Service]:
    address = f"127.0.0.1:{free_port()}"
    settings = Settings(data_dir=tmp_path, nomination_address=address, temporal_address="",
                        database_url=service_database_url)
    ready, stop = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(server.main(settings, ready, stop))
    done, _ = await asyncio.wait({task, asyncio.ensure_future(ready.wait())}, timeout=30,
                                 return_when=asyncio.FIRST_COMPLETED)
    if task in done:
        task.result()  # raises the start-up error
    assert ready.is_set()
    async with grpc.aio.insecure_channel(address) as channel:
        yield Service(nomination_pb2_grpc.NominationStub(channel),
                      service_probe(settings, "nomination"))
    stop.set()
    await asyncio.wait_for(task, timeout=30)
