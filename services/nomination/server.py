"""Runs the nomination service: ``gongtui serve nomination`` or ``python -m services.nomination.server``."""

from __future__ import annotations

import asyncio

import grpc

from core.config import Settings
from proto import nomination_pb2, nomination_pb2_grpc
from services.common.runtime import ServiceRuntime, run_service
from services.nomination.models import MODELS, Base
from services.nomination.servicer import NominationServicer

SERVICE_NAME = nomination_pb2.DESCRIPTOR.services_by_name["Nomination"].full_name


def add_servicers(runtime: ServiceRuntime, server: grpc.aio.Server) -> None:
    nomination_pb2_grpc.add_NominationServicer_to_server(NominationServicer(runtime.store),
                                                         server)


async def main(settings: Settings | None = None, ready: asyncio.Event | None = None,
               stop_event: asyncio.Event | None = None) -> None:
    await run_service("nomination", Base, MODELS, add_servicers, [SERVICE_NAME], settings,
                      ready=ready, stop_event=stop_event)


if __name__ == "__main__":
    asyncio.run(main())
