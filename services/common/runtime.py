"""What every service process holds (its database, its write path and its signal relay) and
the one way to run a service: :func:`run_service`."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence

import grpc
from sqlalchemy.orm import DeclarativeBase

from core.config import Settings, get_settings
from services.common import profiles
from services.common.db import Database
from services.common.relay import SignalRelay
from services.common.server import run_server
from services.common.signing import HeadSigner
from services.common.store import ServiceModels, Store
from services.common.tls import server_credentials


class ServiceRuntime:
    def __init__(self, service: str, base: type[DeclarativeBase], models: ServiceModels,
                 settings: Settings, database_url: str | None = None,
                 temporal_address: str | None = None):
        self.service = service
        self.settings = settings
        profiles.configure(settings.profiles_dir)
        self.db = Database(database_url or settings.service_database_url(service), base,
                           schema=service)
        self.store = Store(service, self.db, models)
        address = settings.temporal_address if temporal_address is None else temporal_address
        self.relay = SignalRelay(self.db, models.outbox, address, settings.temporal_namespace,
                                 service=service)
        self.store.on_commit = self.relay.notify
        #: what the service's own writers need closed before the database (e.g. the ballot box)
        self.closers: list[Callable[[], Awaitable[None]]] = []

    async def start(self) -> None:
        from services.common.migrate import upgrade

        await upgrade(self.db, self.service)  # its Alembic migrations, up to head
        self.store.signer = HeadSigner.for_service(self.settings, self.service)
        self.relay.start()

    async def stop(self) -> None:
        for close in self.closers:
            await close()
        await self.store.close()
        await self.relay.stop()
        await self.db.dispose()


#: registers a service's servicers on the server, given the process's runtime
AddServicers = Callable[[ServiceRuntime, grpc.aio.Server], None]


async def run_service(service: str, base: type[DeclarativeBase], models: ServiceModels,
                      add_servicers: AddServicers, service_names: Sequence[str],
                      settings: Settings | None = None, ready: asyncio.Event | None = None,
                      stop_event: asyncio.Event | None = None) -> None:
    """Run ``service`` until SIGINT/SIGTERM (or ``stop_event``): its tables migrated to head,
    its servicers behind the metrics, domain-error and caller-check interceptors over mutual
    TLS (services.common.tls; plain gRPC only where the settings allow it), gRPC health and
    reflection for ``service_names``, /metrics with liveness and readiness when configured,
    and a graceful stop that finishes the in-flight RPCs, then flushes and closes the
    database."""
    settings = settings or get_settings()
    credentials = server_credentials(settings)  # refused before anything starts: no TLS
    runtime = ServiceRuntime(service, base, models, settings)
    runtime.store.inline = True  # SQLite: the write path without thread hops (InlineSQLite)

    def add(server: grpc.aio.Server) -> Sequence[str]:
        add_servicers(runtime, server)
        return service_names

    metrics = (settings.metrics_host, settings.metrics_port) if settings.metrics_port else None
    await run_server(service, settings.bind_address(service), add, on_start=runtime.start,
                     on_stop=runtime.stop, ready=ready, stop_event=stop_event,
                     grace=settings.shutdown_grace_seconds, metrics_address=metrics,
                     credentials=credentials, operator_roles=settings.operator_role_list())
