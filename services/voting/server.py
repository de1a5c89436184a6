"""Runs the voting service: ``gongtui serve voting`` or ``python -m services.voting.server``."""

from __future__ import annotations

import asyncio

import grpc

from core.config import Settings
from proto import voting_pb2, voting_pb2_grpc
from services.common.runtime import ServiceRuntime, run_service
from services.voting.ballot_box import BallotBox
from services.voting.models import MODELS, Base
from services.voting.servicer import VotingServicer

SERVICE_NAME = voting_pb2.DESCRIPTOR.services_by_name["Voting"].full_name


def add_servicers(runtime: ServiceRuntime, server: grpc.aio.Server) -> None:
    # group commit on: up to 512 ballots per transaction; off: one commit per ballot
    ballot_box = BallotBox(runtime.db, max_batch=512 if runtime.settings.group_commit else 1,
                           max_pending=runtime.settings.ballot_box_max_pending)
    runtime.closers.append(ballot_box.close)
    voting_pb2_grpc.add_VotingServicer_to_server(VotingServicer(runtime.store, ballot_box),
                                                 server)


async def main(settings: Settings | None = None, ready: asyncio.Event | None = None,
               stop_event: asyncio.Event | None = None) -> None:
    await run_service("voting", Base, MODELS, add_servicers, [SERVICE_NAME], settings,
                      ready=ready, stop_event=stop_event)


if __name__ == "__main__":
    asyncio.run(main())
