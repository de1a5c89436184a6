"""Every call through the client bundle has a deadline: a service that never answers turns
into DEADLINE_EXCEEDED after the bundle's ``call_timeout`` (the API's, the workers', the
CLI's bundle alike), and a call naming its own timeout keeps it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import grpc
import pytest

from core.config import Settings
from proto import nomination_pb2
from services.common.clients import DEFAULT_CALL_TIMEOUT, ServiceClients
from tests.services.nomination.support import free_port


class _Hung(grpc.GenericRpcHandler):
    """A nomination service that takes every call and never answers."""

    def __init__(self) -> None:
        self.calls = 0

    def service(self, details: grpc.HandlerCallDetails) -> grpc.RpcMethodHandler:
        async def hang(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
            self.calls += 1
            await asyncio.sleep(3600)
            return b""

        return grpc.unary_unary_rpc_method_handler(hang)


@pytest.fixture
async def hung() -> AsyncIterator[tuple[str, _Hung]]:
    handler = _Hung()
    server = grpc.aio.server()
    server.add_generic_rpc_handlers((handler,))
    address = f"127.0.0.1:{free_port()}"
    server.add_insecure_port(address)
    await server.start()
    yield address, handler
    await server.stop(0)


async def test_a_service_that_never_answers_is_a_deadline_not_a_wait(
        hung: tuple[str, _Hung]) -> None:
    address, handler = hung
    settings = Settings(nomination_address=address, allow_insecure=True, tls_ca="", tls_cert="",
                        tls_key="")
    clients = ServiceClients(settings, call_timeout=0.3)
    try:
        started = time.monotonic()
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await clients.nomination.GetElection(nomination_pb2.GetElectionRequest(
                election_id="x"))
        assert info.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
        assert time.monotonic() - started < 3
        started = time.monotonic()  # a call's own timeout is its own
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await clients.nomination.GetElection(nomination_pb2.GetElectionRequest(
                election_id="x"), timeout=1.0)
        assert info.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
        assert time.monotonic() - started >= 0.9
        assert handler.calls == 2
    finally:
        await clients.close()


def test_every_bundle_has_a_finite_deadline() -> None:
    """The API's bundle (api/main.py) and the workers' are made with the default."""
    assert ServiceClients(Settings(allow_insecure=True)).call_timeout == DEFAULT_CALL_TIMEOUT
    assert 0 < DEFAULT_CALL_TIMEOUT <= 60
