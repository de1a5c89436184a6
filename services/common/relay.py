"""Delivers queued workflow wake-ups (the outbox) to Temporal after their facts commit.

A signal is only a wake-up: the workflow reads the facts back, so delivering one twice is
harmless, and keeping it in the outbox until delivered means none is lost when Temporal or
this process is down for a while.

Wake-ups are coalesced: after a commit the relay waits a moment (``coalesce`` seconds) so that
the wake-ups of a burst of calls (eight inspections recorded one after the other, say) leave
as one signal per workflow; the workflows of one sweep are signalled concurrently, and what
commits meanwhile waits for the next sweep (at most one signal per workflow in flight).

A signal that fails (the workflow's history full, say, or a passing error) leaves that
workflow's rows in the outbox and holds the workflow back for a backoff that doubles with each
failure (``gongtui_wake_signals_failed_total`` counts them); the others are delivered and
deleted meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from sqlalchemy import delete, select
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from services.common.db import Database
from services.common.metrics import WAKE_SIGNALS_FAILED

log = logging.getLogger(__name__)

WAKE_SIGNAL = "wake"


class SignalRelay:
    def __init__(self, db: Database, outbox_model: Any, temporal_address: str, namespace: str,
                 coalesce: float = 0.05, concurrency: int = 32, service: str = "",
                 first_backoff: float = 0.5, max_backoff: float = 30.0):
        self.db = db
        self.service = service
        self.first_backoff, self.max_backoff = first_backoff, max_backoff
        # workflow id -> (failed attempts, monotonic time before which it is not tried again)
        self._held: dict[str, tuple[int, float]] = {}
        self.coalesce = coalesce
        self.concurrency = concurrency
        self.outbox = outbox_model
        self.address = temporal_address
        self.namespace = namespace
        self._event = asyncio.Event()
        self._client: Client | None = None
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    def notify(self) -> None:
        self._event.set()

    def start(self) -> None:
        if self.address and self._task is None:
            self._task = asyncio.create_task(self._run(), name="signal-relay")

    async def stop(self) -> None:
        self._stopping = True
        self._event.set()
        if self._task is not None:
            try:
                await asyncio.wait_for(self._task, timeout=5)
            except (TimeoutError, asyncio.CancelledError):
                self._task.cancel()

    async def _connect(self) -> Client:
        if self._client is None:
            self._client = await Client.connect(self.address, namespace=self.namespace)
        return self._client

    async def _run(self) -> None:
        backoff = 0.2
        while not self._stopping:
            try:
                delivered = await self.deliver_pending()
                backoff = 0.2
                if not delivered:
                    retry = self.next_retry()
                    try:
                        # A periodic sweep picks up rows left by a crash before delivery, and
                        # the held workflows once their backoff is over.
                        await asyncio.wait_for(self._event.wait(),
                                               timeout=5 if retry is None else min(5, retry))
                    except TimeoutError:
                        pass
                    if self.coalesce > 0 and not self._stopping:
                        await asyncio.sleep(self.coalesce)  # let the burst's wake-ups gather
                    self._event.clear()
            except Exception as exc:  # Temporal unreachable: keep the rows, retry later
                log.warning("signal relay: %s; retrying in %.1fs", exc, backoff)
                self._client = None
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)

    async def deliver_pending(self, batch: int = 200) -> int:
        """One sweep: a signal per workflow of the waiting rows, those delivered deleted. A
        workflow whose signal fails keeps its rows and waits out its own backoff (``_held``),
        sweeps go on without it: one stuck wake-up never holds the others back."""
        now = time.monotonic()
        held = [w for w, (_, until) in self._held.items() if until > now]
        query = select(self.outbox.id, self.outbox.workflow_id, self.outbox.reason)
        if held:
            query = query.where(self.outbox.workflow_id.not_in(held))
        async with self.db.read() as session:
            rows = (await session.execute(query.order_by(self.outbox.id).limit(batch))).all()
        if not rows:
            return 0
        client = await self._connect()
        ids: dict[str, list[int]] = {}
        latest: dict[str, str] = {}  # one wake per workflow per sweep is enough
        for row_id, workflow_id, reason in rows:
            latest[workflow_id] = reason
            ids.setdefault(workflow_id, []).append(row_id)
        gate = asyncio.Semaphore(self.concurrency)

        async def signal(workflow_id: str, reason: str) -> bool:
            async with gate:
                try:
                    await client.get_workflow_handle(workflow_id).signal(WAKE_SIGNAL, reason)
                except RPCError as exc:
                    if exc.status != RPCStatusCode.NOT_FOUND:
                        self._failed(workflow_id, exc)
                        return False
                    log.info("signal relay: workflow %s not found (ended); dropping", workflow_id)
                except Exception as exc:  # noqa: BLE001 - this workflow retries on its own
                    self._failed(workflow_id, exc)
                    return False
                self._held.pop(workflow_id, None)
                return True

        outcomes = await asyncio.gather(*(signal(w, r) for w, r in latest.items()))
        done = [i for w, ok in zip(latest, outcomes, strict=True) if ok for i in ids[w]]
        if done:
            async with self.db.write() as session:
                await session.execute(delete(self.outbox).where(self.outbox.id.in_(done)))
        if not any(outcomes):
            # nothing went out: if the client itself is broken, the loop reconnects
            raise RelayStalled(f"{len(latest)} workflow(s) failed to signal")
        return len(done)

    def _failed(self, workflow_id: str, exc: Exception) -> None:
        attempts = self._held.get(workflow_id, (0, 0.0))[0] + 1
        delay = min(self.max_backoff, self.first_backoff * 2 ** (attempts - 1))
        self._held[workflow_id] = (attempts, time.monotonic() + delay)
        WAKE_SIGNALS_FAILED.labels(self.service).inc()
        log.warning("signal relay: wake-up of %s failed (%s, attempt %d); retrying it in %.1fs",
                    workflow_id, exc, attempts, delay)

    def next_retry(self) -> float | None:
        """Seconds until the first held workflow may be tried again (None: none is held)."""
        if not self._held:
            return None
        return max(0.0, min(until for _, until in self._held.values()) - time.monotonic())


class RelayStalled(Exception):
    """A sweep in which no signal went out."""
