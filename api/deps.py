"""FastAPI dependencies: settings and the services' gRPC clients (one channel each per app)."""

from __future__ import annotations

from typing import Annotated

import grpc
from fastapi import Depends, Request

from gongtui.config import Settings
from proto import approval_pb2_grpc, nomination_pb2_grpc, voting_pb2_grpc


class ServiceClients:
    def __init__(self, settings: Settings):
        self.settings = settings
        self._channels = {name: grpc.aio.insecure_channel(settings.service_address(name))
                          for name in ("nomination", "voting", "approval")}
        self.nomination = nomination_pb2_grpc.NominationStub(self._channels["nomination"])
        self.voting = voting_pb2_grpc.VotingStub(self._channels["voting"])
        self.approval = approval_pb2_grpc.ApprovalStub(self._channels["approval"])

    async def close(self) -> None:
        for channel in self._channels.values():
            await channel.close()


def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


def get_clients(request: Request) -> ServiceClients:
    return request.app.state.clients  # type: ignore[no-any-return]


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
ClientsDep = Annotated[ServiceClients, Depends(get_clients)]
