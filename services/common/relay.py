"""Delivers queued workflow wake-ups (the outbox) to Temporal after their facts commit.

A signal is only a wake-up: the workflow reads the facts back, so delivering one twice is
harmless, and keeping it in the outbox until delivered means none is lost when Temporal or
this process is down for a while.

Wake-ups are coalesced: after a commit the relay waits a moment (``coalesce`` seconds) so that
the wake-ups of a burst of calls (eight inspections recorded one after the other, say) leave
as one signal per workflow; the workflows of one sweep are signalled concurrently, and what
commits meanwhile waits for the next sweep (at most one signal per workflow in flight).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from sqlalchemy import delete, select
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from services.common.db import Database

log = logging.getLogger(__name__)

WAKE_SIGNAL = "wake"


class SignalRelay:
    def __init__(self, db: Database, outbox_model: Any, temporal_address: str, namespace: str,
                 coalesce: float = 0.05, concurrency: int = 32):
        self.db = db
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
                    try:
                        # A periodic sweep picks up rows left by a crash before delivery.
                        await asyncio.wait_for(self._event.wait(), timeout=5)
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
        async with self.db.read() as session:
            rows = (await session.execute(
                select(self.outbox.id, self.outbox.workflow_id, self.outbox.reason)
                .order_by(self.outbox.id).limit(batch)
            )).all()
        if not rows:
            return 0
        client = await self._connect()
        done: list[int] = []
        latest: dict[str, str] = {}  # one wake per workflow per sweep is enough
        for row_id, workflow_id, reason in rows:
            latest[workflow_id] = reason
            done.append(row_id)
        gate = asyncio.Semaphore(self.concurrency)

        async def signal(workflow_id: str, reason: str) -> None:
            async with gate:
                try:
                    await client.get_workflow_handle(workflow_id).signal(WAKE_SIGNAL, reason)
                except RPCError as exc:
                    if exc.status != RPCStatusCode.NOT_FOUND:
                        raise
                    log.info("signal relay: workflow %s not found (ended); dropping", workflow_id)

        # all delivered before the rows go (a failure keeps them all: a wake twice is harmless)
        await asyncio.gather(*(signal(w, r) for w, r in latest.items()))
        async with self.db.write() as session:
            await session.execute(delete(self.outbox).where(self.outbox.id.in_(done)))
        return len(done)
