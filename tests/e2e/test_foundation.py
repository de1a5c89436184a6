"""A named scenario through all eight steps on a real Temporal dev server,
real gRPC sockets and real SQLite files, the output JSON exactly as docs/scenarios.md defines it;
and the same election surviving a SIGKILLed worker in step 4."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from gongtui.runner import play_scenario
from gongtui.simulate.scenario import load
from gongtui.stack import EmbeddedStack
from proto import common_pb2, nomination_pb2
from tests.conftest import service_probe
from tests.paths import SCENARIOS

pytestmark = pytest.mark.stack


def expected(name: str) -> dict[str, Any]:
    return json.loads((SCENARIOS / f"{name}.expected.json").read_text(encoding="utf-8"))


def comparable(out: dict[str, Any]) -> dict[str, Any]:
    out = dict(out)
    out.pop("election_id", None)
    out["audit"] = {k: v for k, v in out["audit"].items() if k != "head"}
    return out


def test_simulate_cli_plays_foundation_scenario(stack_env: dict[str, str], tmp_path: Path) -> None:
    out_file = tmp_path / "out.json"
    proc = subprocess.run(
        [sys.executable, "-m", "gongtui.cli", "simulate", str(SCENARIOS / "foundation.yaml"),
         "--json", str(out_file)],
        env=stack_env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(out_file.read_text(encoding="utf-8"))
    assert out["audit"]["head"].startswith("sha256:")
    assert out["audit"]["verified"] is True
    assert comparable(out) == comparable(expected("foundation"))


async def test_worker_killed_in_step_4_election_completes(stack: EmbeddedStack) -> None:
    scenario = load(SCENARIOS / "foundation.yaml")
    killed = asyncio.Event()

    def on_status(status: Any) -> None:
        if not killed.is_set() and status.step == 4 and status.waiting is not None:
            stack.kill("worker")  # SIGKILL: no graceful shutdown, no flushing
            killed.set()

    async def restart_later() -> None:
        await killed.wait()
        await asyncio.sleep(2)
        await stack.restart("worker")

    restarter = asyncio.create_task(restart_later())
    out = await asyncio.wait_for(play_scenario(scenario, stack.settings, progress=on_status), 300)
    await restarter
    assert killed.is_set()
    assert comparable(out) == comparable(expected("foundation"))


async def test_same_key_twice_writes_one_row(stack: EmbeddedStack) -> None:
    from proto import nomination_pb2_grpc
    from services.common.clients import open_channel

    election = nomination_pb2.Election(election_id="idem-1", community_id="idem",
                                       community_name="幂等社区", org_type="branch")
    # only a worker creates an election (its ID is deterministic): the test plays the workflow
    async with open_channel(stack.settings.nomination_address, stack.settings_of("worker"),
                            "nomination") as channel:
        stub = nomination_pb2_grpc.NominationStub(channel)
        for _ in range(2):
            await stub.CreateElection(nomination_pb2.CreateElectionRequest(
                idempotency_key="idem-create", actor=common_pb2.Actor(role="system"),
                election=election))
    async with open_channel(stack.settings.nomination_address, stack.settings,
                            "nomination") as channel:
        stub = nomination_pb2_grpc.NominationStub(channel)
        actor = common_pb2.Actor(role="community_office", scope="community:idem")
        request = nomination_pb2.ImportRosterRequest(
            idempotency_key="idem-roster", actor=actor, election_id="idem-1",
            people=[nomination_pb2.Person(person_id="p1", name="甲", status="full")])
        first = await stub.ImportRoster(request)
        second = await stub.ImportRoster(request)
        assert first == second
    db = service_probe(stack.settings, "nomination")  # SQLite file or PostgreSQL schema
    tables = set(db.tables())
    people_table = next(t for t in tables if t in ("people", "roster", "persons", "roster_people"))
    count = db.count(f"select count(*) from {people_table} where election_id='idem-1'")
    keys = db.count("select count(*) from idempotency_keys where key='idem-roster'")
    audits = db.count("select count(*) from audit_records where election_id='idem-1' "
                      "and kind like 'roster%'")
    assert (count, keys, audits) == (1, 1, 1)
