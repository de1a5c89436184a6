"""The district topology as separate processes on PostgreSQL — the three
services, the API and two workers, each its own ``gongtui serve`` process against one
PostgreSQL database (a schema per service, made by its migrations) — plays the scenario suite
(tests/scenarios/*.yaml with an .expected.json) with the voting service restarted in the
middle: every outcome exactly as expected, every audit chain intact, nothing lost, nothing
duplicated."""

from __future__ import annotations

import asyncio
import json
import signal
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import grpc
import httpx
import pytest

from gongtui.runner import play_scenario
from gongtui.simulate.clients import Clients
from gongtui.simulate.scenario import load
from gongtui.stack import EmbeddedStack, embedded_settings
from services.common.clients import ServiceClients, open_channel
from tests.paths import SCENARIOS
from tests.support.postgres import SqlProbe

pytestmark = [pytest.mark.postgres, pytest.mark.stack, pytest.mark.timeout(1200)]


def comparable(out: dict[str, Any]) -> dict[str, Any]:
    out = dict(out)
    out.pop("election_id", None)
    out["audit"] = {k: v for k, v in out["audit"].items() if k != "head"}
    return out


def suite() -> list[tuple[str, dict[str, Any]]]:
    return [(p.name.removesuffix(".yaml"), json.loads(
        p.with_name(p.name.removesuffix(".yaml") + ".expected.json").read_text("utf-8")))
        for p in sorted(SCENARIOS.glob("*.yaml"))
        if p.with_name(p.name.removesuffix(".yaml") + ".expected.json").exists()]


# the callers of the services wait for a service that is restarting instead of failing fast
# (and retry a call the stopping server turned away: every mutating call carries an
# idempotency key, so a retry never acts twice)
WAIT_FOR_READY = json.dumps({"methodConfig": [{
    "name": [{}], "waitForReady": True,
    "retryPolicy": {"maxAttempts": 5, "initialBackoff": "0.2s", "maxBackoff": "2s",
                    "backoffMultiplier": 2,
                    "retryableStatusCodes": ["UNAVAILABLE", "CANCELLED"]}}]})


class RidingServiceClients(ServiceClients):
    """The shared bundle, its channels configured to wait for a restarting service."""

    def channel(self, service: str) -> grpc.aio.Channel:
        if service not in self._channels:
            self._channels[service] = open_channel(
                self.settings.service_address(service), self.settings, service,
                self.call_timeout, options=[("grpc.service_config", WAIT_FOR_READY),
                                            ("grpc.enable_retries", 1)])
        return self._channels[service]


async def riding_clients(stack: EmbeddedStack) -> Clients:
    from temporalio.client import Client

    s = stack.settings
    temporal = await Client.connect(s.temporal_address, namespace=s.temporal_namespace)
    return Clients(temporal, RidingServiceClients(s))


@pytest.fixture
async def district(tmp_path: Path, postgres_url: str) -> AsyncIterator[EmbeddedStack]:
    settings = embedded_settings(tmp_path, database_url=postgres_url)
    stack = EmbeddedStack(settings, extra_workers=1, metrics=True)
    try:
        await stack.start()
        yield stack
    finally:
        stack.stop()


async def test_district_topology_plays_the_suite_through_a_restart(
        district: EmbeddedStack, postgres_url: str) -> None:
    stack = district
    # every component its own process, the services each in their schema on PostgreSQL
    assert {"temporal", "nomination", "voting", "approval", "worker", "worker-2", "api"} <= set(
        stack.procs)
    assert len(set(stack.pids())) == len(stack.procs)
    for service in ("nomination", "voting", "approval"):
        probe = SqlProbe(postgres_url, service)
        assert "alembic_version" in probe.tables(), service
        assert probe.count("SELECT count(*) FROM alembic_version") == 1

    scenarios = suite()
    assert scenarios, "no scenario with an .expected.json"
    restarted = asyncio.Event()
    restart_done = asyncio.Event()

    def progress(status: Any) -> None:
        if not restarted.is_set() and getattr(status, "step", 0) >= 4:
            restarted.set()

    async def restart_voting() -> None:
        await restarted.wait()
        old = stack.procs["voting"].pid
        # a rolling restart: SIGTERM (in-flight RPCs finish), down a while, a new process
        stack.kill("voting", signal.SIGTERM)
        await asyncio.sleep(2)
        await stack.restart("voting")
        assert stack.procs["voting"].pid != old
        restart_done.set()

    clients = await riding_clients(stack)
    restarter = asyncio.create_task(restart_voting())
    plays = [asyncio.create_task(play_scenario(
        load(SCENARIOS / f"{name}.yaml"), stack.settings, clients=clients,
        ballots="electronic" if "electronic" in name else "paper",
        progress=progress if i == 0 else None)) for i, (name, _) in enumerate(scenarios)]
    try:
        outs = await asyncio.wait_for(asyncio.gather(*plays), 1000)
        await asyncio.wait_for(restarter, 60)
    finally:
        for task in [*plays, restarter]:
            task.cancel()
        await asyncio.gather(*plays, restarter, return_exceptions=True)
        await clients.close()
    assert restart_done.is_set()
    for (name, expected), out in zip(scenarios, outs, strict=True):
        assert out["audit"]["verified"] is True, name
        assert comparable(out) == comparable(expected), name

    # nothing duplicated: one audit record per seq, no fact twice under one idempotency key
    for service in ("nomination", "voting", "approval"):
        probe = SqlProbe(postgres_url, service)
        assert probe.count("SELECT count(*) FROM (SELECT election_id, seq FROM audit_records "
                           "GROUP BY election_id, seq HAVING count(*) > 1) d") == 0, service
        assert probe.count("SELECT count(*) FROM audit_heads h WHERE h.seq <> (SELECT count(*) "
                           "FROM audit_records r WHERE r.election_id = h.election_id)") == 0

    # observability of the processes: metrics, readiness
    async with httpx.AsyncClient(timeout=10) as http:
        for name, port in stack.metrics_ports.items():
            assert (await http.get(f"http://127.0.0.1:{port}/readyz")).status_code == 200, name
            text = (await http.get(f"http://127.0.0.1:{port}/metrics")).text
            if name in ("nomination", "voting", "approval"):
                assert "gongtui_rpc_duration_seconds_bucket" in text, name
            else:
                assert "gongtui_activity_duration_seconds" in text, name
        api = f"http://{stack.settings.host}:{stack.settings.api_port}"
        assert "gongtui_http_request_duration_seconds" in (await http.get(f"{api}/metrics")).text
        assert (await http.get(f"{api}/readyz")).status_code == 200
    # the workers recorded step durations of the elections they ran
    async with httpx.AsyncClient(timeout=10) as http:
        texts = [(await http.get(f"http://127.0.0.1:{port}/metrics")).text
                 for name, port in stack.metrics_ports.items() if name.startswith("worker")]
    assert any("gongtui_workflow_step_duration_seconds_count" in t for t in texts)
    # JSON logs carrying election IDs
    lines = [json.loads(line) for line in
             (stack.log_dir / "nomination.log").read_text().splitlines() if line.startswith("{")]
    assert lines and all("ts" in x and "level" in x for x in lines)
