"""What every servicer shares: the mutating-RPC decorator and the audit RPCs.

A servicer stays one line per RPC over its domain code. A mutating RPC is written as
``async def Name(self, tx, request) -> Response`` under ``@mutation(Response)``: the decorator
makes it the gRPC handler ``(request, context)`` that runs the body inside
:meth:`Store.mutate` under the request's idempotency key and actor, so a retried request
returns the first answer and writes nothing, and nothing is half-written.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar

from google.protobuf.message import Message

from proto import common_pb2
from services.common.errors import FailedPrecondition, InvalidArgument
from services.common.store import Store, Tx

R = TypeVar("R", bound=Message)


class HasStore(Protocol):
    store: Store


def mutation(response_type: type[R]) -> Callable[
        [Callable[[Any, Tx, Any], Awaitable[R]]], Callable[[Any, Any, Any], Awaitable[R]]]:
    """Runs the decorated body as one idempotent transaction (method name = the RPC's name)."""

    def decorate(body: Callable[[Any, Tx, Any], Awaitable[R]]
                 ) -> Callable[[Any, Any, Any], Awaitable[R]]:
        method = body.__name__

        @functools.wraps(body)
        async def handler(self: HasStore, request: Any, context: Any) -> R:
            return await self.store.mutate(request.idempotency_key, method, request,
                                           response_type, lambda tx: body(self, tx, request),
                                           request.actor)

        return handler

    return decorate


class AuditRpcs:
    """``VerifyAudit``, ``ListAudit``, ``SignHead`` and ``GetPublicKey``, the same in every
    service (its own chain, its own key)."""

    store: Store

    async def VerifyAudit(self, request: common_pb2.AuditRequest, context: Any
                          ) -> common_pb2.AuditReport:
        return await self.store.verify_audit(request.election_id)

    async def ListAudit(self, request: common_pb2.AuditRequest, context: Any
                        ) -> common_pb2.ListAuditResponse:
        return await self.store.list_audit(request.election_id, request.page_size,
                                           request.page_token)

    async def SignHead(self, request: common_pb2.AuditRequest, context: Any
                       ) -> common_pb2.SignedHead:
        """The election's chain head, signed; a chain that does not verify is not signed."""
        if not request.election_id:
            raise InvalidArgument("required", field="election_id")
        report = await self.store.verify_audit(request.election_id)
        if not report.verified:
            raise FailedPrecondition(
                f"the chain does not verify (seq {report.first_broken_seq}: {report.problem});"
                " its head is not signed", field="election_id")
        return self._signer().sign(request.election_id, report.records, report.head)

    async def GetPublicKey(self, request: common_pb2.PublicKeyRequest, context: Any
                           ) -> common_pb2.PublicKey:
        return self._signer().public()  # type: ignore[no-any-return]

    def _signer(self) -> Any:
        if self.store.signer is None:
            raise FailedPrecondition("this service has no signing key (not started by its"
                                     " runtime)")
        return self.store.signer
