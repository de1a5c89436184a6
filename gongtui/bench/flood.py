"""``gongtui bench flood``: real casts through the API at a hall's rate, alone and then beside a
flood of random codes at ``--factor`` times that rate, and the real casts' latency both ways.

A voting service (SQLite, or the PostgreSQL of ``--database-url``) and the API run as their
own processes on loopback; this process is the hall and the flood. The hall casts real
one-time codes from 127.0.0.1 on an open-loop schedule (one cast every 1/rate s, whether the
previous one is answered or not, as phones do); the flood casts random codes from 127.0.0.2,
another client address of the loopback, on its own schedule. What guards the hall: the cast
rate per client address (429 past ``GONGTUI_CAST_RATE_LIMIT``), and behind it the ballot
box's bounded queue (503 past ``GONGTUI_BALLOT_BOX_MAX_PENDING``). The goal: the real casts'
p99 beside the flood within 2x of the quiet p99. Bounded: ``--seconds`` per phase, every
request with a timeout, every real ballot checked stored afterwards.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from gongtui.bench import bench_app
from gongtui.bench.ballots.load import Election
from gongtui.bench.ballots.plumbing import ROOT
from gongtui.bench.ballots.processes import Proc, start_voting, wait_port
from gongtui.machine import machine
from gongtui.stack import free_port

HALL, FLOOD = "127.0.0.1", "127.0.0.2"


async def start_api(voting: str, data_dir: Path, log: Path, cast_rate: str) -> Proc:
    port = free_port()
    env = dict(os.environ)
    env.update({"GONGTUI_API_PORT": str(port), "GONGTUI_HOST": HALL,
                "GONGTUI_VOTING_ADDRESS": voting, "GONGTUI_DATA_DIR": str(data_dir),
                "GONGTUI_DATABASE_URL": "", "GONGTUI_TEMPORAL_ADDRESS": "127.0.0.1:1",
                "GONGTUI_LOG_LEVEL": "WARNING", "GONGTUI_CAST_RATE_LIMIT": cast_rate})
    proc = subprocess.Popen([sys.executable, "-m", "gongtui.cli", "serve", "api"], env=env,  # noqa: ASYNC220
                            cwd=ROOT, stdout=open(log, "ab"), stderr=subprocess.STDOUT)  # noqa: SIM115, ASYNC230
    address = f"{HALL}:{port}"
    await wait_port(address, proc)
    return Proc(proc, address)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


async def schedule(rate: float, seconds: float, send: Any) -> list[Any]:
    """``send(i)`` at i / rate s for ``seconds`` (open loop); their results."""
    start = time.perf_counter()
    tasks = []
    for i in range(int(rate * seconds)):
        delay = start + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(send(i)))
    return list(await asyncio.gather(*tasks))


async def phase(api: str, round_id: str, codes: list[str], rate: float, seconds: float,
                flood_rate: float) -> dict[str, Any]:
    import httpx

    url = f"http://{api}/api/v1/ballots"
    hall = httpx.AsyncClient(timeout=10, limits=httpx.Limits(max_connections=200),
                             transport=httpx.AsyncHTTPTransport(local_address=HALL))

    async def real(i: int) -> tuple[float, int | str]:
        body = {"round_id": round_id, "code": codes[i],
                "marks": [{"person_id": "c-wang" if i % 2 else "c-zhao", "choice": "for"}]}
        t0 = time.perf_counter()
        try:
            r = await hall.post(url, json=body)
        except httpx.HTTPError as exc:
            return time.perf_counter() - t0, type(exc).__name__
        return time.perf_counter() - t0, r.status_code

    try:
        # warm-up (connections, first calls), unmeasured: a few unknown codes, below the rate
        for _ in range(5):
            await hall.post(url, json={"round_id": round_id, "code": secrets.token_urlsafe(24),
                                       "marks": []})
            await asyncio.sleep(0.1)
        # the flood from its own process: its client's work does not delay the hall's
        flooder = subprocess.Popen(  # noqa: ASYNC220
            [sys.executable, "-m", "gongtui.bench.flood", url, round_id, str(flood_rate),
             str(seconds)], cwd=ROOT, stdout=subprocess.PIPE) if flood_rate else None
        try:
            casts = await schedule(rate, seconds, real)
        finally:
            flood_statuses: dict[str, int] = {}
            if flooder is not None:
                output, _ = await asyncio.to_thread(flooder.communicate, timeout=seconds + 60)
                flood_statuses = json.loads(output or b"{}")
    finally:
        await hall.aclose()
    latencies = [t for t, status in casts if status == 201]
    return {
        "real_casts": len(casts), "real_accepted": len(latencies),
        "real_statuses": dict(Counter(str(s) for _, s in casts)),
        "p50_ms": round(percentile(latencies, 0.5) * 1000, 2),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 2),
        "mean_ms": round(statistics.fmean(latencies) * 1000, 2) if latencies else None,
        "flood_rate": flood_rate, "flood_sent": sum(flood_statuses.values()),
        "flood_statuses": flood_statuses}


@bench_app.command()
def flood(
    rate: Annotated[float, typer.Option(help="the hall's real casts per second")] = 10.0,
    factor: Annotated[float, typer.Option(help="the flood's rate, times the hall's")] = 10.0,
    seconds: Annotated[float, typer.Option(help="length of each phase")] = 15.0,
    repeats: Annotated[int, typer.Option(help="pairs of phases (quiet, flood)")] = 3,
    database_url: Annotated[str, typer.Option(help="PostgreSQL URL ('' = SQLite)")] = "",
    cast_rate_limit: Annotated[str, typer.Option(help="the API's cast rate per client")
                               ] = "30/second",
    out: Annotated[Path, typer.Option(help="results folder")] = ROOT / "bench" / "results",
) -> None:
    """Real casts at a hall's rate, quiet and beside a flood of random codes (loopback)."""
    if not (0 < rate <= 200 and 0 < factor <= 50 and 0 < seconds <= 120 and 0 < repeats <= 10):
        raise typer.BadParameter("bounded: 0 < rate <= 200, 0 < factor <= 50, "
                                 "0 < seconds <= 120, 0 < repeats <= 10")
    per_phase = int(rate * seconds)

    async def main() -> list[dict[str, Any]]:
        with tempfile.TemporaryDirectory(prefix="gongtui-flood-") as work:
            data = Path(work)
            voting = await start_voting(database_url, data / "voting", True, data / "voting.log")
            api: Proc | None = None
            election = Election(voting.address, per_phase)
            try:
                api = await start_api(voting.address, data / "api", data / "api.log",
                                      cast_rate_limit)
                await election.open()
                pairs: list[dict[str, Any]] = []
                for n in range(repeats):
                    pair: dict[str, Any] = {}
                    for name, flood_rate in (("quiet", 0.0), ("flood", rate * factor)):
                        round_id, codes, _ = await election.round(per_phase)
                        typer.echo(f"{n + 1}/{repeats} {name}: {per_phase} real casts at "
                                   f"{rate}/s" + (f" beside {flood_rate:.0f}/s random codes"
                                                  if flood_rate else ""))
                        pair[name] = await phase(api.address, round_id, codes, rate, seconds,
                                                 flood_rate)
                        pair[name]["load_average"] = [round(x, 2) for x in os.getloadavg()]
                        counted = await election.count(round_id)
                        pair[name]["stored"] = counted.returned
                        if counted.returned != pair[name]["real_accepted"]:
                            raise RuntimeError(f"{name}: {counted.returned} ballots stored for "
                                               f"{pair[name]['real_accepted']} receipts")
                    q, f = pair["quiet"]["p99_ms"], pair["flood"]["p99_ms"]
                    pair["p99_ratio"] = round(f / q, 2) if q else None
                    typer.echo(f"  quiet p50 {pair['quiet']['p50_ms']} p99 {q} ms; flood p50 "
                               f"{pair['flood']['p50_ms']} p99 {f} ms (x{pair['p99_ratio']});"
                               f" flood answered {pair['flood']['flood_statuses']}")
                    pairs.append(pair)
            finally:
                await election.close()
                if api is not None:
                    api.stop()
                voting.stop()
        return pairs

    pairs = asyncio.run(main())
    ratios = [p["p99_ratio"] for p in pairs if p["p99_ratio"] is not None]
    ratio = statistics.median(ratios) if ratios else None
    record = {
        "benchmark": "flood", "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": "postgresql" if database_url else "sqlite",
        "hall_rate": rate, "flood_factor": factor, "seconds_per_phase": seconds,
        "cast_rate_limit": cast_rate_limit, "repeats": repeats, "pairs": pairs,
        "median_p99_ratio": ratio,
        "goal": "flood p99 within 2x of quiet p99 (median over the pairs)",
        "goal_met": bool(ratio is not None and ratio <= 2 and all(
            p["flood"]["real_accepted"] == p["flood"]["real_casts"] for p in pairs)),
        "note": "each pair measured back to back on a shared 2-core VM; load_average is the "
                "machine's (other processes included) after each phase",
        "machine": machine()}
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"flood-{datetime.now(UTC).strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    typer.echo(f"median p99 ratio x{ratio} over {len(pairs)} pair(s); goal met: "
               f"{record['goal_met']}; {path}")


async def flood_client(url: str, round_id: str, rate: float, seconds: float) -> dict[str, int]:
    """The flood: random codes at ``rate`` per second from the flood's address; the statuses
    it was answered with."""
    import httpx

    statuses: Counter[str] = Counter()
    async with httpx.AsyncClient(timeout=10, limits=httpx.Limits(max_connections=200),
                                 transport=httpx.AsyncHTTPTransport(local_address=FLOOD)
                                 ) as client:
        async def fake(_: int) -> None:
            body = {"round_id": round_id, "code": secrets.token_urlsafe(24),
                    "marks": [{"person_id": "c-wang", "choice": "for"}]}
            try:
                r = await client.post(url, json=body)
                statuses[str(r.status_code)] += 1
            except httpx.HTTPError as exc:
                statuses[type(exc).__name__] += 1

        await schedule(rate, seconds, fake)
    return dict(statuses)


if __name__ == "__main__":  # the flood's process: URL ROUND_ID RATE SECONDS
    print(json.dumps(asyncio.run(flood_client(sys.argv[1], sys.argv[2], float(sys.argv[3]),
                                              float(sys.argv[4])))))
