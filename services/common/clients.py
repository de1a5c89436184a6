"""The one client bundle every caller of the services uses: the API, the workers' activities,
the scenario player and the CLI.

One channel per service with the same options everywhere, opened lazily (inside the caller's
event loop), and a deadline on every call: a call that names no timeout gets
``call_timeout`` seconds, so a hung service turns into DEADLINE_EXCEEDED instead of a caller
that waits for ever. Channels are mutual TLS with the process's own certificate
(services/common/tls.py; plain gRPC only where the settings allow it); a bundle holding the
API's certificate signs the person of the request into every call
(services/common/assertions.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import grpc

from core.config import SERVICES, Settings
from proto import approval_pb2_grpc, nomination_pb2_grpc, voting_pb2_grpc
from services.common import tls
from services.common.assertions import METADATA_KEY, Asserter, current_user

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


class _Assertion(grpc.aio.UnaryUnaryClientInterceptor):  # type: ignore[misc]
    """Adds the API's signed assertion of the request's person (if any) to every call."""

    def __init__(self, asserter: Asserter):
        self.asserter = asserter

    async def intercept_unary_unary(self, continuation: Callable[..., Any],
                                    client_call_details: Any, request: Any) -> Any:
        user = current_user.get()
        if user is not None:
            method = client_call_details.method
            rpc = method.decode() if isinstance(method, bytes) else str(method)
            metadata = [*(client_call_details.metadata or ()),
                        (METADATA_KEY, self.asserter.sign(user, rpc))]
            client_call_details = grpc.aio.ClientCallDetails(
                client_call_details.method, client_call_details.timeout, metadata,
                client_call_details.credentials, client_call_details.wait_for_ready)
        return await continuation(client_call_details, request)


def _asserter(settings: Settings) -> Asserter | None:
    """The API's signer, when this process holds the API's certificate."""
    if tls.own_component(settings) != "api":
        return None
    return Asserter(tls.own_files(settings)[2])


def open_channel(address: str, settings: Settings, service: str,
                 call_timeout: float = DEFAULT_CALL_TIMEOUT,
                 asserter: Asserter | None = None,
                 options: Sequence[tuple[str, Any]] = (),
                 outer: Sequence[Any] = ()) -> grpc.aio.Channel:
    """A channel to ``service`` at ``address`` with the bundle's options and deadline: mutual
    TLS with this process's certificate (the server must hold ``service``'s), or plain gRPC
    where the settings allow it. ``outer`` interceptors see each call before the bundle's
    own (a retry of theirs gets a deadline of its own)."""
    interceptors: list[Any] = [*outer, _Deadline(call_timeout)]
    if asserter is not None:
        interceptors.append(_Assertion(asserter))
    credentials = tls.channel_credentials(settings)
    if credentials is None:
        return grpc.aio.insecure_channel(address, options=[*CHANNEL_OPTIONS, *options],
                                         interceptors=interceptors)
    return grpc.aio.secure_channel(
        address, credentials, options=[*CHANNEL_OPTIONS, *tls.channel_options(service), *options],
        interceptors=interceptors)


class ServiceClients:
    """The stubs of the three services; channels opened on first use, closed by :meth:`close`."""

    def __init__(self, settings: Settings, call_timeout: float = DEFAULT_CALL_TIMEOUT):
        self.settings = settings
        self.call_timeout = call_timeout
        self._channels: dict[str, grpc.aio.Channel] = {}
        self._stubs: dict[str, Any] = {}
        self._asserter = _asserter(settings)

    def channel(self, service: str) -> grpc.aio.Channel:
        if service not in SERVICES:
            raise ValueError(f"unknown service {service!r}")
        found = self._channels.get(service)
        if found is None:
            found = self._channels[service] = open_channel(
                self.settings.service_address(service), self.settings, service,
                self.call_timeout, self._asserter)
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
