"""``gongtui bench district``: a district run and, on the same Temporal server in the same run, a
no-op baseline of the same number of workflows and activities with empty bodies (run by the
bench's own worker in this process, gongtui/bench/noop.py); both, their ratio, a per-process
CPU profile and the machine go to ``bench/results/district-*.json``.

The elections run their activities as local activities (workflows/election/workflows.py): the
``baseline`` runs as many local no-op activities where the district ran local ones (like for
like, ``ratio``); ``baseline_regular`` runs every activity as a regular one, the baseline of the
results recorded before the switch (``ratio_vs_regular``)."""

from __future__ import annotations

import asyncio
import json
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from gongtui.bench import bench_app

console = Console(stderr=True)


def _cpu(pids: dict[str, int]) -> dict[str, float]:
    import psutil

    out = {}
    for name, pid in pids.items():
        try:
            proc = psutil.Process(pid)
            total = 0.0
            for p in [proc, *proc.children(recursive=True)]:
                t = p.cpu_times()
                total += t.user + t.system
            out[name] = total
        except psutil.NoSuchProcess:
            out[name] = 0.0
    return out


def _own_cpu() -> float:
    import psutil

    t = psutil.Process().cpu_times()
    return t.user + t.system


async def _per_workflow_activities(client: Any, ids: list[str]) -> list[tuple[int, int]]:
    """(regular, local) activity executions per workflow."""
    from gongtui.runner import count_executions

    gate = asyncio.Semaphore(16)

    async def one(wid: str) -> tuple[int, int]:
        async with gate:
            return await count_executions(client, [wid], concurrency=1)

    return list(await asyncio.gather(*(one(w) for w in ids)))


