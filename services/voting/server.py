"""Runs the voting service: ``gongtui serve voting`` or ``python -m services.voting.server``."""

from __future__ import annotations

import asyncio

from core.config import Settings, get_settings
from proto import voting_pb2, voting_pb2_grpc
from services.common.runtime import ServiceRuntime, serve
from services.voting.ballot_box import BallotBox
from services.voting.models import MODELS, Base
from services.voting.servicer import VotingServicer

SERVICE_NAME = voting_pb2.DESCRIPTOR.services_by_name["Voting"].full_name


async def main(settings: Settings | None = None, ready: asyncio.Event | None = None,
               stop_event: asyncio.Event | None = None) -> None:
    settings = settings or get_settings()
    runtime = ServiceRuntime("voting", Base, MODELS, settings)
    runtime.store.inline = True  # the write path's own statements without a thread hop
    ballot_box = BallotBox(runtime.db, max_batch=512 if settings.group_commit else 1)
    runtime.closers.append(ballot_box.close)

    def add(server):  # type: ignore[no-untyped-def]
        voting_pb2_grpc.add_VotingServicer_to_server(VotingServicer(runtime.store, ballot_box),
                                                     server)
        return [SERVICE_NAME]

    await serve(runtime, settings.voting_address, add, ready=ready, stop_event=stop_event)


if __name__ == "__main__":
    asyncio.run(main())
