"""The faults of a campaign: what can go wrong with one component of the topology, drawn from
the campaign's seeded generator, and how each is done to the process (by its PID only).

- ``kill``: SIGKILL of one child of ``gongtui up`` (the supervisor restarts it);
- ``stop``: SIGSTOP of one child for ``hold`` seconds, then SIGCONT (a hung process: past the
  supervisor's watchdog it is killed and restarted before the SIGCONT comes);
- ``pg_terminate``: ``pg_terminate_backend`` of every PostgreSQL connection of one service
  (found by its ``application_name``, ``gongtui-<service>``, in the campaign's database);
- ``power_cut``: SIGKILL of ``up`` (its children die with it) and of the scenario's driver,
  then ``gongtui up`` again on the same folder and ``gongtui simulate --resume``.
"""

from __future__ import annotations

import asyncio
import random
import signal
from dataclasses import asdict, dataclass
from typing import Any

import psutil

from gongtui.chaos.topology import CHILDREN, Topology

SERVICE_CHILDREN = ("nomination", "voting", "approval")
HOLD_RANGE = (2.0, 25.0)  # seconds a stopped child stays stopped (the watchdog acts at 15 s)


@dataclass
class Fault:
    component: str  # a child's name, or "stack" for a power cut
    fault: str  # kill | stop | pg_terminate | power_cut
    at: float = 0.0  # seconds after the scenario's driver started
    hold: float = 0.0  # stop: seconds stopped

    def as_dict(self) -> dict[str, Any]:
        return {k: (round(v, 2) if isinstance(v, float) else v) for k, v in asdict(self).items()}


def menu(database: str) -> list[tuple[str, str, int]]:
    """Every (component, fault, weight) a run can draw on ``database``: each one equally
    likely, except the power cut, which counts twice (it hits the whole stack)."""
    choices = [(c, "kill", 1) for c in CHILDREN] + [(c, "stop", 1) for c in CHILDREN]
    if database == "postgresql":
        choices += [(s, "pg_terminate", 1) for s in SERVICE_CHILDREN]
    return choices + [("stack", "power_cut", 2)]


def draw(rng: random.Random, database: str, expected_seconds: float) -> Fault:
    """One fault at a moment within the scenario's expected run time (its first 90 %)."""
    choices = menu(database)
    component, fault, _ = rng.choices(choices, weights=[w for *_, w in choices])[0]
    at = rng.uniform(0.05, 0.9) * max(1.0, expected_seconds)
    hold = rng.uniform(*HOLD_RANGE) if fault == "stop" else 0.0
    return Fault(component, fault, at, hold)


def signal_child(top: Topology, component: str, sig: int) -> int:
    """Send ``sig`` to the child ``component`` of ``up`` (its PID only); its PID."""
    child = top.children().get(component)
    if child is None:
        raise RuntimeError(f"{component} is not running under up (pid {top.proc and top.proc.pid})")
    child.send_signal(sig)
    return int(child.pid)


async def stop_for(top: Topology, component: str, hold: float) -> dict[str, Any]:
    """SIGSTOP ``component`` for ``hold`` seconds, then SIGCONT (if it still lives: the
    watchdog may have killed it meanwhile)."""
    pid = signal_child(top, component, signal.SIGSTOP)
    await asyncio.sleep(hold)
    try:
        proc = psutil.Process(pid)
        if proc.status() != psutil.STATUS_ZOMBIE:
            proc.send_signal(signal.SIGCONT)
            return {"pid": pid, "continued": True}
    except psutil.NoSuchProcess:
        pass
    return {"pid": pid, "continued": False}  # killed by the watchdog before the SIGCONT


async def pg_terminate(database_url: str, service: str) -> dict[str, Any]:
    """``pg_terminate_backend`` of every connection of ``service`` to the campaign's
    database; how many there were."""
    import asyncpg
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    conn = await asyncpg.connect(host=url.host or "127.0.0.1", port=url.port or 5432,
                                 user=url.username, password=url.password,
                                 database=url.database, timeout=10)
    try:
        rows = await conn.fetch(
            "SELECT pid, pg_terminate_backend(pid) AS done FROM pg_stat_activity "
            "WHERE application_name = $1 AND datname = current_database() "
            "AND pid <> pg_backend_pid()", f"gongtui-{service}")
    finally:
        await conn.close()
    return {"connections": len(rows), "terminated": sum(1 for r in rows if r["done"])}
