"""The kinds of refusal, how each travels and whether a retry can help.

A refusal carries three things: a kind (a gRPC status name), the offending ``field`` and the
``rule`` that refused (empty when no rule did). Over gRPC the message is the plain text and the
field and rule travel once, in the trailing metadata under :data:`FIELD_KEY` and
:data:`RULE_KEY`; whoever shows the refusal to a person joins them with :func:`describe`.
"""

from __future__ import annotations

from dataclasses import dataclass

#: trailing-metadata keys of a refusal's field and rule
FIELD_KEY = "gongtui-field"
RULE_KEY = "gongtui-rule"


@dataclass(frozen=True)
class ErrorKind:
    """One kind of refusal: its gRPC status name, its HTTP status, and the exception type name
    that activities raise it as (``ApplicationError.type``)."""

    status: str
    http: int
    type_name: str
    retryable: bool


ERROR_KINDS: tuple[ErrorKind, ...] = (
    ErrorKind("INVALID_ARGUMENT", 422, "InvalidArgument", False),
    ErrorKind("FAILED_PRECONDITION", 409, "FailedPrecondition", False),
    ErrorKind("NOT_FOUND", 404, "NotFound", False),
    ErrorKind("ALREADY_EXISTS", 409, "AlreadyExists", False),
    ErrorKind("PERMISSION_DENIED", 403, "PermissionDenied", False),
    ErrorKind("UNAUTHENTICATED", 401, "Unauthenticated", False),
    ErrorKind("OUT_OF_RANGE", 422, "OutOfRange", False),
    ErrorKind("ABORTED", 409, "Aborted", True),
    ErrorKind("RESOURCE_EXHAUSTED", 429, "ResourceExhausted", True),
    ErrorKind("UNAVAILABLE", 503, "Unavailable", True),
    ErrorKind("DEADLINE_EXCEEDED", 504, "DeadlineExceeded", True),
)
BY_STATUS: dict[str, ErrorKind] = {k.status: k for k in ERROR_KINDS}

#: a rule broken in workflow or activity code (``rules.RuleViolation``): never retried
RULE_VIOLATION = "RuleViolation"

#: the ``ApplicationError`` types a retry cannot fix: the workflows' retry policies name these
NOT_RETRYABLE: tuple[str, ...] = tuple(
    k.type_name for k in ERROR_KINDS if not k.retryable) + (RULE_VIOLATION,)


def describe(message: str, field: str = "", rule: str = "") -> str:
    """The one way a refusal reads to a person: ``[RULE] field: message``."""
    parts = []
    if rule:
        parts.append(f"[{rule}]")
    if field:
        parts.append(f"{field}:")
    parts.append(message)
    return " ".join(parts)
