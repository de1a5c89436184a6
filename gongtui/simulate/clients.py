"""The callers the scenario player acts through: a Temporal client to start and follow the
election, and the three services through the shared bundle.

The player rides through a service that restarts or hangs (killed and restarted by the
supervisor of ``gongtui up``): a call that finds the service unreachable (UNAVAILABLE), gets
no answer in time (DEADLINE_EXCEEDED) or is cut by the service's stop (CANCELLED) is sent
again, with backoff, for at most :data:`RIDE_SECONDS`. That never acts twice: every mutating
call carries an idempotency key, and a ballot's code is single-use — a cast sent again after
its answer was lost is refused as "already used", which, for the retry, is the proof it was
cast (the first attempt's answer)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import grpc
from temporalio.client import Client

from core.config import SERVICES, Settings
from proto import approval_pb2_grpc, nomination_pb2_grpc, voting_pb2, voting_pb2_grpc
from services.common.clients import ServiceClients, open_channel

log = logging.getLogger(__name__)
RIDE_SECONDS = 300.0  # how long a call keeps trying a service that is down or hung
# CANCELLED: a service stopping gracefully cancels what is still in flight when its grace
# ends (a local cancellation is asyncio's CancelledError, never this code)
TRANSIENT = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED,
             grpc.StatusCode.CANCELLED)
CAST = "/gongtui.v1.Voting/CastBallot"


class RideThrough(grpc.aio.UnaryUnaryClientInterceptor):  # type: ignore[misc]
    """Sends a call again while its service is down or hung (see the module's text)."""

    def __init__(self, seconds: float = RIDE_SECONDS):
        self.seconds = seconds

    async def intercept_unary_unary(self, continuation: Callable[..., Any],
                                    client_call_details: Any, request: Any) -> Any:
        method = client_call_details.method
        rpc = method.decode() if isinstance(method, bytes) else str(method)
        give_up = time.monotonic() + self.seconds
        attempt = 0
        while True:
            attempt += 1
            call = await continuation(client_call_details, request)
            try:
                return await call
            except grpc.aio.AioRpcError as exc:
                code = exc.code()
                if attempt > 1 and rpc == CAST and code == grpc.StatusCode.ALREADY_EXISTS:
                    return voting_pb2.CastBallotResponse()  # cast by the attempt before
                if code not in TRANSIENT or time.monotonic() > give_up:
                    raise
                log.warning("%s: %s (attempt %d), sending it again", rpc, code.name, attempt)
                await asyncio.sleep(min(2.0, 0.1 * 2 ** attempt))


class RidingServiceClients(ServiceClients):
    """The shared bundle, each channel riding through restarts (:class:`RideThrough`)."""

    def channel(self, service: str) -> grpc.aio.Channel:
        if service not in SERVICES:
            raise ValueError(f"unknown service {service!r}")
        if service not in self._channels:
            self._channels[service] = open_channel(
                self.settings.service_address(service), self.settings, service,
                self.call_timeout, self._asserter, outer=[RideThrough()])
        return self._channels[service]


@dataclass
class Clients:
    """What the scenario player calls: Temporal, and the three services through the shared
    bundle (its channel options, a deadline on every call), riding through restarts."""

    temporal: Client
    services: ServiceClients

    @classmethod
    async def connect(cls, settings: Settings) -> Clients:
        temporal = await Client.connect(settings.temporal_address,
                                        namespace=settings.temporal_namespace)
        return cls(temporal, RidingServiceClients(settings))

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
