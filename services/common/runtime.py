"""What every service process holds: its database, its write path and its signal relay."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence

import grpc
from sqlalchemy.orm import DeclarativeBase

from core.config import Settings
from services.common.db import Database
from services.common.relay import SignalRelay
from services.common.server import run_server
from services.common.store import ServiceModels, Store


class ServiceRuntime:
    def __init__(self, service: str, base: type[DeclarativeBase], models: ServiceModels,
                 settings: Settings, database_url: str | None = None,
                 temporal_address: str | None = None):
        self.service = service
        self.settings = settings
        self.db = Database(database_url or settings.service_database_url(service), base,
                           schema=service)
        self.store = Store(service, self.db, models)
        address = settings.temporal_address if temporal_address is None else temporal_address
        self.relay = SignalRelay(self.db, models.outbox, address, settings.temporal_namespace)
        self.store.on_commit = self.relay.notify
        #: what the service's own writers need closed before the database (e.g. the ballot box)
        self.closers: list[Callable[[], Awaitable[None]]] = []

    async def start(self) -> None:
        from services.common.migrate import upgrade

        await upgrade(self.db, self.service)  # its Alembic migrations, up to head
        self.relay.start()

    async def stop(self) -> None:
        for close in self.closers:
            await close()
        await self.store.close()
        await self.relay.stop()
        await self.db.dispose()


async def serve(runtime: ServiceRuntime, address: str,
                add_servicers: Callable[[grpc.aio.Server], Sequence[str]],
                ready: asyncio.Event | None = None,
                stop_event: asyncio.Event | None = None) -> None:
    settings = runtime.settings
    if settings.bind_host:  # e.g. 0.0.0.0 in a container, reached as voting:50152
        address = f"{settings.bind_host}:{address.rsplit(':', 1)[1]}"
    metrics = (settings.metrics_host, settings.metrics_port) if settings.metrics_port else None
    await run_server(runtime.service, address, add_servicers, on_start=runtime.start,
                     on_stop=runtime.stop, ready=ready, stop_event=stop_event,
                     grace=settings.shutdown_grace_seconds, metrics_address=metrics)