async def bench(communities: int, seed: int, calibrate: str | None, day_seconds: float,
                ballots: str, overrides: dict[str, Any]) -> dict[str, Any]:
    from temporalio.client import Client
    from temporalio.worker import Worker

    from core.ids import district_workflow_id, election_workflow_id
    from gongtui.bench.noop import (
        NOOP_TASK_QUEUE,
        NoopChildResult,
        NoopCommunityWorkflow,
        NoopDistrictInput,
        NoopDistrictWorkflow,
        noop,
    )
    from gongtui.demo.generation import generate_district
    from gongtui.machine import machine
    from gongtui.runner import RssSampler, run_district
    from gongtui.stack import EmbeddedStack, embedded_settings

    scenarios = generate_district(communities, seed, calibrate)
    with tempfile.TemporaryDirectory(prefix="gongtui-bench-") as tmp:
        settings = embedded_settings(Path(tmp), **overrides)
        stack = EmbeddedStack(settings, components=("temporal", "nomination", "voting",
                                                    "approval", "worker"))
        try:
            await stack.start()
            pids = {name: p.pid for name, p in stack.procs.items()}
            client = await Client.connect(settings.temporal_address,
                                          namespace=settings.temporal_namespace)
            # ---- the district ----
            rss = RssSampler(lambda: list(pids.values()))
            rss.start()
            cpu0, own0 = _cpu(pids), _own_cpu()
            console.print(f"district: {communities} communities …")
            outcome = await run_district(scenarios, settings, day_seconds=day_seconds,
                                         ballots=ballots, refresh_seconds=10.0)
            cpu1, own1 = _cpu(pids), _own_cpu()
            peak = await rss.stop()
            result = outcome.result
            child_ids = [election_workflow_id(c.election_id) for c in result.children]
            counts = await _per_workflow_activities(client, child_ids)
            parent = await _per_workflow_activities(client, [district_workflow_id(
                outcome.district_id)])
            district = {
                "elapsed_s": result.report["elapsed_s"], "wall_s": round(outcome.wall_s, 2),
                "completed": result.completed, "failed": result.failed,
                "workflows": len(child_ids) + 1,
                "activities": sum(r + n for r, n in counts) + sum(parent[0]),
                "local_activities": sum(n for _, n in counts) + parent[0][1],
                "peak_rss_mb": peak,
                "cpu_s": {k: round(cpu1[k] - cpu0[k], 1) for k in pids}
                | {"driver (this process)": round(own1 - own0, 1)},
            }
            console.print(f"district: {district}")
            # ---- the no-op baselines: same server, same workflows and activities, run by
            # the bench's own worker (in this process, with the production worker's limits)
            async def baseline_run(name: str, inp: NoopDistrictInput) -> dict[str, Any]:
                console.print(f"{name}: no-op workflows and activities …")
                cpu0, own0 = _cpu(pids), _own_cpu()
                t0 = time.monotonic()
                res: list[NoopChildResult] = await client.execute_workflow(
                    NoopDistrictWorkflow.run, inp, id=f"noop-district-{inp.district_id}",
                    task_queue=NOOP_TASK_QUEUE)
                wall = time.monotonic() - t0
                cpu1 = _cpu(pids) | {"noop worker (this process)": _own_cpu() - own0}
                cpu0["noop worker (this process)"] = 0.0
                starts = [datetime.fromisoformat(r.started_at) for r in res]
                ends = [datetime.fromisoformat(r.ended_at) for r in res]
                out = {
                    "elapsed_s": round((max(ends) - min(starts)).total_seconds(), 2),
                    "wall_s": round(wall, 2), "workflows": len(res) + 1,
                    "activities": sum(r.activities + r.local_activities for r in res)
                    + inp.parent_activities,
                    "local_activities": sum(r.local_activities for r in res),
                    "cpu_s": {k: round(cpu1[k] - cpu0[k], 1) for k in cpu1},
                }
                console.print(f"{name}: {out}")
                return out

            noop_worker = Worker(
                client, task_queue=NOOP_TASK_QUEUE,
                workflows=[NoopCommunityWorkflow, NoopDistrictWorkflow], activities=[noop],
                max_cached_workflows=settings.max_cached_workflows,
                max_concurrent_activities=settings.max_concurrent_activities,
                max_concurrent_local_activities=settings.max_concurrent_activities)
            async with noop_worker:
                # like for like: local activities where the district ran local ones
                baseline = await baseline_run("baseline", NoopDistrictInput(
                    outcome.district_id, [r for r, _ in counts], sum(parent[0]),
                    [n for _, n in counts]))
                # every activity a regular one (the baseline of results before local activities)
                regular = await baseline_run("baseline_regular", NoopDistrictInput(
                    f"{outcome.district_id}-regular", [r + n for r, n in counts],
                    sum(parent[0])))
        finally:
            stack.stop()
    ratio = district["elapsed_s"] / baseline["elapsed_s"] if baseline["elapsed_s"] else None
    ratio_regular = (district["elapsed_s"] / regular["elapsed_s"]
                     if regular["elapsed_s"] else None)
    return {
        "benchmark": "district", "at": datetime.now().astimezone().isoformat(timespec="seconds"),
        "command": (f"gongtui bench district --communities {communities} --seed {seed}"
                    + (f" --calibrate {calibrate}" if calibrate else "")
                    + f" --day-seconds {day_seconds}"),
        "communities": communities, "seed": seed, "calibrate": calibrate,
        "day_seconds": day_seconds, "ballots": ballots, "settings": overrides,
        "district": district, "baseline": baseline, "baseline_regular": regular,
        "ratio": round(ratio, 3) if ratio else None,
        "ratio_vs_regular": round(ratio_regular, 3) if ratio_regular else None,
        "target_ratio": 1.5,
        "machine": machine(),
    }


@bench_app.command("district")
def district_cmd(
    communities: Annotated[int, typer.Option(help="how many communities")] = 363,
    seed: Annotated[int, typer.Option(help="random seed of the generated district")] = 2009,
    calibrate: Annotated[str | None, typer.Option(help="nanjing-2009 or none")] = "nanjing-2009",
    day_seconds: Annotated[float, typer.Option(help="one day, in seconds")] = 0.01,
    ballots: Annotated[str, typer.Option(help="paper | electronic")] = "paper",
    max_concurrent_activities: Annotated[int, typer.Option(help="worker activity slots")] = 200,
    max_cached_workflows: Annotated[int, typer.Option(help="worker workflow cache")] = 1000,
    out: Annotated[Path, typer.Option(help="results folder")] = Path("bench/results"),
) -> None:
    """District run vs a no-op baseline of the same workflows and activities."""
    if calibrate in ("", "none"):
        calibrate = None
    overrides = {"max_concurrent_activities": max_concurrent_activities,
                 "max_cached_workflows": max_cached_workflows}
    result = asyncio.run(bench(communities, seed, calibrate, day_seconds, ballots, overrides))
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"district-{communities}-{datetime.now().strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    console.print(f"ratio {result['ratio']} (district {result['district']['elapsed_s']} s / "
                  f"baseline {result['baseline']['elapsed_s']} s; "
                  f"{result['ratio_vs_regular']} against all-regular activities, "
                  f"{result['baseline_regular']['elapsed_s']} s) → {path}")
