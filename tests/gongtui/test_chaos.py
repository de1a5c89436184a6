"""A short fault campaign (``gongtui chaos``) on the suite's database: a few seeded runs on the
supervised topology, one fault each (a component killed or hung, a power cut and resume),
every run's outcome identical to the fault-free one, no ballot lost, none twice, every
chain verified and every round recounted. The long campaigns are docs/chaos.md's."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gongtui.chaos.campaign import plan_runs, suite_cases
from gongtui.chaos.faults import draw, menu
from tests.paths import SCENARIOS
from tests.support.postgres import postgres_pass, server_url

ROOT = Path(__file__).resolve().parents[2]
RUNS, SEED = 5, 7
# two scenarios keep the fault-free references few: the happy path and one with electronic
# ballots of its own (every case is played with paper and with electronic ballots)
PICKED = ("foundation.yaml", "m3-m4-electronic-invalid.yaml")


def test_the_draws_follow_the_seed_and_cover_every_fault(tmp_path: Path) -> None:
    cases = suite_cases(SCENARIOS, 1, SEED, tmp_path)
    assert len(cases) == 2 * (len(list(SCENARIOS.glob("*.yaml"))) + 1)
    once = [(p.case.key, p.fault.as_dict()) for p in plan_runs(cases, 50, SEED, "postgresql")]
    again = [(p.case.key, p.fault.as_dict()) for p in plan_runs(cases, 50, SEED, "postgresql")]
    assert once == again
    assert {f for _, f, _ in menu("postgresql")} == {
        "kill", "stop", "pg_terminate", "power_cut"}
    assert "pg_terminate" not in {f for _, f, _ in menu("sqlite")}
    rng = random.Random(1)
    faults = [draw(rng, "sqlite", 10.0) for _ in range(400)]
    assert {f.fault for f in faults} == {"kill", "stop", "power_cut"}
    assert {f.component for f in faults if f.fault == "kill"} == {
        "temporal", "nomination", "voting", "approval", "worker", "api"}
    assert all(0.5 <= f.at <= 9.0 for f in faults)
    assert all(2.0 <= f.hold <= 25.0 for f in faults if f.fault == "stop")


@pytest.mark.stack
@pytest.mark.timeout(900)
def test_a_short_campaign_loses_nothing_and_changes_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "scenarios"
    folder.mkdir()
    for name in PICKED:
        shutil.copy(SCENARIOS / name, folder / name)
    database = "postgresql" if postgres_pass() else "sqlite"
    out = tmp_path / "chaos.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GONGTUI_TEST_DATABASE_URL": server_url()}
    done = subprocess.run(
        [sys.executable, "-m", "gongtui.cli", "chaos", "--runs", str(RUNS), "--seed", str(SEED),
         "--database", database, "--json", str(out), "--scenarios", str(folder),
         "--generated", "0", "--work", str(tmp_path / "work")],
        env=env, capture_output=True, text=True, timeout=840, cwd=tmp_path)
    said = done.stderr[-6000:]
    assert out.exists(), said
    result = json.loads(out.read_text(encoding="utf-8"))
    runs = result["runs"]
    assert len(runs) == RUNS, said
    for run in runs:
        assert run["identical"], (run, said)
        assert run["lost"] == 0 and run["duplicated"] == 0, run
        assert run["chains_verified"] and run["recount_agrees"], run
        assert not run.get("error"), run
    assert {"kill", "stop", "power_cut"} <= {r["fault"] for r in runs}, runs
    assert result["summary"]["identical"] == RUNS
    assert result["database"] == database and result["machine"]["cpus"]
    assert done.returncode == 0, said
