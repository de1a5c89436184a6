"""Delivers queued workflow wake-ups (the outbox) to Temporal after their facts commit.

A signal is only a wake-up: the workflow reads the facts back, so delivering one twice is
harmless, and keeping it in the outbox until delivered means none is lost when Temporal or
this process is down for a while.
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import delete, select
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from services.common.db import Database

log = logging.getLogger(__name__)

WAKE_SIGNAL = "wake"


class SignalRelay:
    def __init__(self, db: Database, outbox_model: type, temporal_address: str, namespace: str):
        self.db = db
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
        sent: set[str] = set()
        for row_id, workflow_id, reason in rows:
            if workflow_id not in sent:  # one wake per workflow per sweep is enough
                try:
                    await client.get_workflow_handle(workflow_id).signal(WAKE_SIGNAL, reason)
                except RPCError as exc:
                    if exc.status != RPCStatusCode.NOT_FOUND:
                        raise
                    log.info("signal relay: workflow %s not found (ended); dropping", workflow_id)
                sent.add(workflow_id)
            done.append(row_id)
        async with self.db.write() as session:
            await session.execute(delete(self.outbox).where(self.outbox.id.in_(done)))
        return len(done)
