"""Is a component up? The probes the stack launcher, the API's readiness route and the CLI share.

A port that accepts a connection is not yet a service: :func:`grpc_healthy` asks the gRPC
health service, which a server reports SERVING only once its database is migrated and open
(over the same mutual TLS as every client, services/common/clients.py).
"""

from __future__ import annotations

import asyncio

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from core.config import Settings
from services.common.clients import open_channel
from services.common.tls import TlsNotConfigured


def split_address(address: str) -> tuple[str, int]:
    """``host:port`` (IPv6 hosts in brackets) as host and port; ValueError naming the address."""
    host, sep, port = address.rpartition(":")
    if not sep or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"not a host:port address: {address!r}")
    return host.strip("[]") or "127.0.0.1", int(port)


async def port_open(address: str, timeout: float = 0.5) -> bool:
    host, port = split_address(address)
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
    except (OSError, TimeoutError):
        return False
    writer.close()
    return True


async def grpc_healthy(address: str, settings: Settings, service: str,
                       timeout: float = 1.0) -> bool:
    """Does ``service`` at ``address`` report SERVING (to this process's certificate)? Not
    when this process has no way to speak to it (no TLS settings, plain gRPC not allowed)."""
    try:
        channel = open_channel(address, settings, service, timeout)
    except TlsNotConfigured:
        return False
    try:
        async with channel:
            res = await health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(service=""), timeout=timeout)
            return res.status == health_pb2.HealthCheckResponse.SERVING
    except grpc.aio.AioRpcError:
        return False
