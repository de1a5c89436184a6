"""gRPC adapter of the approval service: one line per RPC over the domain code."""

from __future__ import annotations

from proto import approval_pb2, approval_pb2_grpc, common_pb2
from services.approval.domain import ApprovalDomain
from services.common.store import Store


class ApprovalServicer(approval_pb2_grpc.ApprovalServicer):
    def __init__(self, store: Store):
        self.store = store
        self.domain = ApprovalDomain(store)

    async def RequestApproval(self, request, context):  # type: ignore[no-untyped-def]
        return await self.store.mutate(request.idempotency_key, "RequestApproval", request,
                                       approval_pb2.ApprovalRequest,
                                       lambda tx: self.domain.request(tx, request), request.actor)

    async def Decide(self, request, context):  # type: ignore[no-untyped-def]
        return await self.store.mutate(request.idempotency_key, "Decide", request,
                                       approval_pb2.ApprovalRequest,
                                       lambda tx: self.domain.decide(tx, request), request.actor)

    async def GetApproval(self, request, context):  # type: ignore[no-untyped-def]
        return await self.domain.get(request.approval_id)

    async def ListApprovals(self, request, context):  # type: ignore[no-untyped-def]
        return await self.domain.list(request)

    async def VerifyAudit(self, request, context):  # type: ignore[no-untyped-def]
        return await self.store.verify_audit(request.election_id)

    async def ListAudit(self, request, context):  # type: ignore[no-untyped-def]
        return await self.store.list_audit(request.election_id)


_ = common_pb2  # the audit messages come from the shared contract
