"""``gongtui bench ballots``: the command, its flags and the result file."""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import grpc
import typer

from gongtui.bench import bench_app
from gongtui.bench.ballots.load import EchoFloor
from gongtui.bench.ballots.measure import run_database
from gongtui.bench.ballots.plumbing import ROOT
from gongtui.bench.ballots.report import summary_at_16
from gongtui.bench.ballots.storage import drop_postgres_database, postgres_database
from gongtui.machine import machine


@bench_app.command("ballots")
def ballots(
    clients: Annotated[str, typer.Option(help="concurrent clients, comma-separated")] = "1,16,64",
    databases: Annotated[str, typer.Option(help="sqlite,postgres")] = "sqlite,postgres",
    postgres_url: Annotated[str, typer.Option(
        envvar="GONGTUI_BENCH_POSTGRES_URL",
        help="PostgreSQL server (a fresh gongtui_test_bench_* database is made and dropped)")] =
        "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres",
    scale: Annotated[float, typer.Option(help="multiplies the ballots per measurement")] = 1.0,
    compare_single: Annotated[bool, typer.Option(
        help="also measure one commit per ballot (group commit off) at 16 clients")] = True,
    repeats: Annotated[int, typer.Option(
        min=1, help="pairs (echo, then the voting service) per measurement; the median counts")] = 3,
    out: Annotated[Path | None, typer.Option(help="result file (default bench/results/"
                                                  "ballots-<date>.json)")] = None,
) -> None:
    """Durable ballots per second through the voting service, beside the echo, the durable
    floor (the echo making one row per call durable) and the raw commit rate, with the CPU each
    call cost; fails on any lost or duplicated ballot."""
    clients_list = [int(c) for c in clients.split(",") if c]
    dbs = [d for d in databases.split(",") if d]

    def say(msg: str) -> None:
        typer.echo(msg, err=True)

    async def main() -> dict[str, Any]:
        result: dict[str, Any] = {
            "benchmark": "ballots", "at": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": machine(grpcio=grpc.__version__), "command": "gongtui bench ballots " + " ".join(sys.argv[3:]),
            "clients": clients_list, "goal": "16 clients: >= 80% of the echo ceiling, "
                                              "0 lost, 0 duplicated", "databases": []}
        echo = EchoFloor()
        await echo.start()
        try:
            with tempfile.TemporaryDirectory(prefix="gongtui-bench-") as tmp:
                work = Path(tmp)
                for db in dbs:
                    if db == "sqlite":
                        result["databases"].append(await run_database(
                            "sqlite", "", clients_list, scale, work, echo, say, compare_single,
                            repeats))
                    elif db == "postgres":
                        url = await postgres_database(postgres_url)
                        try:
                            result["databases"].append(await run_database(
                                "postgres", url, clients_list, scale, work, echo, say,
                                compare_single, repeats))
                        finally:
                            await drop_postgres_database(url)
                    else:
                        raise typer.BadParameter(f"unknown database {db!r}")
        finally:
            echo.stop()
        result["echo_per_s"], result["echo_server_cpu_us_per_call"] = echo.summary()
        return result

    result = asyncio.run(main())
    bad = [r for d in result["databases"] for r in d["runs"] if r["lost"] or r["duplicated"]
           or r["counted_returned"] != r["ballots"]]
    summary = summary_at_16(result)
    result["summary"] = summary
    path = out or ROOT / "bench" / "results" / (
        f"ballots-{datetime.now(UTC).strftime('%Y%m%d-%H%M%S')}.json")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    typer.echo(json.dumps(summary, indent=2))
    say(f"results → {path}")
    if bad:
        say(f"LOST OR DUPLICATED BALLOTS: {bad}")
