"""The callers the scenario player acts through: a Temporal client to start and follow the
election, and the three services through the shared bundle."""

from __future__ import annotations

from dataclasses import dataclass

from temporalio.client import Client

from core.config import Settings
from proto import approval_pb2_grpc, nomination_pb2_grpc, voting_pb2_grpc
from services.common.clients import ServiceClients


@dataclass
class Clients:
    """What the scenario player calls: Temporal, and the three services through the shared
    bundle (its channel options, a deadline on every call)."""

    temporal: Client
    services: ServiceClients

    @classmethod
    async def connect(cls, settings: Settings) -> Clients:
        temporal = await Client.connect(settings.temporal_address,
                                        namespace=settings.temporal_namespace)
        return cls(temporal, ServiceClients(settings))

    @property
    def nomination(self) -> nomination_pb2_grpc.NominationStub:
        return self.services.nomination

    @property
    def voting(self) -> voting_pb2_grpc.VotingStub:
        return self.services.voting

    @property
    def approval(self) -> approval_pb2_grpc.ApprovalStub:
        return self.services.approval

    async def close(self) -> None:
        await self.services.close()
