"""gRPC adapter of the nomination service: one line per RPC over the domain code."""

from __future__ import annotations

from typing import Any

from proto import common_pb2, nomination_pb2_grpc
from proto import nomination_pb2 as pb
from services.common.mutation import AuditRpcs, mutation
from services.common.store import Store, Tx
from services.nomination.domain import NominationDomain


class NominationServicer(AuditRpcs, nomination_pb2_grpc.NominationServicer):
    def __init__(self, store: Store):
        self.store = store
        self.domain = NominationDomain(store)

    # elections and roster
    @mutation(pb.Election)
    async def CreateElection(self, tx: Tx, request: pb.CreateElectionRequest) -> pb.Election:
        return await self.domain.elections.create(tx, request)

    async def GetElection(self, request: pb.GetElectionRequest, context: Any) -> pb.Election:
        return await self.domain.elections.get(request.election_id)

    @mutation(pb.ImportRosterResponse)
    async def ImportRoster(self, tx: Tx, request: pb.ImportRosterRequest
                           ) -> pb.ImportRosterResponse:
        return await self.domain.roster.import_people(tx, request)

    @mutation(pb.ListRosterResponse)
    async def DecideExclusions(self, tx: Tx, request: pb.DecideExclusionsRequest
                               ) -> pb.ListRosterResponse:
        return await self.domain.exclusions.decide(tx, request)

    async def ListRoster(self, request: pb.ListRosterRequest, context: Any
                         ) -> pb.ListRosterResponse:
        return await self.domain.roster.list(request.election_id)

    # plan
    @mutation(pb.Plan)
    async def SubmitPlan(self, tx: Tx, request: pb.SubmitPlanRequest) -> pb.Plan:
        return await self.domain.plans.submit(tx, request)

    @mutation(pb.Plan)
    async def DecidePlan(self, tx: Tx, request: pb.DecidePlanRequest) -> pb.Plan:
        return await self.domain.plans.decide(tx, request)

    async def GetPlan(self, request: pb.GetPlanRequest, context: Any) -> pb.Plan:
        return await self.domain.plans.get(request.election_id)

    # nomination window and registrations
    @mutation(pb.NominationWindow)
    async def OpenNominations(self, tx: Tx, request: pb.WindowRequest) -> pb.NominationWindow:
        return await self.domain.window.open(tx, request)

    @mutation(pb.NominationWindow)
    async def CloseNominations(self, tx: Tx, request: pb.WindowRequest) -> pb.NominationWindow:
        return await self.domain.window.close(tx, request)

    @mutation(pb.Registration)
    async def Register(self, tx: Tx, request: pb.RegisterRequest) -> pb.Registration:
        return await self.domain.registrations.register(tx, request)

    @mutation(pb.ListRegistrationsResponse)
    async def RegisterMany(self, tx: Tx, request: pb.RegisterManyRequest
                           ) -> pb.ListRegistrationsResponse:
        return await self.domain.registrations.register_many(tx, request)

    async def ListRegistrations(self, request: pb.ListRegistrationsRequest, context: Any
                                ) -> pb.ListRegistrationsResponse:
        return await self.domain.registrations.list(request)

    # co-signatures
    @mutation(pb.Cosignature)
    async def Cosign(self, tx: Tx, request: pb.CosignRequest) -> pb.Cosignature:
        return await self.domain.cosignatures.cosign(tx, request)

    @mutation(pb.CosignManyResponse)
    async def CosignMany(self, tx: Tx, request: pb.CosignManyRequest) -> pb.CosignManyResponse:
        return await self.domain.cosignatures.cosign_many(tx, request)

    @mutation(pb.Cosignature)
    async def WithdrawCosignature(self, tx: Tx, request: pb.WithdrawCosignatureRequest
                                  ) -> pb.Cosignature:
        return await self.domain.cosignatures.withdraw(tx, request)

    # qualification reviews
    @mutation(pb.ListRegistrationsResponse)
    async def RunAutomaticReview(self, tx: Tx, request: pb.AutomaticReviewRequest
                                 ) -> pb.ListRegistrationsResponse:
        return await self.domain.reviews.run_automatic(tx, request)

    @mutation(pb.Registration)
    async def DecideReview(self, tx: Tx, request: pb.DecideReviewRequest) -> pb.Registration:
        return await self.domain.reviews.decide(tx, request)

    @mutation(pb.ListRegistrationsResponse)
    async def DecideReviews(self, tx: Tx, request: pb.DecideReviewsRequest
                            ) -> pb.ListRegistrationsResponse:
        return await self.domain.reviews.decide_many(tx, request)

    # candidate funnel and inspections
    @mutation(pb.ListRegistrationsResponse)
    async def AdvanceStage(self, tx: Tx, request: pb.AdvanceStageRequest
                           ) -> pb.ListRegistrationsResponse:
        return await self.domain.stages.advance(tx, request)

    @mutation(pb.Inspection)
    async def RecordInspection(self, tx: Tx, request: pb.RecordInspectionRequest
                               ) -> pb.Inspection:
        return await self.domain.inspections.record(tx, request)

    async def ListInspections(self, request: pb.ListInspectionsRequest, context: Any
                              ) -> pb.ListInspectionsResponse:
        return await self.domain.inspections.list(request.election_id)

    # notices and objections
    @mutation(pb.Notice)
    async def PublishNotice(self, tx: Tx, request: pb.PublishNoticeRequest) -> pb.Notice:
        return await self.domain.notices.publish(tx, request)

    @mutation(pb.Notice)
    async def CloseNotice(self, tx: Tx, request: pb.CloseNoticeRequest) -> pb.Notice:
        return await self.domain.notices.close(tx, request)

    async def ListNotices(self, request: pb.ListNoticesRequest, context: Any
                          ) -> pb.ListNoticesResponse:
        return await self.domain.notices.list(request)

    @mutation(pb.Objection)
    async def FileObjection(self, tx: Tx, request: pb.FileObjectionRequest) -> pb.Objection:
        return await self.domain.objections.file(tx, request)

    @mutation(pb.Objection)
    async def DecideObjection(self, tx: Tx, request: pb.DecideObjectionRequest
                              ) -> pb.Objection:
        return await self.domain.objections.decide(tx, request)

    async def ListObjections(self, request: pb.ListObjectionsRequest, context: Any
                             ) -> pb.ListObjectionsResponse:
        return await self.domain.objections.list(request.election_id)

    # procedural events (the audit RPCs come from AuditRpcs)
    @mutation(common_pb2.AuditRecord)
    async def RecordElectionEvent(self, tx: Tx, request: pb.RecordElectionEventRequest
                                  ) -> common_pb2.AuditRecord:
        return await self.domain.events.record(tx, request)
