"""Domain errors and their mapping to gRPC status codes (the interceptor lives in server.py)."""

from __future__ import annotations

import grpc


class DomainError(Exception):
    """A refused request: names the field and, where a rule refused, the rule ID."""

    code: grpc.StatusCode = grpc.StatusCode.INVALID_ARGUMENT

    def __init__(self, message: str, *, field: str = "", rule: str = "", value: object = None):
        self.message = message
        self.field = field
        self.rule = rule
        self.value = value
        super().__init__(self.describe())

    def describe(self) -> str:
        parts = []
        if self.rule:
            parts.append(f"[{self.rule}]")
        if self.field:
            parts.append(f"{self.field}:")
        parts.append(self.message)
        return " ".join(parts)


class InvalidArgument(DomainError):
    code = grpc.StatusCode.INVALID_ARGUMENT


class FailedPrecondition(DomainError):
    code = grpc.StatusCode.FAILED_PRECONDITION


class NotFound(DomainError):
    code = grpc.StatusCode.NOT_FOUND


class AlreadyExists(DomainError):
    code = grpc.StatusCode.ALREADY_EXISTS


class PermissionDenied(DomainError):
    code = grpc.StatusCode.PERMISSION_DENIED


def from_rule_violation(exc: Exception, *, precondition: bool = False) -> DomainError:
    """Wrap a ``rules.RuleViolation`` (duck-typed to keep this module free of the engine)."""
    cls = FailedPrecondition if precondition else InvalidArgument
    return cls(
        str(getattr(exc, "message", exc)),
        field=str(getattr(exc, "field", "")),
        rule=str(getattr(exc, "rule_id", "")),
        value=getattr(exc, "value", None),
    )
