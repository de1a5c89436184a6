"""Domain errors and their mapping to gRPC status codes (the interceptor lives in server.py).

Each refusal is one of the kinds of ``core.errors``; over gRPC its message travels plain and
its field and rule in the trailing metadata. ``str()`` of an error (and so the logs) reads
as a person would see it, ``[RULE] field: message``.
"""

from __future__ import annotations

from typing import ClassVar

import grpc

from core.errors import BY_STATUS, FIELD_KEY, RULE_KEY, ErrorKind, describe


class DomainError(Exception):
    """A refused request: names the field and, where a rule refused, the rule ID."""

    kind: ClassVar[ErrorKind] = BY_STATUS["INVALID_ARGUMENT"]
    code: ClassVar[grpc.StatusCode] = grpc.StatusCode.INVALID_ARGUMENT

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        cls.code = grpc.StatusCode[cls.kind.status]

    def __init__(self, message: str, *, field: str = "", rule: str = "", value: object = None):
        self.message = message
        self.field = field
        self.rule = rule
        self.value = value
        super().__init__(self.describe())

    def describe(self) -> str:
        return describe(self.message, self.field, self.rule)


class InvalidArgument(DomainError):
    kind = BY_STATUS["INVALID_ARGUMENT"]


class FailedPrecondition(DomainError):
    kind = BY_STATUS["FAILED_PRECONDITION"]


class NotFound(DomainError):
    kind = BY_STATUS["NOT_FOUND"]


class AlreadyExists(DomainError):
    kind = BY_STATUS["ALREADY_EXISTS"]


class PermissionDenied(DomainError):
    kind = BY_STATUS["PERMISSION_DENIED"]


class ResourceExhausted(DomainError):
    """Too much at once (a full queue): a retry a moment later can succeed."""

    kind = BY_STATUS["RESOURCE_EXHAUSTED"]


class Unauthenticated(DomainError):
    kind = BY_STATUS["UNAUTHENTICATED"]


class Unavailable(DomainError):
    """Not now (the database connection was lost, nothing written): a retry can succeed."""

    kind = BY_STATUS["UNAVAILABLE"]


def from_rule_violation(exc: Exception, *, precondition: bool = False) -> DomainError:
    """Wrap a ``rules.RuleViolation`` (duck-typed to keep this module free of the engine)."""
    cls = FailedPrecondition if precondition else InvalidArgument
    return cls(
        str(getattr(exc, "message", exc)),
        field=str(getattr(exc, "field", "")),
        rule=str(getattr(exc, "rule_id", "")),
        value=getattr(exc, "value", None),
    )


def refusal_parts(exc: grpc.aio.AioRpcError) -> tuple[str, str, str]:
    """A refusal received over gRPC as (message, field, rule): the status message and the
    trailing metadata, where the field and rule travel."""
    meta = {key: value for key, value in (exc.trailing_metadata() or ())}
    return (exc.details() or exc.code().name, str(meta.get(FIELD_KEY, "")),
            str(meta.get(RULE_KEY, "")))


def describe_refusal(exc: grpc.aio.AioRpcError) -> str:
    """A refusal received over gRPC as a person reads it, ``[RULE] field: message`` (the
    status name when the service gave no message)."""
    return describe(*refusal_parts(exc))
