"""The REST surface: one FastAPI application under /api/v1, one OpenAPI document, one auth
scheme (bearer tokens with a role and a scope, see api/auth.py)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from api import console, errors
from api.chain import open_chain
from api.db import TokenStore, create_api_tables, open_database
from api.deps import TemporalConnection
from api.limits import BodySizeLimit, CastRateLimit, RateLimits
from api.routes import (
    approvals,
    audit_bundle,
    cycles,
    documents,
    elections,
    health,
    inspections,
    meetings,
    nominations,
    notices,
    objections,
    plans,
    profiles,
    registry,
    roster,
    tokens,
)
from core.config import Settings, get_settings
from documents import fonts
from services.common.clients import ServiceClients

CAST_PATH = "/api/v1/ballots"
#: not even the time and address of a cast is logged: the REST cast and the phone ballot page
SECRET_PATHS = (CAST_PATH, "/ballot")
log = logging.getLogger("api")


class SecretBallotLogFilter(logging.Filter):
    """Drops access-log lines of the cast route: not even the time and client address of a
    cast are written beside the audit chain's ballot records."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3:
            path = str(args[2])
            if path.startswith(SECRET_PATHS):
                return False
        return not any(p in str(record.msg) for p in SECRET_PATHS)


def install_log_filter() -> None:
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, SecretBallotLogFilter) for f in access.filters):
        access.addFilter(SecretBallotLogFilter())


def install_observability(app: FastAPI) -> None:
    """/metrics (Prometheus), /livez, /readyz, request latency per route, and the election and
    community IDs of the path bound for the request's log lines. The ballot route is timed
    like any other, never logged."""
    import re
    import time

    from fastapi.responses import PlainTextResponse, Response
    from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

    from services.common.logs import bind
    from services.common.metrics import HTTP_LATENCY

    ids = re.compile(r"/(elections|communities)/([^/]+)")

    @app.middleware("http")
    async def observe(request: Request, call_next):  # type: ignore[no-untyped-def]
        found = dict(ids.findall(request.url.path))
        unbind = bind(found.get("elections", ""), found.get("communities", ""))
        start = time.perf_counter()
        status = 500
        try:
            response = await call_next(request)
            status = response.status_code
            return response
        finally:
            route = request.scope.get("route")
            path = getattr(route, "path", "unmatched")
            HTTP_LATENCY.labels(request.method, path, str(status)).observe(
                time.perf_counter() - start)
            unbind()

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    @app.get("/livez", include_in_schema=False)
    async def livez() -> PlainTextResponse:
        return PlainTextResponse("ok\n")

    @app.get("/readyz", include_in_schema=False)
    async def readyz(request: Request) -> PlainTextResponse:
        ready = getattr(request.app.state, "db", None) is not None and not getattr(
            request.app.state, "stopping", False)
        return PlainTextResponse("ready\n" if ready else "not ready\n",
                                 status_code=200 if ready else 503)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    install_log_filter()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        install_log_filter()  # uvicorn configures its loggers after create_app
        db = open_database(settings)
        await create_api_tables(db)
        await open_chain(db)
        app.state.settings = settings
        app.state.db = db
        app.state.tokens = TokenStore(db)
        app.state.clients = ServiceClients(settings)
        app.state.temporal = TemporalConnection(settings)
        # the documents' font instances made in the background, not on a first request
        app.state.fonts = asyncio.create_task(asyncio.to_thread(fonts.warm))
        yield
        app.state.stopping = True
        await app.state.clients.close()
        await db.dispose()

    app = FastAPI(
        title="gongtui 公推直选", version="0.1.0", lifespan=lifespan,
        description="One REST surface for every role of the 公推直选 procedure. Send "
                    "`Authorization: Bearer <token>` (created with `gongtui token create`). "
                    "Errors: `{code, message, field, rule, errors}`; 401 without a valid token, "
                    "403 for a wrong role or scope.")
    errors.install(app)
    # built before the first request: a malformed rate setting fails the start, not a request
    app.state.limits = RateLimits(settings)
    app.add_middleware(BodySizeLimit, max_bytes=settings.api_max_body_bytes,
                       max_upload_bytes=settings.api_max_upload_bytes)

    @app.exception_handler(UnicodeEncodeError)
    async def _unicode(request: Request, exc: UnicodeEncodeError) -> JSONResponse:
        err = errors.ApiError(422, "text must be valid UTF-8 (no lone surrogates)")
        return JSONResponse(err.body(), status_code=422)

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception) -> JSONResponse:
        # the traceback goes to the log (the operator's), never into the answer
        log.error("internal error on %s %s: %s", request.method, request.url.path,
                  type(exc).__name__, exc_info=exc)
        err = errors.ApiError(500, "internal error", code="INTERNAL")
        return JSONResponse(err.body(), status_code=500)

    install_observability(app)
    # outermost: a flood of casts is answered before anything else of the API runs
    app.add_middleware(CastRateLimit, limits=app.state.limits, path=CAST_PATH)

    for module in (health, notices, tokens, registry, profiles, cycles, elections, plans,
                   roster, nominations, inspections, objections, meetings, approvals, documents,
                   audit_bundle):
        app.include_router(module.router)
    app.include_router(meetings.ballots_router)
    app.include_router(console.router)  # the web console (api/console) and the ballot page
    return app
