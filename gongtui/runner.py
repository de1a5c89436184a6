"""Runs scenarios on a stack: the one configured when it is reachable, else an embedded one."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.config import Settings, get_settings
from core.ids import district_election_id
from gongtui.simulate.clients import Clients
from gongtui.simulate.driver import Play
from gongtui.simulate.report import build_output
from gongtui.stack import WITHOUT_API, EmbeddedStack, embedded_settings, stack_reachable
from services.common.lock import kernel_holders

log = logging.getLogger(__name__)
LOCAL_ACTIVITY_MARKER = "core_local_activity"
STACK_WAIT = 180.0  # seconds to wait for the configured folder's own stack to answer  # the marker a local activity's result is kept in


@asynccontextmanager
async def ensure_stack(settings: Settings | None = None, data_dir: Path | None = None,
                       log: Callable[[str], None] | None = None,
                       stacks: list[EmbeddedStack] | None = None,
                       overrides: dict[str, Any] | None = None) -> AsyncIterator[Settings]:
    """Yield settings of a reachable stack, starting an embedded one (and stopping it after)
    when the configured one does not answer. An embedded stack is appended to ``stacks`` (its
    processes are measured by the demo); ``overrides`` tune the embedded stack's settings."""
    settings = settings or get_settings()
    if await stack_reachable(settings) or await owned_stack_back(settings, log):
        yield settings
        return
    tmp = None
    if data_dir is None:
        tmp = tempfile.TemporaryDirectory(prefix="gongtui-")
        data_dir = Path(tmp.name)
    tuning: dict[str, Any] = {"max_cached_workflows": settings.max_cached_workflows,
                              "max_concurrent_activities": settings.max_concurrent_activities}
    tuning.update(overrides or {})
    own = embedded_settings(data_dir, **tuning)
    stack = EmbeddedStack(own, components=WITHOUT_API)
    if stacks is not None:
        stacks.append(stack)
    if log:
        log(f"no stack reachable at {settings.temporal_address}: starting an embedded one in "
            f"{data_dir}")
    try:
        await stack.start()
        yield own
    finally:
        stack.stop()
        if tmp is not None:
            tmp.cleanup()


async def owned_stack_back(settings: Settings, log: Callable[[str], None] | None = None,
                           timeout: float = STACK_WAIT) -> bool:
    """When the configured data folder is owned by a running stack (``gongtui up``: its lock
    is held) that does not answer yet — starting, or a component restarting — wait for it
    (``timeout`` seconds) rather than play on an embedded stack of our own. False when no
    stack owns the folder; a stack that stays silent is an error naming its owner."""
    lock = Path(settings.data_dir).resolve() / "gongtui.lock"
    holders = kernel_holders(lock) if lock.exists() else []
    if not holders:
        return False
    owner = f"the stack of PID {', '.join(map(str, holders))} in {lock.parent}"
    if log:
        log(f"{owner} does not answer yet: waiting for it (at most {timeout:.0f}s)")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        await asyncio.sleep(1.0)
        if await stack_reachable(settings):
            return True
    raise RuntimeError(f"{owner} did not answer within {timeout:.0f}s")


async def play_scenario(scenario: dict[str, Any], settings: Settings, clients: Clients | None = None,
                        ballots: str = "paper", day_seconds: float = 0.2,
                        election_id: str = "", progress: Any = None,
                        attach: bool = False, resume: bool = False) -> dict[str, Any]:
    """Play ``scenario`` and return its output (docs/scenarios.md). ``resume``: the election
    ``election_id`` exists already; play the rest of the scenario from where it stands."""
    own = clients is None
    if clients is None:
        clients = await Clients.connect(settings)
    try:
        play = Play(scenario, clients, settings, ballots=ballots, day_seconds=day_seconds,
                    election_id=election_id, progress=progress, attach=attach, resume=resume)
        await play.run()
        if play.restored:
            log.warning("resumed %s at %s", play.election_id, play.restored)
        out = await build_output(play)
        out["election_id"] = play.election_id
        return out
    finally:
        if own:
            await clients.close()


async def wait_reachable(settings: Settings, timeout: float) -> bool:
    """Whether the configured stack answers within ``timeout`` seconds (one started again
    after a power cut takes a moment to come up)."""
    deadline = time.monotonic() + timeout
    while not await stack_reachable(settings):
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(0.5)
    return True


def failed_output(scenario: dict[str, Any], error: str) -> dict[str, Any]:
    return {"scenario": scenario.get("name"), "status": "failed", "waiting_for": None,
            "error": error, "steps": [], "registrants": {}, "shortlist": {}, "inspected": {},
            "candidates": {}, "congress": {"sessions": [], "rounds": []}, "elected": {},
            "approvals": {}, "audit": {}}


async def play_many(scenarios: list[dict[str, Any]], settings: Settings, ballots: str = "paper",
                    day_seconds: float = 0.2, concurrency: int = 64,
                    progress: Callable[[int, Any], None] | None = None) -> list[dict[str, Any]]:
    clients = await Clients.connect(settings)
    gate = asyncio.Semaphore(concurrency)

    async def one(i: int, sc: dict[str, Any]) -> dict[str, Any]:
        async with gate:
            cb = (lambda st: progress(i, st)) if progress else None
            try:
                return await play_scenario(sc, settings, clients, ballots, day_seconds,
                                           progress=cb)
            except Exception as exc:  # one community's fault must not stop the district
                log.exception("scenario %s failed", sc.get("name"))
                return failed_output(sc, f"{type(exc).__name__}: {exc}")

    try:
        return list(await asyncio.gather(*(one(i, s) for i, s in enumerate(scenarios))))
    finally:
        await clients.close()


