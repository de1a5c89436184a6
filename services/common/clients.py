"""The one client bundle every caller of the services uses: the API, the workers' activities,
the scenario player and the CLI.

One channel per service with the same options everywhere, opened lazily (inside the caller's
event loop), and a deadline on every call: a call that names no timeout gets
``call_timeout`` seconds, so a hung service turns into DEADLINE_EXCEEDED instead of a caller
that waits for ever.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import grpc

from core.config import SERVICES, Settings
from proto import approval_pb2_grpc, nomination_pb2_grpc, voting_pb2_grpc

#: the largest answer a client accepts (a large election's audit list, a district's roster)
MAX_MESSAGE_BYTES = 64 * 1024 * 1024
CHANNEL_OPTIONS: list[tuple[str, Any]] = [
    ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
    ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
]
DEFAULT_CALL_TIMEOUT = 30.0


class _Deadline(grpc.aio.UnaryUnaryClientInterceptor):  # type: ignore[misc]
    """Gives every call without a timeout of its own the bundle's deadline."""

    def __init__(self, seconds: float):
        self.seconds = seconds

    async def intercept_unary_unary(self, continuation: Callable[..., Any],
                                    client_call_details: Any, request: Any) -> Any:
        if client_call_details.timeout is None:
            client_call_details = grpc.aio.ClientCallDetails(
                client_call_details.method, self.seconds, client_call_details.metadata,
                client_call_details.credentials, client_call_details.wait_for_ready)
        return await continuation(client_call_details, request)


def open_channel(address: str, call_timeout: float = DEFAULT_CALL_TIMEOUT) -> grpc.aio.Channel:
    """A channel to one service with the bundle's options and deadline."""
    return grpc.aio.insecure_channel(address, options=CHANNEL_OPTIONS,
                                     interceptors=[_Deadline(call_timeout)])


class ServiceClients:
    """The stubs of the three services; channels opened on first use, closed by :meth:`close`."""

    def __init__(self, settings: Settings, call_timeout: float = DEFAULT_CALL_TIMEOUT):
        self.settings = settings
        self.call_timeout = call_timeout
        self._channels: dict[str, grpc.aio.Channel] = {}
        self._stubs: dict[str, Any] = {}

    def channel(self, service: str) -> grpc.aio.Channel:
        if service not in SERVICES:
            raise ValueError(f"unknown service {service!r}")
        found = self._channels.get(service)
        if found is None:
            found = self._channels[service] = open_channel(
                self.settings.service_address(service), self.call_timeout)
        return found

    def _stub(self, service: str, make: Callable[[grpc.aio.Channel], Any]) -> Any:
        found = self._stubs.get(service)
        if found is None:
            found = self._stubs[service] = make(self.channel(service))
        return found

    @property
    def nomination(self) -> nomination_pb2_grpc.NominationStub:
        return self._stub("nomination", nomination_pb2_grpc.NominationStub)  # type: ignore[no-any-return]

    @property
    def voting(self) -> voting_pb2_grpc.VotingStub:
        return self._stub("voting", voting_pb2_grpc.VotingStub)  # type: ignore[no-any-return]

    @property
    def approval(self) -> approval_pb2_grpc.ApprovalStub:
        return self._stub("approval", approval_pb2_grpc.ApprovalStub)  # type: ignore[no-any-return]

    async def close(self) -> None:
        channels, self._channels, self._stubs = self._channels, {}, {}
        for channel in channels.values():
            await channel.close()


class ServiceCaller:
    """A caller of the services through one bundle (the workers' activity classes): the three
    stubs as attributes, and ``close`` closing the bundle only when this caller opened it."""

    def __init__(self, settings: Settings, clients: ServiceClients | None = None):
        self.settings = settings
        self.clients = clients or ServiceClients(settings)
        self._own_clients = clients is None

    @property
    def nomination(self) -> nomination_pb2_grpc.NominationStub:
        return self.clients.nomination

    @property
    def voting(self) -> voting_pb2_grpc.VotingStub:
        return self.clients.voting

    @property
    def approval(self) -> approval_pb2_grpc.ApprovalStub:
        return self.clients.approval

    async def close(self) -> None:
        if self._own_clients:
            await self.clients.close()
