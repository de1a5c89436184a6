"""`gongtui bench ballots` end to end at a tiny scale: the voting service and the echo server
as their own processes, ballots cast over gRPC, counted afterwards, the result file written
with the figures the closing notes quote (the rates themselves are not asserted: speed is the
benchmark's business, not a unit test's)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.postgres import postgres_pass, server_url

pytestmark = pytest.mark.timeout(300)


def test_bench_ballots_counts_every_ballot(tmp_path: Path) -> None:
    out = tmp_path / "ballots.json"
    databases = "sqlite,postgres" if postgres_pass() else "sqlite"
    run = subprocess.run(
        [sys.executable, "-m", "gongtui.cli", "bench", "ballots", "--clients", "1,4",
         "--databases", databases, "--postgres-url", server_url(), "--scale", "0.05",
         "--repeats", "2", "--out", str(out)],
        capture_output=True, text=True, timeout=280)
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["machine"]["cpus"] >= 1
    assert set(result["echo_per_s"]) == {"1", "4", "16"}  # 16: beside one commit per ballot
    assert [d["database"] for d in result["databases"]] == databases.split(",")
    for db in result["databases"]:
        assert db["raw_commits_per_s"] > 0
        modes = {(r["clients"], r["group_commit"]) for r in db["runs"]}
        assert modes == {(1, True), (4, True), (16, False)}
        for r in db["runs"]:
            assert r["lost"] == 0 and r["duplicated"] == 0
            assert r["counted_returned"] == r["stored"] == r["ballots"] > 0
            assert r["server_cpu_us_per_ballot"] > 0
            # measured in pairs, each beside the echo: the share is the median of the pairs
            assert r["repeats"] == 2 == len(r["vs_echo_pairs"]) == len(r["echo_per_s_pairs"])
            assert min(r["vs_echo_pairs"]) <= r["vs_echo"] <= max(r["vs_echo_pairs"])
            # the CPU accounting behind the shares: this process (the clients), the server's,
            # and the whole machine's
            assert r["client_cpu_us_per_ballot"] > 0 and r["echo_client_cpu_us_per_call"] > 0
            assert r["machine_busy_us_per_ballot"] > 0
            assert 0 <= r["machine_idle_share"] <= 1 and 0 <= r["echo_machine_idle_share"] <= 1
            assert r["cpu_bound_vs_echo"] > 0  # the share of the echo the machine's CPU allows
            if r["group_commit"]:
                # the durable floor measured beside each pair, on the same database
                assert len(r["durable_floor_per_s_pairs"]) == 2
                assert r["durable_floor_per_s"] > 0 and r["durable_floor_vs_echo"] > 0
                assert r["durable_floor_stored"] == r["ballots"]  # a row for every answer
                assert r["durable_floor_cpu_bound_vs_echo"] > 0
                assert min(r["vs_durable_floor_pairs"]) <= r["vs_durable_floor"] \
                    <= max(r["vs_durable_floor_pairs"])
            else:
                assert "durable_floor_per_s" not in r
