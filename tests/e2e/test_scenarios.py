"""One scenario per edge path, each played by `gongtui simulate` on the
real stack (Temporal dev server, gRPC services on sockets, SQLite files) and compared with its
expected output. The histories of the finished elections are replayed with Temporal's Replayer
(determinism) and must match the ones committed under tests/workflows/replay/histories/."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from gongtui.stack import EmbeddedStack
from tests.paths import SCENARIOS

EDGE = sorted(p.stem for p in SCENARIOS.glob("*.yaml") if p.stem != "foundation")
# CI's PostgreSQL pass leaves this to tests/e2e/test_topology.py, which plays the same suite
# on PostgreSQL against the same expected outputs (through a restart of the voting service)
pytestmark = [pytest.mark.stack, pytest.mark.one_database]


def comparable(out: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in out.items() if k != "election_id"}
    out["audit"] = {k: v for k, v in out.get("audit", {}).items() if k != "head"}
    return out


@pytest.fixture(scope="module")
async def played(stack: EmbeddedStack, stack_env: dict[str, str],
                 tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[int, str, Path]]:
    """Every edge scenario through the CLI, concurrently (one process each)."""
    out_dir = tmp_path_factory.mktemp("scenario-out")

    async def one(name: str) -> tuple[str, tuple[int, str, Path]]:
        out = out_dir / f"{name}.json"
        ballots = "electronic" if "electronic" in name else "paper"
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "gongtui.cli", "simulate", str(SCENARIOS / f"{name}.yaml"),
            "--json", str(out), "--ballots", ballots, env=stack_env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        _, err = await asyncio.wait_for(proc.communicate(), 600)
        return name, (proc.returncode or 0, err.decode(errors="replace")[-3000:], out)

    return dict(await asyncio.gather(*(one(n) for n in EDGE)))


@pytest.mark.parametrize("name", EDGE)
def test_edge_scenario(name: str, played: dict[str, tuple[int, str, Path]]) -> None:
    code, err, path = played[name]
    assert path.exists(), err
    out = json.loads(path.read_text(encoding="utf-8"))
    expected = json.loads((SCENARIOS / f"{name}.expected.json").read_text(encoding="utf-8"))
    assert code == (1 if expected["status"] == "failed" else 0), err
    assert out["audit"].get("verified", True) is True
    assert comparable(out) == comparable(expected)


def test_every_edge_scenario_has_an_expected_output() -> None:
    for name in EDGE:
        assert (SCENARIOS / f"{name}.expected.json").exists(), name
