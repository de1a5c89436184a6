"""How the election activities turn a service's refusal into a Temporal error: the text a
person reads (``[RULE] field: message``, from the trailing metadata) and whether a retry may
help. Both the plain message with the metadata and a message that already carries them give
the same text."""

from __future__ import annotations

import grpc
import pytest
from grpc.aio import AioRpcError, Metadata
from temporalio.exceptions import ApplicationError

from core.errors import FIELD_KEY, RULE_KEY
from workflows.election.activities import _rpc, refusal_text


def refusal(code: grpc.StatusCode, message: str, field: str = "", rule: str = "") -> AioRpcError:
    trailing = Metadata(*[(k, v) for k, v in ((FIELD_KEY, field), (RULE_KEY, rule)) if v])
    return AioRpcError(code, Metadata(), trailing, details=message)


def test_field_and_rule_come_from_the_trailing_metadata() -> None:
    exc = refusal(grpc.StatusCode.FAILED_PRECONDITION, "公示期已结束 / the period is over",
                  "notice_kind", "O2")
    assert refusal_text(exc) == "[O2] notice_kind: 公示期已结束 / the period is over"


def test_without_metadata_the_message_stands() -> None:
    exc = refusal(grpc.StatusCode.NOT_FOUND, "no election e-1")
    assert refusal_text(exc) == "no election e-1"
    assert refusal_text(refusal(grpc.StatusCode.NOT_FOUND, "x", field="election_id")) == (
        "election_id: x")


async def _raise(exc: BaseException) -> None:
    raise exc


async def test_a_refusal_is_not_retried_and_keeps_its_kind() -> None:
    exc = refusal(grpc.StatusCode.FAILED_PRECONDITION, "too late", "notice_kind", "O2")
    with pytest.raises(ApplicationError) as err:
        await _rpc(_raise(exc))
    assert err.value.non_retryable
    assert err.value.type == "FailedPrecondition"
    assert err.value.message == "[O2] notice_kind: too late"


async def test_an_unavailable_service_is_left_to_temporal_to_retry() -> None:
    exc = refusal(grpc.StatusCode.UNAVAILABLE, "connection refused")
    with pytest.raises(AioRpcError):
        await _rpc(_raise(exc))
