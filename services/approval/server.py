"""Runs the approval service: ``gongtui serve approval`` or ``python -m services.approval.server``."""

from __future__ import annotations

import asyncio

import grpc

from core.config import Settings
from proto import approval_pb2, approval_pb2_grpc
from services.approval.models import MODELS, Base
from services.approval.servicer import ApprovalServicer
from services.common.runtime import ServiceRuntime, run_service

SERVICE_NAME = approval_pb2.DESCRIPTOR.services_by_name["Approval"].full_name


def add_servicers(runtime: ServiceRuntime, server: grpc.aio.Server) -> None:
    approval_pb2_grpc.add_ApprovalServicer_to_server(ApprovalServicer(runtime.store), server)


async def main(settings: Settings | None = None, ready: asyncio.Event | None = None,
               stop_event: asyncio.Event | None = None) -> None:
    await run_service("approval", Base, MODELS, add_servicers, [SERVICE_NAME], settings,
                      ready=ready, stop_event=stop_event)


if __name__ == "__main__":
    asyncio.run(main())
