"""Runs scenarios on a stack: the one configured when it is reachable, else an embedded one."""

from __future__ import annotations

import asyncio
import logging
import tempfile
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from gongtui.config import Settings, get_settings
from gongtui.simulate.driver import Clients, Play
from gongtui.simulate.report import build_output
from gongtui.stack import EmbeddedStack, embedded_settings, stack_reachable

log = logging.getLogger(__name__)


@asynccontextmanager
async def ensure_stack(settings: Settings | None = None, data_dir: Path | None = None,
                       log: Callable[[str], None] | None = None) -> AsyncIterator[Settings]:
    """Yield settings of a reachable stack, starting an embedded one (and stopping it after)
    when the configured one does not answer."""
    settings = settings or get_settings()
    if await stack_reachable(settings):
        yield settings
        return
    tmp = None
    if data_dir is None:
        tmp = tempfile.TemporaryDirectory(prefix="gongtui-")
        data_dir = Path(tmp.name)
    own = embedded_settings(data_dir, max_cached_workflows=settings.max_cached_workflows,
                            max_concurrent_activities=settings.max_concurrent_activities)
    stack = EmbeddedStack(own, components=("temporal", "nomination", "voting", "approval",
                                           "worker"))
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


async def play_scenario(scenario: dict[str, Any], settings: Settings, clients: Clients | None = None,
                        ballots: str = "paper", day_seconds: float = 0.2,
                        election_id: str = "", progress: Any = None,
                        attach: bool = False) -> dict[str, Any]:
    own = clients is None
    if clients is None:
        clients = await Clients.connect(settings)
    try:
        play = Play(scenario, clients, settings, ballots=ballots, day_seconds=day_seconds,
                    election_id=election_id, progress=progress, attach=attach)
        await play.run()
        out = await build_output(play)
        out["election_id"] = play.election_id
        return out
    finally:
        if own:
            await clients.close()


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
