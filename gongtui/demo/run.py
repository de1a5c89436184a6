"""The demo's run: a generated district (or one calibrated on published figures) run by a
DistrictElectionWorkflow on the embedded stack, every community's human acts played through the
services; the live display while it runs, then the summary, the chart and the report read back
from the services' records."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.live import Live
from temporalio.client import Client

from core.ids import district_workflow_id, election_workflow_id
from gongtui.demo.calibrate import compare
from gongtui.demo.display import DistrictDisplay
from gongtui.demo.generation import generate_district
from gongtui.demo.report import print_summary, write_chart
from gongtui.machine import machine
from gongtui.runner import RssSampler, count_activities, ensure_stack, run_district
from workflows.district.workflows import DistrictElectionWorkflow


async def run_demo(communities: int, seed: int, ballots: str, day_seconds: float,
                   console: Console, data_dir: Path | None = None, *,
                   calibrate: str | None = None, chart: Path | None = None,
                   refresh_seconds: float = 5.0, live: bool = True,
                   stack_overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    scenarios = generate_district(communities, seed, calibrate)
    display = DistrictDisplay(scenarios)
    district_id = f"{'nj2009' if calibrate else 'xw'}-{seed}-{uuid.uuid4().hex[:6]}"
    stacks: list[Any] = []
    async with ensure_stack(data_dir=data_dir, log=console.print, stacks=stacks,
                            overrides=stack_overrides) as settings:
        rss = RssSampler(lambda: [pid for s in stacks for pid in s.pids()])
        rss.start()
        client = await Client.connect(settings.temporal_address,
                                      namespace=settings.temporal_namespace)

        async def watch_district() -> None:
            handle = client.get_workflow_handle(district_workflow_id(district_id))
            while True:
                await asyncio.sleep(2.0)
                try:
                    display.district = await handle.query(DistrictElectionWorkflow.progress)
                except Exception:  # not started yet, or between runs
                    pass

        watcher = asyncio.create_task(watch_district())
        run = asyncio.create_task(run_district(
            scenarios, settings, district_id=district_id, ballots=ballots,
            day_seconds=day_seconds, refresh_seconds=refresh_seconds,
            name="南京市 2009" if calibrate else "玄武区", progress=display.on_status))
        try:
            if live:
                with Live(display.render(), console=console, refresh_per_second=2) as view:
                    while not run.done():
                        view.update(display.render())
                        await asyncio.sleep(0.5)
                    view.update(display.render())
            outcome = await run
        finally:
            watcher.cancel()
            if not run.done():
                run.cancel()
        result = outcome.result
        ids = [district_workflow_id(district_id)] + [
            election_workflow_id(c.election_id) for c in result.children]
        activities = await count_activities(client, ids)
        peak = await rss.stop()

    report = dict(result.report)
    report.update({"district_id": district_id, "seed": seed, "calibrate": calibrate,
                   "ballots": ballots, "day_seconds": day_seconds,
                   "activities": activities, "peak_rss_mb": peak,
                   "wall_s": round(outcome.wall_s, 2), "district_runs": result.runs,
                   "machine": machine()})
    statuses = Counter(o["status"] for o in outcome.outputs)
    report["scenario_outputs"] = dict(statuses)
    if calibrate:
        report["calibration"] = compare(report, communities)
    print_summary(report, console)
    if chart is not None:
        write_chart(report, chart)
        report["chart"] = str(chart)
        console.print(f"chart → {chart}")
    return report


