"""Runs the approval service: ``gongtui serve approval`` or ``python -m services.approval.server``."""

from __future__ import annotations

import asyncio

from core.config import Settings, get_settings
from proto import approval_pb2, approval_pb2_grpc
from services.approval.models import MODELS, Base
from services.approval.servicer import ApprovalServicer
from services.common.runtime import ServiceRuntime, serve

SERVICE_NAME = approval_pb2.DESCRIPTOR.services_by_name["Approval"].full_name


async def main(settings: Settings | None = None, ready: asyncio.Event | None = None,
               stop_event: asyncio.Event | None = None) -> None:
    settings = settings or get_settings()
    runtime = ServiceRuntime("approval", Base, MODELS, settings)
    runtime.store.inline = True  # SQLite: the write path without thread hops (InlineSQLite)

    def add(server):  # type: ignore[no-untyped-def]
        approval_pb2_grpc.add_ApprovalServicer_to_server(ApprovalServicer(runtime.store), server)
        return [SERVICE_NAME]

    await serve(runtime, settings.approval_address, add, ready=ready, stop_event=stop_event)


if __name__ == "__main__":
    asyncio.run(main())
