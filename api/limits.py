"""Limits at the door: the size of every request body, and the rate per client of the cast
route and of failed token authentications.

The body limit is an ASGI middleware: a declared ``Content-Length`` above the limit is refused
before the body is read, and a body sent without one (chunked) is counted as it arrives and
refused (413) once it passes the limit, so no route ever holds more than the limit in memory.
The rates are counted by the ``limits`` library (moving windows in memory, per API process)
and refused with 429 and ``Retry-After``; docs/deployment.md says why this library.
"""

from __future__ import annotations

import json
import math
import time
from typing import Any

from fastapi import Request
from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import MovingWindowRateLimiter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import ApiError
from core.config import Settings

#: the routes that take an uploaded file (a roster) have the larger limit
UPLOAD_SUFFIXES = ("/roster", "/roster/import")


class BodyTooLarge(Exception):
    pass


class BodySizeLimit:
    """413 (the API's error body) for a request body above the limit of its route."""

    def __init__(self, app: ASGIApp, max_bytes: int, max_upload_bytes: int):
        self.app = app
        self.max_bytes = max_bytes
        self.max_upload_bytes = max_upload_bytes

    def limit_of(self, path: str) -> int:
        return self.max_upload_bytes if path.rstrip("/").endswith(UPLOAD_SUFFIXES) \
            else self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_of(scope.get("path", ""))
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = -1
                if declared < 0:
                    await _refuse(send, 400, "Content-Length is not a number",
                                  "BAD_REQUEST")
                    return
                if declared > limit:
                    await _refuse(send, 413, f"the request body exceeds {limit} bytes")
                    return
        received = 0
        started = too_large = False

        async def counted() -> Message:
            nonlocal received, too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    too_large = True
                    raise BodyTooLarge
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            if too_large:  # the route's own answer to the broken read (a 400) is replaced
                if message["type"] == "http.response.start" and not started:
                    started = True
                    await _refuse(send, 413, f"the request body exceeds {limit} bytes")
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLarge:
            if not started:
                started = True
                await _refuse(send, 413, f"the request body exceeds {limit} bytes")


async def _refuse(send: Send, status: int, message: str,
                  code: str = "PAYLOAD_TOO_LARGE") -> None:
    await _answer(send, ApiError(status, message, field="body", code=code),
                  [(b"connection", b"close")])


async def _answer(send: Send, error: ApiError,
                  extra: list[tuple[bytes, bytes]] | None = None) -> None:
    body = json.dumps(error.body(), ensure_ascii=False).encode()
    headers = [(b"content-type", b"application/json"),
               (b"content-length", str(len(body)).encode()), *(extra or [])]
    headers += [(k.lower().encode(), v.encode()) for k, v in (error.headers or {}).items()]
    await send({"type": "http.response.start", "status": error.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class RateLimits:
    """The API's rate limits, per client address (one process's memory: behind several API
    processes each counts its own)."""

    def __init__(self, settings: Settings):
        self.storage = MemoryStorage()
        self.limiter = MovingWindowRateLimiter(self.storage)
        self.cast = _item("cast_rate_limit", settings.cast_rate_limit)
        self.auth_failure = _item("auth_failure_rate_limit", settings.auth_failure_rate_limit)

    async def hit(self, item: RateLimitItem, key: str, what: str) -> None:
        """Count one; 429 once the window is full."""
        if not await self.limiter.hit(item, key):
            raise await self._refusal(item, key, what)

    async def check(self, item: RateLimitItem, key: str, what: str) -> None:
        """429 if the window is already full, without counting."""
        if not await self.limiter.test(item, key):
            raise await self._refusal(item, key, what)

    async def _refusal(self, item: RateLimitItem, key: str, what: str) -> ApiError:
        stats = await self.limiter.get_window_stats(item, key)
        wait = max(1, math.ceil(stats.reset_time - time.time()))
        return ApiError(429, f"too many {what} from this client: at most {item}; retry in "
                             f"{wait} s", field="client", code="RESOURCE_EXHAUSTED",
                        headers={"Retry-After": str(wait)})


def _item(name: str, text: str) -> RateLimitItem:
    try:
        return parse(text)
    except ValueError as exc:
        raise ValueError(f"GONGTUI_{name.upper()}: {text!r} is not a rate such as "
                         "'30/second'") from exc


def client_key(request: Request) -> str:
    """The client's address as the connection shows it (no forwarded header is trusted)."""
    return request.client.host if request.client else "unknown"


def rate_limits(request: Request) -> RateLimits:
    limits: Any = request.app.state.limits
    return limits  # type: ignore[no-any-return]


class CastRateLimit:
    """The client's casts per window, counted in front of everything else of the API (no
    body read, no route matched, no dependency solved), so that a flood of casts costs the
    API as little as an answer can."""

    def __init__(self, app: ASGIApp, limits: RateLimits, path: str):
        self.app = app
        self.limits = limits
        self.path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] == "http" and scope.get("method") == "POST"
                and scope.get("path", "").rstrip("/") == self.path):
            client = scope.get("client")
            try:
                await self.limits.hit(self.limits.cast, f"cast:{client[0] if client else '?'}",
                                      "casts")
            except ApiError as refusal:
                await _answer(send, refusal)
                return
        await self.app(scope, receive, send)
