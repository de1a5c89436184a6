"""``gongtui bench console``: the server time of the district dashboard and of the meeting desk
while a generated district runs (``gongtui demo``'s machinery: one DistrictElectionWorkflow,
every community's acts played through the services), p50 / p95 over ``--requests`` each.

An embedded stack with the API; the district's places and elections written to the API's
database (gongtui/demo/console.py), so the dashboard lists the elections the district
workflow runs; one console session of the district admin. The dashboard is asked with its
filters in turn (all, each street, each step, later pages); the desk of every community in
turn. Server time is the page's own ``Server-Timing: app;dur=`` (the handler, from the
request read to the page rendered); the round trip on loopback is recorded beside it. The
goal: dashboard p95 ≤ 150 ms. Results in ``bench/results/console-*.json`` with the machine.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import re
import tempfile
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from gongtui.bench import bench_app

console = Console(stderr=True)
GOAL_P95_MS = 150.0
TIMING = re.compile(r"app;dur=([0-9.]+)")
NO_STATUS = re.compile(r'class="label">无流程</text>\s*<rect[^>]*>(?:</rect>)?\s*<text[^>]*>(\d+)<')


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = max(0, min(len(ordered) - 1, round(q * (len(ordered) - 1))))
    return round(ordered[k], 1)


def summary(server: list[float], wall: list[float]) -> dict[str, Any]:
    return {"requests": len(server), "server_ms": {"p50": percentile(server, 0.5),
                                                   "p95": percentile(server, 0.95),
                                                   "max": round(max(server), 1)},
            "round_trip_ms": {"p50": percentile(wall, 0.5), "p95": percentile(wall, 0.95)}}


async def timed(http: Any, path: str, params: dict[str, Any] | None = None
                ) -> tuple[float, float, str]:
    t0 = time.perf_counter()
    r = await http.get(path, params=params)
    wall = (time.perf_counter() - t0) * 1000
    if r.status_code != 200:
        raise RuntimeError(f"{path} {params}: {r.status_code} {r.text[:300]}")
    found = TIMING.search(r.headers.get("server-timing", ""))
    if found is None:
        raise RuntimeError(f"{path}: no Server-Timing header")
    return float(found.group(1)), wall, r.text


def measure(base: str, cookies: dict[str, str], calls: list[tuple[str, dict[str, Any]]],
            pause_s: float) -> list[tuple[float, float]]:
    """(server ms, round trip ms) of each call, one after the other. Run in a process of its
    own: the bench's event loop is busy playing every community's acts, and a request queued
    behind them would time the driver, not the page."""
    import httpx

    out = []
    with httpx.Client(base_url=base, cookies=cookies, timeout=60) as http:
        for path, params in calls:
            t0 = time.perf_counter()
            r = http.get(path, params=params)
            wall = (time.perf_counter() - t0) * 1000
            found = TIMING.search(r.headers.get("server-timing", ""))
            if r.status_code != 200 or found is None:
                raise RuntimeError(f"{path} {params}: {r.status_code} {r.text[:300]}")
            out.append((float(found.group(1)), wall))
            time.sleep(pause_s)
    return out


async def progress(client: Any, district_id: str) -> dict[str, Any]:
    from temporalio.service import RPCError

    from core.ids import district_workflow_id
    from workflows.district.workflows import DistrictElectionWorkflow

    try:
        p = await client.get_workflow_handle(district_workflow_id(district_id)).query(
            DistrictElectionWorkflow.progress)
    except RPCError:  # not started yet
        return {"status": "starting", "completed": 0, "failed": 0, "running_per_step": {}}
    return {"status": p.status, "completed": p.completed, "failed": p.failed,
            "running_per_step": {str(k): v for k, v in sorted(p.per_step.items())}}


async def bench(communities: int, seed: int, requests: int, day_seconds: float,
                pause_s: float, data_dir: Path | None = None,
                start_s: float = 240.0, desk_requests: int = 0) -> dict[str, Any]:
    import httpx
    from temporalio.client import Client

    from gongtui.demo.console import admin_token, register_district, sign_in
    from gongtui.demo.generation import generate_district
    from gongtui.runner import run_district
    from gongtui.stack import EmbeddedStack, embedded_settings

    desk_requests = desk_requests or requests
    scenarios = generate_district(communities, seed, None)
    district_id = f"xw-{seed}-{uuid.uuid4().hex[:6]}"
    streets = sorted({str(sc["community"]["street"]) for sc in scenarios})
    with tempfile.TemporaryDirectory(prefix="gongtui-bench-console-") as tmp:
        if data_dir is not None:
            data_dir.mkdir(parents=True, exist_ok=True)
        settings = embedded_settings(data_dir or Path(tmp))
        stack = EmbeddedStack(settings)
        run: asyncio.Task[Any] | None = None
        try:
            await stack.start()
            eids = await register_district(settings, district_id, "玄武区", scenarios)
            token = await admin_token(settings, district_id)
            client = await Client.connect(settings.temporal_address,
                                          namespace=settings.temporal_namespace)
            base = f"http://{settings.host}:{settings.api_port}"
            async with httpx.AsyncClient(base_url=base, timeout=60) as http:
                await sign_in(http, token)
                console.print(f"district {district_id}: {communities} communities …")
                run = asyncio.create_task(run_district(
                    scenarios, settings, district_id=district_id, day_seconds=day_seconds,
                    name="玄武区", refresh_seconds=5.0))
                # every community's workflow started and its status read by the dashboard (the
                # projection's cold read, then its rounds), or --start-wait seconds
                t0 = time.monotonic()
                first_ms = None
                unread = communities
                while time.monotonic() - t0 < start_s:
                    server, _, text = await timed(http, "/console/dashboard")
                    first_ms = first_ms if first_ms is not None else server
                    found = NO_STATUS.search(text)
                    unread = int(found.group(1)) if found else 0
                    if unread == 0:
                        break
                    await asyncio.sleep(2.0)
                console.print(f"{time.monotonic() - t0:.0f} s to start; "
                              f"{unread} without a status read")
                await asyncio.sleep(2.0)
                at_start = await progress(client, district_id)
                load_start = os.getloadavg()
                console.print(f"measuring while the district runs: {at_start}")
                views: list[dict[str, Any]] = [{}]
                views += [{"street": s} for s in streets]
                views += [{"step": k} for k in range(1, 9)]
                views += [{"page": k} for k in range(2, 2 + max(1, communities // 50))]
                cookies = dict(http.cookies.items())
                dash_calls = [("/console/dashboard", views[i % len(views)])
                              for i in range(requests)]
                desk_calls: list[tuple[str, dict[str, Any]]] = [
                    (f"/console/desk/{eids[i % len(eids)]}", {}) for i in range(desk_requests)]
                spawn = multiprocessing.get_context("spawn")
                loop = asyncio.get_running_loop()
                with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as pool:
                    dash = await loop.run_in_executor(pool, measure, base, cookies,
                                                      dash_calls, pause_s)
                    desk = await loop.run_in_executor(pool, measure, base, cookies,
                                                      desk_calls, pause_s)
                dash_server, dash_wall = [a for a, _ in dash], [b for _, b in dash]
                desk_server, desk_wall = [a for a, _ in desk], [b for _, b in desk]
                # what the desk waits on, apart: the workflow's status query (the pause
                # banner) and the voting service's meetings, through their REST routes
                parts: dict[str, list[float]] = {"status_query": [], "meetings": []}
                rest = {"Authorization": f"Bearer {token}"}
                for i in range(0, requests, 4):
                    eid = eids[i % len(eids)]
                    for name, path in (("status_query", f"/api/v1/elections/{eid}"),
                                       ("meetings", f"/api/v1/elections/{eid}/meetings")):
                        t1 = time.perf_counter()
                        r = await http.get(path, headers=rest)
                        r.raise_for_status()
                        parts[name].append((time.perf_counter() - t1) * 1000)
                at_end = await progress(client, district_id)
                load_end = os.getloadavg()
                console.print(f"measured; the district: {at_end}")
            if run.done():
                raise RuntimeError("the district ended before the measurement did: "
                                   "measure with more communities or a longer --day-seconds")
        finally:
            if run is not None and not run.done():
                run.cancel()
                await asyncio.gather(run, return_exceptions=True)
            stack.stop()
    dash_summary = summary(dash_server, dash_wall)
    return {"communities": communities, "seed": seed, "day_seconds": day_seconds,
            "district_id": district_id, "streets": len(streets),
            "first_view_ms": first_ms, "without_status_at_start": unread, "district_at_start": at_start, "district_at_end": at_end,
            "load_average_1_5_15": {"start": [round(x, 2) for x in load_start],
                                    "end": [round(x, 2) for x in load_end]},
            "dashboard": dash_summary, "desk": summary(desk_server, desk_wall),
            "desk_parts_round_trip_ms": {k: {"requests": len(v), "p50": percentile(v, 0.5),
                                             "p95": percentile(v, 0.95)}
                                         for k, v in parts.items()},
            "goal": f"dashboard p95 <= {GOAL_P95_MS:g} ms",
            "goal_met": dash_summary["server_ms"]["p95"] <= GOAL_P95_MS}


@bench_app.command("console")
def console_cmd(
    communities: Annotated[int, typer.Option(help="communities of the generated district")] = 363,
    seed: Annotated[int, typer.Option(help="the generator's seed")] = 2009,
    requests: Annotated[int, typer.Option(help="requests per page")] = 200,
    desk_requests: Annotated[int, typer.Option(
        help="requests of the desk (default: --requests)")] = 0,
    day_seconds: Annotated[float, typer.Option(help="one day, in seconds")] = 0.2,
    pause: Annotated[float, typer.Option(help="seconds between two requests")] = 0.05,
    start_wait: Annotated[float, typer.Option(
        help="seconds to wait for every workflow to start and be read before measuring")] = 240.0,
    out_dir: Annotated[Path, typer.Option(help="where the result goes")] = Path("bench/results"),
    data_dir: Annotated[Path | None, typer.Option(
        help="keep the stack's databases and logs here (default: a temporary folder)")] = None,
) -> None:
    """Server time of the district dashboard and of the meeting desk while a district runs."""
    from gongtui.machine import machine

    if communities < 1 or requests < 1:
        raise typer.BadParameter("at least one community and one request")
    result = asyncio.run(bench(communities, seed, requests, day_seconds, pause, data_dir,
                               start_wait, desk_requests))
    now = datetime.now(UTC)
    report = {"benchmark": "console", "at": now.isoformat(timespec="seconds"),
              "command": f"gongtui bench console --communities {communities} --seed {seed} "
                         f"--requests {requests} --desk-requests {desk_requests or requests} "
                         f"--day-seconds {day_seconds} --start-wait {start_wait:g}",
              **result, "machine": machine()}
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"console-{now:%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    console.print_json(data={k: report[k] for k in ("dashboard", "desk", "goal_met")})
    console.print(f"result → {path}")
