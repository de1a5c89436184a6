"""Signals, updates and queries of an election's workflow, with Temporal's failures mapped to
the uniform error body."""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from typing import Any, TypeVar

from temporalio.client import WorkflowQueryFailedError, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from api.errors import ApiError

T = TypeVar("T")
log = logging.getLogger("api")

def update_refusal(cause: BaseException | None, fallback: Any) -> tuple[str, str, str]:
    """A refused update as (message, field, rule). Field and rule come from the failure's
    details (``{"field": ..., "rule": ...}``), where the workflow puts them; the message is
    its text without the rule and field it names first for people (``[RULE] field: ...``),
    since the body carries them apart. A failure without details is its text, unparsed."""
    if not isinstance(cause, ApplicationError):
        return str(cause or fallback), "", ""
    details = cause.details[0] if cause.details else None
    if not isinstance(details, dict):
        return cause.message, "", ""
    field, rule = str(details.get("field", "")), str(details.get("rule", ""))
    message = cause.message.removeprefix(f"[{rule}] ") if rule else cause.message
    return (message.removeprefix(f"{field}: ") if field else message), field, rule


async def workflow_call(call: Awaitable[T], workflow_id: str) -> T:
    try:
        return await call
    except WorkflowUpdateFailedError as exc:
        msg, field, rule = update_refusal(exc.cause, exc)
        raise ApiError(409, msg, field=field, rule=rule, code="FAILED_PRECONDITION") from exc
    except WorkflowQueryFailedError as exc:
        raise ApiError(409, f"the workflow did not answer: {exc}", field="election_id",
                       code="FAILED_PRECONDITION") from exc
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND:
            if "completed" in exc.message or "closed" in exc.message:
                raise ApiError(409, f"the election's workflow {workflow_id} has ended",
                               field="election_id", code="FAILED_PRECONDITION") from exc
            raise ApiError(404, f"no workflow {workflow_id}", field="election_id") from exc
        if exc.status == RPCStatusCode.DEADLINE_EXCEEDED:
            raise ApiError(504, "the workflow did not answer in time (is a worker running?)",
                           field="election_id", code="DEADLINE_EXCEEDED") from exc
        if exc.status in (RPCStatusCode.INVALID_ARGUMENT, RPCStatusCode.FAILED_PRECONDITION):
            raise ApiError(409, exc.message, field="election_id",
                           code="FAILED_PRECONDITION") from exc
        log.warning("temporal answered %s", exc.status.name if exc.status else "?")
        raise ApiError(503, "Temporal is not available", code="UNAVAILABLE") from exc
