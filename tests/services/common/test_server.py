"""gRPC servers bind without port sharing: a second server on a used port fails to bind
instead of sharing the port (and its calls) with the first."""

from __future__ import annotations

import asyncio
import socket

import pytest

from core.config import Settings
from services.common.probes import grpc_healthy
from services.common.server import run_server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_a_second_server_on_a_used_port_fails_to_bind() -> None:
    address = f"127.0.0.1:{free_port()}"
    ready, stop = asyncio.Event(), asyncio.Event()
    first = asyncio.create_task(run_server("first", address, lambda server: [], ready=ready,
                                           stop_event=stop, grace=0))
    try:
        await asyncio.wait_for(ready.wait(), 10)
        with pytest.raises(RuntimeError, match="bind"):
            await asyncio.wait_for(run_server("second", address, lambda server: [],
                                              stop_event=asyncio.Event(), grace=0), 10)
        assert await grpc_healthy(address, Settings(allow_insecure=True), "first")  # the first one still serves its port alone
    finally:
        stop.set()
        await asyncio.wait_for(first, 10)
