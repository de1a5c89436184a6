"""Runs the nomination service: ``gongtui serve nomination`` or ``python -m services.nomination.server``."""

from __future__ import annotations

import asyncio

from core.config import Settings, get_settings
from proto import nomination_pb2, nomination_pb2_grpc
from services.common.runtime import ServiceRuntime, serve
from services.nomination.models import MODELS, Base
from services.nomination.servicer import NominationServicer

SERVICE_NAME = nomination_pb2.DESCRIPTOR.services_by_name["Nomination"].full_name


async def main(settings: Settings | None = None, ready: asyncio.Event | None = None,
               stop_event: asyncio.Event | None = None) -> None:
    settings = settings or get_settings()
    runtime = ServiceRuntime("nomination", Base, MODELS, settings)
    runtime.store.inline = True  # SQLite: the write path without thread hops (InlineSQLite)

    def add(server):  # type: ignore[no-untyped-def]
        nomination_pb2_grpc.add_NominationServicer_to_server(NominationServicer(runtime.store),
                                                             server)
        return [SERVICE_NAME]

    await serve(runtime, settings.nomination_address, add, ready=ready, stop_event=stop_event)


if __name__ == "__main__":
    asyncio.run(main())
