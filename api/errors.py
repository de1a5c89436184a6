"""One error shape for every refusal, and the mapping of gRPC and Temporal failures to HTTP.

Every 4xx body is JSON::

    {"code": "FAILED_PRECONDITION", "message": "...", "field": "window_status", "rule": "NM3",
     "errors": [{"field": "...", "message": "...", "rule": "...", "row": 3}]}

``field`` names the offending input, ``rule`` the rule ID that refused (empty when no rule
did). A service's refusal carries them once, in the trailing metadata (``core.errors.FIELD_KEY``
/ ``RULE_KEY``) beside the plain status message; ``refusal_parts`` reads the three.
"""

from __future__ import annotations

import logging
from typing import Any

import grpc
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from core.errors import ERROR_KINDS
from services.common.errors import refusal_parts

log = logging.getLogger("api")

GRPC_TO_HTTP: dict[grpc.StatusCode, int] = {
    getattr(grpc.StatusCode, kind.status): kind.http for kind in ERROR_KINDS}
HTTP_CODES = {400: "BAD_REQUEST", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED",
              404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED", 409: "CONFLICT",
              413: "PAYLOAD_TOO_LARGE", 415: "UNSUPPORTED_MEDIA_TYPE", 422: "INVALID_ARGUMENT",
              429: "RESOURCE_EXHAUSTED", 502: "BAD_GATEWAY", 503: "UNAVAILABLE",
              504: "DEADLINE_EXCEEDED"}


class FieldError(BaseModel):
    field: str = ""
    message: str
    rule: str = ""
    row: int | None = Field(default=None, description="1-based row of an imported file")


class ErrorBody(BaseModel):
    code: str = Field(description="gRPC-style status name, e.g. FAILED_PRECONDITION")
    message: str
    field: str = Field("", description="the offending input")
    rule: str = Field("", description="the rule that refused, e.g. NM3")
    errors: list[FieldError] = Field(default_factory=list)


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": desc} for status, desc in (
        (401, "no or unknown token"), (403, "wrong role or out of scope"),
        (404, "not found"), (409, "conflict with the current state"),
        (413, "request body too large"), (422, "invalid input (field and rule named)"),
        (429, "too many requests from this client (Retry-After)"),
        (503, "a backing service is unavailable or busy (Retry-After)"))}


class ApiError(Exception):
    def __init__(self, status: int, message: str, *, field: str = "", rule: str = "",
                 code: str = "", errors: list[FieldError] | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field
        self.rule = rule
        self.code = code or HTTP_CODES.get(status, "ERROR")
        self.errors = errors or []
        self.headers = headers

    def body(self) -> dict[str, Any]:
        return ErrorBody(code=self.code, message=self.message, field=self.field, rule=self.rule,
                         errors=self.errors).model_dump()


def from_grpc(exc: grpc.aio.AioRpcError, service: str = "") -> ApiError:
    code = exc.code()
    status = GRPC_TO_HTTP.get(code, 502)
    msg, field, rule = refusal_parts(exc)
    headers = None
    if code == grpc.StatusCode.RESOURCE_EXHAUSTED:
        # a service's full queue (the ballot box) is the server's limit, not the client's
        # rate: 503, to be retried in a moment
        return ApiError(503, f"the {service or 'backing'} service is busy: {msg}", field=field,
                        rule=rule, code=code.name, headers={"Retry-After": "1"})
    if status >= 500:
        log.warning("%s service answered %s", service or "a", code.name)
        msg = f"the {service or 'backing'} service is not available ({code.name})"
        headers = {"Retry-After": "5"} if code == grpc.StatusCode.UNAVAILABLE else None
    return ApiError(status, msg, field=field, rule=rule, code=code.name, headers=headers)


def _loc_field(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    out = ""
    for p in parts:
        out += f"[{p}]" if p.isdigit() else (f".{p}" if out else p)
    return out


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(exc.body(), status_code=exc.status, headers=exc.headers)

    @app.exception_handler(grpc.aio.AioRpcError)
    async def _grpc_error(request: Request, exc: grpc.aio.AioRpcError) -> JSONResponse:
        err = from_grpc(exc)
        return JSONResponse(err.body(), status_code=err.status, headers=err.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [FieldError(field=_loc_field(e.get("loc", ())), message=str(e.get("msg", "")))
                  for e in exc.errors()]
        first = errors[0] if errors else FieldError(message="invalid request")
        body = ApiError(422, first.message, field=first.field, code="INVALID_ARGUMENT",
                        errors=errors).body()
        return JSONResponse(body, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        err = ApiError(exc.status_code, str(exc.detail))
        return JSONResponse(err.body(), status_code=exc.status_code,
                            headers=getattr(exc, "headers", None))
