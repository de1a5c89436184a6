"""Signals, updates and queries of an election's workflow, with Temporal's failures mapped to
the uniform error body."""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from datetime import timedelta
from typing import Any, Protocol, TypeVar

from temporalio.client import Client, WorkflowQueryFailedError, WorkflowUpdateFailedError
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


class _Connection(Protocol):
    async def client(self) -> Client: ...


PAUSE_CHECK_TIMEOUT = timedelta(seconds=10)


async def running_status(temporal: _Connection, workflow_id: str) -> Any:
    """The ``status`` query of a running election's workflow, None once it has ended. An
    ended workflow is asked nothing: a query of a closed workflow replays its whole history
    on a worker (seconds, at district scale), and an ended election is paused by no one."""
    from temporalio.client import WorkflowExecutionStatus

    from workflows.election.workflows import CommunityElectionWorkflow

    handle = (await temporal.client()).get_workflow_handle(workflow_id)
    desc = await workflow_call(handle.describe(rpc_timeout=PAUSE_CHECK_TIMEOUT), workflow_id)
    if desc.status != WorkflowExecutionStatus.RUNNING:
        return None
    return await workflow_call(
        handle.query(CommunityElectionWorkflow.status, rpc_timeout=PAUSE_CHECK_TIMEOUT),
        workflow_id)


async def refuse_if_paused(temporal: _Connection, workflow_id: str, election_id: str) -> None:
    """The one check that an act on a paused election is refused, with the pause reason
    (409 FAILED_PRECONDITION, field ``election_id``). The pause lives in the election's
    workflow (its ``status`` query). An election without a workflow (not started, or ended)
    is not paused; when Temporal does not answer, the act is not held up (the pause cannot be
    read, and the services keep their own checks)."""
    try:
        status = await running_status(temporal, workflow_id)
    except ApiError as exc:
        if exc.status in (404, 409, 503, 504):
            if exc.status >= 503:
                log.warning("pause of %s not readable: %s", election_id, exc.message)
            return
        raise
    if status is not None and status.paused:
        reason = status.pause_reason or "—"
        raise ApiError(409, f"选举已暂停（理由：{reason}），恢复前不能办理 / election "
                            f"{election_id} is paused ({reason}): nothing is done until it "
                            "is resumed", field="election_id", code="FAILED_PRECONDITION")
