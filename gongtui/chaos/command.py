"""``gongtui chaos``: the fault campaign from the command line, its JSON in bench/results."""

from __future__ import annotations

import asyncio
import json
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from gongtui.chaos.campaign import Campaign, cleanup, plan_runs, suite_cases
from gongtui.chaos.topology import Topology
from gongtui.machine import machine

console = Console(stderr=True)
ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SCENARIOS = ROOT / "tests" / "scenarios"
DEFAULT_POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"


def summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The campaign's figures: runs, identical ones, ballots lost and twice, per fault."""
    faults = Counter(f"{r['fault']}:{r['component']}" for r in runs)
    failed = [r["run"] for r in runs if not passed(r)]
    return {"runs": len(runs), "identical": sum(1 for r in runs if r["identical"]),
            "lost": sum(r["lost"] for r in runs), "duplicated": sum(r["duplicated"] for r in runs),
            "failed_runs": failed, "errors": sum(1 for r in runs if r.get("error")),
            "faults": dict(sorted(faults.items())),
            "watchdog_kills": sum(r.get("watchdog_kills", 0) > 0 for r in runs),
            # runs whose fault came once the driver had finished (its moment was past the end)
            "after_end": sum(1 for r in runs if r.get("after_end")),
            "seconds_per_run": round(sum(r["seconds"] for r in runs) / len(runs), 1)
            if runs else 0.0}


def passed(run: dict[str, Any]) -> bool:
    return bool(run["identical"]) and run["lost"] == 0 and run["duplicated"] == 0 \
        and not run.get("error")


async def _database(server: str, action: str, name: str) -> None:
    import asyncpg
    from sqlalchemy.engine import make_url

    url = make_url(server)
    conn = await asyncpg.connect(host=url.host or "127.0.0.1", port=url.port or 5432,
                                 user=url.username, password=url.password,
                                 database=url.database or "postgres", timeout=10)
    try:
        if action == "create":
            await conn.execute(f'CREATE DATABASE "{name}"')
        else:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def chaos(
    runs: Annotated[int, typer.Option(help="runs, one fault each")] = 20,
    seed: Annotated[int, typer.Option(help="draws every scenario, fault and moment")] = 1,
    database: Annotated[str, typer.Option(help="sqlite | postgresql")] = "sqlite",
    json_out: Annotated[Path | None, typer.Option(
        "--json", help="the result (default bench/results/chaos-<database>-<time>.json)")] = None,
    scenarios: Annotated[Path, typer.Option(help="a folder of scenario YAML files")] =
        DEFAULT_SCENARIOS,
    generated: Annotated[int, typer.Option(help="generated scenarios added to them")] = 2,
    minutes: Annotated[float, typer.Option(
        help="stop starting runs after this long (0: no limit); the JSON says so")] = 0.0,
    postgres_url: Annotated[str, typer.Option(
        envvar="GONGTUI_TEST_DATABASE_URL",
        help="the PostgreSQL server (a database is made for the campaign and dropped after)"
    )] = DEFAULT_POSTGRES,
    work: Annotated[Path | None, typer.Option(
        help="the stack's data folder and each run's files (default: a temporary folder, "
             "kept when a run fails)")] = None,
) -> None:
    """Play scenarios on the supervised topology (``gongtui up``) with one fault per run —
    SIGKILL or SIGSTOP of a component, a service's PostgreSQL connections cut, or a power cut
    of the whole stack and ``simulate --resume`` — and hold every run to the fault-free outcome
    and its ballot box to the audit bundle. Exit 1 when a run differs, loses or duplicates a
    ballot, or fails (docs/chaos.md)."""
    if database not in ("sqlite", "postgresql"):
        raise typer.BadParameter("sqlite or postgresql", param_hint="--database")
    if runs < 1:
        raise typer.BadParameter("at least 1", param_hint="--runs")
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    out = json_out or ROOT / "bench" / "results" / f"chaos-{database}-{stamp}.json"
    folder = work or Path(tempfile.mkdtemp(prefix="gongtui-chaos-"))
    folder.mkdir(parents=True, exist_ok=True)
    db_name = ""
    database_url = ""
    if database == "postgresql":
        from sqlalchemy.engine import make_url

        db_name = f"gongtui_chaos_{uuid.uuid4().hex[:10]}"
        asyncio.run(_database(postgres_url, "create", db_name))
        database_url = make_url(postgres_url).set(database=db_name).render_as_string(
            hide_password=False)
    cases = suite_cases(scenarios, generated, seed, folder)
    plans = plan_runs(cases, runs, seed, database)
    top = Topology(folder / "data", folder / "up.console", database_url)
    began = time.monotonic()
    deadline = began + minutes * 60 if minutes > 0 else None
    result: dict[str, Any] = {
        "benchmark": "chaos", "database": database, "seed": seed, "runs_asked": runs,
        "scenarios": str(scenarios), "generated": generated, "work": str(folder),
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(), "runs": [], "summary": {}}

    def write() -> None:
        result["summary"] = summary(result["runs"])
        result["wall_seconds"] = round(time.monotonic() - began, 1)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")

    async def main() -> None:
        campaign = Campaign(top, folder, database, seed, deadline, log=console.print)
        result["up_seconds"] = round(await asyncio.to_thread(top.start), 1)
        console.print(f"chaos: {runs} runs, seed {seed}, {database}; up pid "
                      f"{top.proc and top.proc.pid}, work in {folder}")
        for i, plan in enumerate(plans, 1):
            if deadline is not None and time.monotonic() > deadline:
                result["stopped_early"] = (f"the {minutes:g}-minute limit: {i - 1} of {runs} "
                                           f"runs played")
                break
            record = await campaign.run(i, plan)
            record["seed"] = seed
            result["runs"].append(record)
            write()
            mark = "ok" if passed(record) else "FAILED"
            console.print(f"run {i}/{runs} {plan.case.key} {record['fault']} "
                          f"{record['component']} at {record['at']}s: {mark} "
                          f"({record['seconds']}s)"
                          + (f" — {record['error'][:300]}" if record.get("error") else ""))
        result["references"] = {k: {"seconds": round(r.seconds, 1), "ballots": r.ballots,
                                    "status": r.output.get("status"), "problems": r.problems}
                                for k, r in campaign.references.items()}

    try:
        asyncio.run(main())
    finally:
        top.stop()
        if db_name:
            try:
                asyncio.run(_database(postgres_url, "drop", db_name))
            except Exception as exc:  # noqa: BLE001 - said, not fatal to the result
                console.print(f"the campaign's database {db_name} was not dropped: {exc}")
        write()
    s = result["summary"]
    ok = bool(result["runs"]) and not s["failed_runs"]
    cleanup(folder, keep=work is not None or not ok)
    console.print(f"chaos: {s['identical']}/{s['runs']} identical, {s['lost']} lost, "
                  f"{s['duplicated']} duplicated → {out}")
    if not ok:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("chaos")(chaos)


__all__ = ["chaos", "register"]
