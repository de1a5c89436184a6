"""Prometheus metrics of every component, and the small HTTP endpoint that serves them with
liveness and readiness for the processes that are not HTTP servers themselves (the three
gRPC services and the workers; the API serves the same routes on its own port).

Routes: ``/metrics`` (Prometheus text), ``/livez`` (the process's event loop answers),
``/readyz`` (200 once it serves and until it begins to stop, else 503).

Nothing here is labelled with a person, a code or a round: ballots are counted, not traced.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

import grpc
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest

log = logging.getLogger(__name__)

LATENCY_BUCKETS = (.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10)

RPC_LATENCY = Histogram(
    "gongtui_rpc_duration_seconds", "gRPC server latency per method, from request to answer",
    ["service", "method", "code"], buckets=LATENCY_BUCKETS)
BALLOTS_CAST = Counter(
    "gongtui_ballots_cast_total", "electronic ballots cast and durable (acknowledged)")
GROUP_COMMIT_SIZE = Histogram(
    "gongtui_group_commit_size", "ballots committed together by one group commit",
    ["method"], buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256))
WORKFLOW_STEP_DURATION = Histogram(
    "gongtui_workflow_step_duration_seconds",
    "how long each of the eight steps of an election took (workflow time)", ["step"],
    buckets=(.1, .5, 1, 5, 10, 60, 300, 3600, 86400, 7 * 86400, 30 * 86400))
ACTIVITY_DURATION = Histogram(
    "gongtui_activity_duration_seconds", "activity execution time", ["activity", "outcome"],
    buckets=LATENCY_BUCKETS)
ACTIVITIES_FAILED = Counter(
    "gongtui_activities_failed_total", "activity attempts that raised (Temporal retries them)",
    ["activity"])
BALLOT_BOX_REFUSED = Counter(
    "gongtui_ballot_box_refused_total",
    "casts refused because the ballot box's queue was full (RESOURCE_EXHAUSTED)")
WAKE_SIGNALS_FAILED = Counter(
    "gongtui_wake_signals_failed_total",
    "wake-up signals of the outbox that failed and wait to be retried", ["service"])
HTTP_LATENCY = Histogram(
    "gongtui_http_request_duration_seconds", "REST API latency per route",
    ["method", "route", "status"], buckets=LATENCY_BUCKETS)


class MetricsInterceptor(grpc.aio.ServerInterceptor):
    """Times every unary RPC by method and status code; counts the ballots cast. Applied once per
    method at registration by services.common.server.run_server (see DomainErrorInterceptor)."""

    def __init__(self, service: str):
        self.service = service

    async def intercept_service(self, continuation, handler_call_details):  # type: ignore[no-untyped-def]
        return self.wrap(await continuation(handler_call_details), handler_call_details.method)

    def wrap(self, handler, full_method: str):  # type: ignore[no-untyped-def]
        if handler is None or handler.unary_unary is None:
            return handler
        inner = handler.unary_unary
        method = full_method.rsplit("/", 1)[-1]
        service = self.service
        ballot = method == "CastBallot"
        ok_latency = RPC_LATENCY.labels(service, method, "OK")  # the common case, resolved once

        async def timed(request, context):  # type: ignore[no-untyped-def]
            from services.common.logs import bind_request

            start = time.perf_counter()
            token = bind_request(request)
            try:
                response = await inner(request, context)
            except BaseException:
                code = context.code().name if context.code() is not None else "UNKNOWN"
                RPC_LATENCY.labels(service, method, code).observe(time.perf_counter() - start)
                raise
            finally:
                token()
            if ballot:
                BALLOTS_CAST.inc()
            ok_latency.observe(time.perf_counter() - start)
            return response

        return grpc.unary_unary_rpc_method_handler(
            timed, request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer)


class Probe:
    """What /readyz answers: set once serving, cleared when stopping."""

    def __init__(self) -> None:
        self.ready = False
        self.checks: list[Callable[[], bool]] = []

    def is_ready(self) -> bool:
        return self.ready and all(check() for check in self.checks)


async def _handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                  probe: Probe) -> None:
    try:
        line = await asyncio.wait_for(reader.readline(), 5)
        while (await asyncio.wait_for(reader.readline(), 5)) not in (b"\r\n", b"\n", b""):
            pass
        parts = line.decode("latin-1").split()
        path = parts[1].split("?", 1)[0] if len(parts) > 1 else "/"
        status, ctype, body = "404 Not Found", "text/plain", b"not found\n"
        if path == "/metrics":
            status, ctype, body = "200 OK", CONTENT_TYPE_LATEST, generate_latest()
        elif path in ("/livez", "/healthz"):
            status, body = "200 OK", b"ok\n"
        elif path == "/readyz":
            ok = probe.is_ready()
            status, body = ("200 OK", b"ready\n") if ok else ("503 Service Unavailable",
                                                             b"not ready\n")
        writer.write(f"HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: "
                     f"{len(body)}\r\nConnection: close\r\n\r\n".encode() + body)
        await writer.drain()
    except (TimeoutError, ConnectionError):
        pass
    finally:
        writer.close()


async def serve_metrics(host: str, port: int, probe: Probe) -> asyncio.Server | None:
    """Start the /metrics, /livez, /readyz endpoint (port 0: none)."""
    if not port:
        return None
    server = await asyncio.start_server(lambda r, w: _handle(r, w, probe), host, port)
    log.info("metrics, liveness and readiness on http://%s:%d/metrics", host, port)
    return server
