"""gRPC adapter of the approval service: one line per RPC over the domain code."""

from __future__ import annotations

from typing import Any

from proto import approval_pb2 as pb
from proto import approval_pb2_grpc
from services.approval.domain import ApprovalDomain
from services.common.mutation import AuditRpcs, mutation
from services.common.store import Store, Tx


class ApprovalServicer(AuditRpcs, approval_pb2_grpc.ApprovalServicer):
    def __init__(self, store: Store):
        self.store = store
        self.domain = ApprovalDomain(store)

    @mutation(pb.ApprovalRequest)
    async def RequestApproval(self, tx: Tx, request: pb.RequestApprovalRequest
                              ) -> pb.ApprovalRequest:
        return await self.domain.request(tx, request)

    @mutation(pb.ApprovalRequest)
    async def Decide(self, tx: Tx, request: pb.DecideRequest) -> pb.ApprovalRequest:
        return await self.domain.decide(tx, request)

    async def GetApproval(self, request: pb.GetApprovalRequest, context: Any
                          ) -> pb.ApprovalRequest:
        return await self.domain.get(request.approval_id)

    async def ListApprovals(self, request: pb.ListApprovalsRequest, context: Any
                            ) -> pb.ListApprovalsResponse:
        return await self.domain.list(request)
