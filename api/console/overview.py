"""The district overview: what the dashboard shows of every election, kept by the API process.

A dashboard view is one read of this projection (plus the API database's election rows): no
Temporal call on the request path once an election is known. One refresher task per app reads
the workflows' ``status`` query in the background, at most ``PARALLEL`` at a time, one round
at most every ``FRESH`` seconds (after a round slower than that, a rest as long as it took),
and only while someone looks (a view within ``IDLE`` seconds); an election whose workflow has
ended (completed, failed, aborted) is never read again, its status being final. What a view
shows is therefore about one round old (``FRESH`` s, more while a busy worker answers queries
slowly). An election a view has not seen before is read in that view; a control on the page
forgets the elections it acted on, so the next view reads them afresh.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from api.db import ElectionRow
from api.deps import ElectionInfo, TemporalConnection
from api.errors import ApiError
from workflows.election.types import ElectionStatus

log = logging.getLogger("api.console")

FRESH = 1.0      # seconds between the starts of two refresh rounds
IDLE = 60.0      # the refresher stops this long after the last view
PARALLEL = 8     # status queries in flight at once
FINAL = frozenset({"completed", "failed", "aborted"})


@dataclass
class Entry:
    status: ElectionStatus | None
    read_at: float


def info_of(row: ElectionRow) -> ElectionInfo:
    return ElectionInfo(row.election_id, row.community_id, row.community_name, row.street_id,
                        row.district_id, row.workflow_id)


class Overview:
    """Election id → its workflow's last status read (``None``: no workflow answers)."""

    def __init__(self, temporal: TemporalConnection, fresh: float = FRESH, idle: float = IDLE,
                 parallel: int = PARALLEL, stopped: Callable[[], bool] = lambda: False):
        self.temporal = temporal
        self.stopped = stopped
        self.fresh, self.idle = fresh, idle
        self.gate = asyncio.Semaphore(parallel)
        self.entries: dict[str, Entry] = {}
        self.watched: dict[str, ElectionRow] = {}
        self.last_view = 0.0
        self.rounds = 0
        self.stopping = False
        self._task: asyncio.Task[None] | None = None

    async def read(self, rows: list[ElectionRow]) -> dict[str, ElectionStatus | None]:
        """The statuses of ``rows``: from the projection; those never read, now."""
        self.last_view = time.monotonic()
        for r in rows:
            self.watched[r.election_id] = r
        unknown = [r for r in rows if r.election_id not in self.entries]
        if unknown:
            await self._read_all(unknown)
        self._ensure_refresher()
        return {r.election_id: self.entries[r.election_id].status for r in rows}

    def forget(self, election_ids: Iterable[str]) -> None:
        """After a control: the next view reads these elections again."""
        for eid in election_ids:
            self.entries.pop(eid, None)

    async def _read_one(self, row: ElectionRow) -> None:
        from api.routes.elections import workflow_status

        async with self.gate:
            try:
                found: ElectionStatus | None = await workflow_status(self.temporal, info_of(row))
            except ApiError:
                found = None
        self.entries[row.election_id] = Entry(found, time.monotonic())

    async def _read_all(self, rows: list[ElectionRow]) -> None:
        await asyncio.gather(*(self._read_one(r) for r in rows))

    def due(self) -> list[ElectionRow]:
        """The watched elections whose status may still change."""
        out = []
        for eid, row in self.watched.items():
            entry = self.entries.get(eid)
            if entry is None or entry.status is None or entry.status.status not in FINAL:
                out.append(row)
        return out

    def _ensure_refresher(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._refresh())

    async def _refresh(self) -> None:
        while not (self.stopping or self.stopped()) and time.monotonic() - self.last_view < self.idle:
            started = time.monotonic()
            try:
                await self._read_all(self.due())
                self.rounds += 1
            except Exception:  # a round's fault must not end the refresher
                log.exception("dashboard refresh round failed")
            took = time.monotonic() - started
            # a slow round (a busy worker) is followed by a rest as long: half the time at most
            await asyncio.sleep(max(self.fresh - took, took))

    async def close(self) -> None:
        self.stopping = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