# ---- a whole district: DistrictElectionWorkflow starts the children, Play acts in each ----------
@dataclass
class DistrictOutcome:
    district_id: str
    result: Any                      # DistrictResult of the district workflow
    outputs: list[dict[str, Any]]    # one scenario output per community (docs/scenarios.md)
    wall_s: float


async def run_district(scenarios: list[dict[str, Any]], settings: Settings, *,
                       district_id: str = "", name: str = "", ballots: str = "paper",
                       day_seconds: float = 0.2, refresh_seconds: float = 5.0,
                       max_history_events: int = 4000,
                       progress: Callable[[int, Any], None] | None = None,
                       clients: Clients | None = None) -> DistrictOutcome:
    """Start a DistrictElectionWorkflow for ``scenarios`` (one community each) and play every
    community's human acts against the child the district started (``Play(attach=True)``)."""
    from core.ids import district_workflow_id
    from workflows.district.types import DistrictInput
    from workflows.district.workflows import DistrictElectionWorkflow

    district_id = district_id or f"d{uuid.uuid4().hex[:8]}"
    own = clients is None
    if clients is None:
        clients = await Clients.connect(settings)
    started = time.monotonic()
    try:
        plays = []
        for i, sc in enumerate(scenarios):
            cb = (lambda st, i=i: progress(i, st)) if progress else None
            plays.append(Play(sc, clients, settings, ballots=ballots, day_seconds=day_seconds,
                              election_id=district_election_id(district_id, sc["community"]["id"]),
                              district_id=district_id, progress=cb, attach=True))
        handle = await clients.temporal.start_workflow(
            DistrictElectionWorkflow.run,
            DistrictInput(district_id=district_id, name=name,
                          elections=[p.election_input() for p in plays], day_seconds=day_seconds,
                          refresh_seconds=refresh_seconds, max_history_events=max_history_events),
            id=district_workflow_id(district_id), task_queue=settings.task_queue)

        async def one(play: Play) -> dict[str, Any]:
            try:
                await play.run()
                out = await build_output(play)
                out["election_id"] = play.election_id
                return out
            except Exception as exc:  # one community's fault must not stop the district
                log.exception("community %s failed", play.scenario.get("name"))
                return failed_output(play.scenario, f"{type(exc).__name__}: {exc}")

        outputs = list(await asyncio.gather(*(one(p) for p in plays)))
        result = await handle.result()
        return DistrictOutcome(district_id, result, outputs, time.monotonic() - started)
    finally:
        if own:
            await clients.close()


async def count_executions(client: Any, workflow_ids: list[str],
                           concurrency: int = 16) -> tuple[int, int]:
    """Activity executions in every run of these workflows: (regular, local). A regular one is
    an ActivityTaskScheduled event, a local one the marker recording its result."""
    from temporalio.api.enums.v1 import EventType

    gate = asyncio.Semaphore(concurrency)

    async def runs(wid: str) -> list[str]:
        out = []
        async for w in client.list_workflows(f"WorkflowId = '{wid}'"):
            out.append(w.run_id)
        return out or [""]

    async def one(wid: str) -> tuple[int, int]:
        async with gate:
            regular = local = 0
            for run_id in await runs(wid):
                handle = client.get_workflow_handle(wid, run_id=run_id or None)
                history = await handle.fetch_history()
                for e in history.events:
                    if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
                        regular += 1
                    elif (e.event_type == EventType.EVENT_TYPE_MARKER_RECORDED
                          and e.marker_recorded_event_attributes.marker_name
                          == LOCAL_ACTIVITY_MARKER):
                        local += 1
            return regular, local

    counts = await asyncio.gather(*(one(w) for w in workflow_ids))
    return sum(r for r, _ in counts), sum(n for _, n in counts)


async def count_activities(client: Any, workflow_ids: list[str], concurrency: int = 16) -> int:
    """Activity executions, regular and local, in every run of these workflows."""
    return sum(await count_executions(client, workflow_ids, concurrency))


class RssSampler:
    """Peak resident memory of the stack's processes (and their children) plus this one."""

    def __init__(self, pids: Callable[[], list[int]], interval: float = 0.5):
        self.pids = pids
        self.interval = interval
        self.peak_mb = 0.0
        self._task: asyncio.Task[None] | None = None

    def sample(self) -> float:
        import psutil

        seen: set[int] = set()
        total = 0
        roots = [os.getpid(), *self.pids()]
        for pid in roots:
            try:
                proc = psutil.Process(pid)
                for p in [proc, *proc.children(recursive=True)]:
                    if p.pid in seen:
                        continue
                    seen.add(p.pid)
                    total += p.memory_info().rss
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
        mb = total / 1024 / 1024
        self.peak_mb = max(self.peak_mb, mb)
        return mb

    async def _loop(self) -> None:
        while True:
            self.sample()
            await asyncio.sleep(self.interval)

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop())

    async def stop(self) -> float:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self.sample()
        return round(self.peak_mb, 1)
