"""Signals, updates and queries of an election's workflow, with Temporal's failures mapped to
the uniform error body."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable
from typing import Any, TypeVar

from temporalio.client import WorkflowQueryFailedError, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from api.errors import ApiError

T = TypeVar("T")
log = logging.getLogger("api")

# A workflow's update refusal names field and rule in its text: "[RULE] field: message" or
# "field: message (RULE)" (workflows/election/workflows.py, workflows/district/workflows.py).
_WORKFLOW_TEXT = re.compile(
    r"^(?:\[(?P<rule>[A-Z]+\d*)\]\s*)?(?:(?P<field>[\w.\[\]]+):\s)?(?P<msg>.*?)"
    r"(?:\s*\((?P<trailing>[A-Z]{1,3}\d{1,2})\))?\s*$", re.S)


def update_refusal(cause: BaseException | None, fallback: Any) -> tuple[str, str, str]:
    """A refused update as (message, field, rule). Field and rule come from the failure's
    details when the workflow put them there (``{"field": ..., "rule": ...}``), else from the
    workflow's text."""
    if not isinstance(cause, ApplicationError):
        return str(cause or fallback), "", ""
    details = cause.details[0] if cause.details else None
    if isinstance(details, dict) and ("field" in details or "rule" in details):
        return cause.message, str(details.get("field", "")), str(details.get("rule", ""))
    m = _WORKFLOW_TEXT.match(cause.message)
    if m is None:  # pragma: no cover - the pattern matches any text
        return cause.message, "", ""
    msg = m.group("msg") + (f" ({m.group('trailing')})" if m.group("trailing") else "")
    return msg, m.group("field") or "", m.group("rule") or m.group("trailing") or ""


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
