"""The uniform error body from a service's refusal: the plain message, field and rule read from
the trailing metadata over a real gRPC socket; a workflow's refused update read from its
failure."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import grpc
import pytest
from temporalio.exceptions import ApplicationError

from api.errors import from_grpc
from api.temporal import update_refusal
from core.config import Settings
from core.errors import FIELD_KEY, RULE_KEY
from services.common.clients import open_channel
from services.common.errors import describe_refusal, refusal_parts

METHOD = "/test.Refuser/Refuse"
Refuse = Callable[..., Awaitable[grpc.aio.AioRpcError]]


class Refuser(grpc.GenericRpcHandler):  # type: ignore[misc]
    """Answers every call with the refusal named in the request (``code|message|field|rule``)."""

    def service(self, details: grpc.HandlerCallDetails) -> grpc.RpcMethodHandler | None:
        async def refuse(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
            code, message, field, rule = request.decode().split("|")
            metadata = [(k, v) for k, v in ((FIELD_KEY, field), (RULE_KEY, rule)) if v]
            context.set_trailing_metadata(metadata)
            await context.abort(grpc.StatusCode[code], message)
            return b""

        return grpc.unary_unary_rpc_method_handler(refuse) if details.method == METHOD else None


@pytest.fixture
async def refuse() -> AsyncIterator[Refuse]:
    server = grpc.aio.server()
    server.add_generic_rpc_handlers((Refuser(),))
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    channel = open_channel(f"127.0.0.1:{port}", Settings(allow_insecure=True), "nomination")

    async def call(code: str, message: str, field: str = "", rule: str = "") -> grpc.aio.AioRpcError:
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await channel.unary_unary(METHOD)(f"{code}|{message}|{field}|{rule}".encode())
        return caught.value

    yield call
    await channel.close()
    await server.stop(None)


async def test_field_and_rule_come_from_the_metadata_and_the_message_stays_whole(
        refuse: Refuse) -> None:
    exc = await refuse("FAILED_PRECONDITION", "one registration per person per post",
                       "person_id", "NM3")
    assert refusal_parts(exc) == ("one registration per person per post", "person_id", "NM3")
    err = from_grpc(exc, "nomination")
    assert err.status == 409
    assert err.body() == {"code": "FAILED_PRECONDITION",
                          "message": "one registration per person per post",
                          "field": "person_id", "rule": "NM3", "errors": []}
    assert describe_refusal(exc) == "[NM3] person_id: one registration per person per post"
    # text that looks like a rule and a field is the message, not a second source of them
    looks = await refuse("INVALID_ARGUMENT", "[E2] status: unknown", "people[2].status", "")
    assert from_grpc(looks).body()["message"] == "[E2] status: unknown"
    assert (from_grpc(looks).field, from_grpc(looks).rule) == ("people[2].status", "")


async def test_an_unavailable_service_reads_as_such_without_its_text(refuse: Refuse) -> None:
    err = from_grpc(await refuse("UNAVAILABLE", "connection reset by a peer"), "voting")
    assert err.status == 503
    assert err.message == "the voting service is not available (UNAVAILABLE)"


def test_a_refused_update_reads_field_and_rule_from_the_failure() -> None:
    detailed = ApplicationError("no unfilled decision is awaited", {"field": "post", "rule": "M7"})
    assert update_refusal(detailed, None) == ("no unfilled decision is awaited", "post", "M7")
    named = ApplicationError("post: no unfilled decision is awaited for 'member' (M7)",
                             {"field": "post", "rule": "M7"})
    assert update_refusal(named, None) == (
        "no unfilled decision is awaited for 'member' (M7)", "post", "M7")
    ruled = ApplicationError("[P1] decision: reduce below one seat",
                             {"field": "decision", "rule": "P1"})
    assert update_refusal(ruled, None) == ("reduce below one seat", "decision", "P1")
    # a failure without details is its text: nothing in it is taken for a field or a rule
    looks = ApplicationError("[P1] decision: reduce below one seat")
    assert update_refusal(looks, None) == ("[P1] decision: reduce below one seat", "", "")
    assert update_refusal(None, "the update failed") == ("the update failed", "", "")
