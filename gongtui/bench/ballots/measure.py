"""One database's measurements: the raw commits, then the voting service (group commits, and
optionally one commit per ballot) beside the echo and the durable floor, pair by pair."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from gongtui.bench.ballots.cpu import Usage
from gongtui.bench.ballots.load import EchoFloor, Election, cast_method, drive
from gongtui.bench.ballots.plumbing import pb_modules
from gongtui.bench.ballots.processes import Proc, start_voting
from gongtui.bench.ballots.report import run_record, share
from gongtui.bench.ballots.storage import raw_postgres_commits, raw_sqlite_commits, stored_receipts


# ----------------------------------------------------------------------------- the run
def ballots_for(clients: int, scale: float) -> int:
    return int({1: 2000, 16: 8000}.get(clients, 8000) * scale)


async def run_database(name: str, database_url: str, clients_list: list[int], scale: float,
                       work: Path, echo: EchoFloor, say: Any, compare_single: bool,
                       repeats: int) -> dict[str, Any]:
    _, voting_pb2, _ = pb_modules()
    data_dir = work / name
    data_dir.mkdir(parents=True, exist_ok=True)
    out: dict[str, Any] = {"database": name, "runs": []}
    if name == "sqlite":
        out["raw_commits_per_s"] = round(raw_sqlite_commits(data_dir / "raw.db", 3.0))
        out["settings"] = "journal_mode=WAL, synchronous=FULL"
    else:
        out["raw_commits_per_s"] = round(await raw_postgres_commits(database_url, 3.0))
        out["settings"] = "synchronous_commit=on, fsync=on"
    say(f"{name}: raw durable commits (1 row, 1 commit, 1 client): "
        f"{out['raw_commits_per_s']}/s")
    # the durable floor, on the same database as the voting service (its own table)
    floor = EchoFloor(f"sqlite:{data_dir / 'floor.db'}" if name == "sqlite" else database_url)
    await floor.start()
    modes = [True] + ([False] if compare_single else [])
    try:
        for group in modes:
            await _run_mode(name, database_url, data_dir, work, group, clients_list, scale,
                            repeats, echo, floor, out, say)
    finally:
        floor.stop()
    return out


async def _run_mode(name: str, database_url: str, data_dir: Path, work: Path, group: bool,
                    clients_list: list[int], scale: float, repeats: int, echo: EchoFloor,
                    floor: EchoFloor, out: dict[str, Any], say: Any) -> None:
    """One voting service (group commits, or one commit per ballot) through every measurement:
    each a round of ballots beside the echo (and the durable floor), repeated in pairs."""
    service = await start_voting(database_url, data_dir, group, work / f"voting-{name}.log")
    try:
        plan = [(c, ballots_for(c, scale)) for c in clients_list] if group else \
            [(16, ballots_for(16, scale))]
        election = Election(service.address, max(n for _, n in plan))
        await election.open()
        for clients, n in plan:
            pairs: list[dict[str, Any]] = []
            for _ in range(repeats):
                echo_m = await echo.measure(clients, n)
                # the durable floor beside the group commits (what they are compared with)
                floor_m = await floor.measure(clients, n) if group else None
                pairs.append(await _measure_voting(service, election, database_url,
                                                   data_dir, clients, n)
                             | {"echo": echo_m, "floor": floor_m})
            run = run_record(clients, group, out["raw_commits_per_s"], pairs)
            out["runs"].append(run)
            beside = (f"; the durable floor {run['durable_floor_per_s']}/s, "
                      f"{share(run['durable_floor_vs_echo'])} of the echo, the ballots "
                      f"{share(run['vs_durable_floor'])} of the floor") if group else ""
            say(f"{name}: {clients:>2} clients{'' if group else ', one commit per ballot'}: "
                f"{run['ballots_per_s']}/s ({share(run['vs_echo'])} of the echo beside it; "
                f"pairs {', '.join(share(r) for r in run['vs_echo_pairs'])}{beside}), "
                f"server CPU {run['server_cpu_us_per_ballot']} µs per ballot; at this CPU "
                f"per call the machine allows at most {share(run['cpu_bound_vs_echo'])} of "
                f"the echo" + (f" (the floor {share(run['durable_floor_cpu_bound_vs_echo'])})"
                               if group else "") + "; machine idle "
                f"{share(run['machine_idle_share'])} (at the echo "
                f"{share(run['echo_machine_idle_share'])}), lost {run['lost']}, "
                f"duplicated {run['duplicated']}, counted "
                f"{run['counted_returned']}/{run['ballots']}")
        await election.close()
    finally:
        service.stop()


async def _measure_voting(service: Proc, election: Election, database_url: str, data_dir: Path,
                          clients: int, n: int) -> dict[str, Any]:
    """One round of ``n`` ballots by ``clients`` callers, then counted and checked."""
    _, voting_pb2, _ = pb_modules()
    round_id, codes, candidates = await election.round(n)
    requests = election.requests(round_id, codes, candidates)
    usage = Usage(service.proc.pid)
    elapsed, responses = await drive(service.address, cast_method(), requests, clients,
                                     voting_pb2.CastBallotResponse)
    cpu = usage.per_call(n)
    counted = await election.count(round_id)
    acknowledged = [r.receipt for r in responses]
    stored = await asyncio.to_thread(stored_receipts, database_url, data_dir, round_id)
    lost = len(set(acknowledged) - set(stored))
    duplicated = len(stored) - len(set(stored)) + max(0, len(stored) - len(acknowledged))
    return {"ballots": n, "seconds": elapsed, "ballots_per_s": n / elapsed,
            "counted_returned": counted.returned, "stored": len(stored), "lost": lost,
            "duplicated": duplicated} | cpu
