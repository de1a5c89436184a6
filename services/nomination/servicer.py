"""gRPC adapter of the nomination service: one line per RPC over the domain code."""

from __future__ import annotations

from proto import common_pb2, nomination_pb2, nomination_pb2_grpc
from services.common.store import Store
from services.nomination.domain import NominationDomain

pb = nomination_pb2


class NominationServicer(nomination_pb2_grpc.NominationServicer):
    def __init__(self, store: Store):
        self.store = store
        self.domain = NominationDomain(store)

    # elections and roster
    async def CreateElection(self, request, context):  # type: ignore[no-untyped-def]
        return await self.store.mutate(request.idempotency_key, "CreateElection", request,
                                       pb.Election,
                                       lambda tx: self.domain.create_election(tx, request),
                                       request.actor)

    async def GetElection(self, request, context):  # type: ignore[no-untyped-def]
        return await self.domain.get_election(request.election_id)

    async def ImportRoster(self, request, context):  # type: ignore[no-untyped-def]
        return await self.store.mutate(request.idempotency_key, "ImportRoster", request,
                                       pb.ImportRosterResponse,
                                       lambda tx: self.domain.import_roster(tx, request),
                                       request.actor)

    async def ListRoster(self, request, context):  # type: ignore[no-untyped-def]
        return await self.domain.list_roster(request.election_id)

    # plan
    async def SubmitPlan(self, request, context):  # type: ignore[no-untyped-def]
        return await self.store.mutate(request.idempotency_key, "SubmitPlan", request, pb.Plan,
                                       lambda tx: self.domain.submit_plan(tx, request),
                                       request.actor)

    async def DecidePlan(self, request, context):  # type: ignore[no-untyped-def]
        return await self.store.mutate(request.idempotency_key, "DecidePlan", request, pb.Plan,
                                       lambda tx: self.domain.decide_plan(tx, request),
                                       request.actor)

    async def GetPlan(self, request, context):  # type: ignore[no-untyped-def]
        return await self.domain.get_plan(request.election_id)

    # nomination window, registrations, co-signatures, reviews
    async def OpenNominations(self, request, context):  # type: ignore[no-untyped-def]
        return await self.store.mutate(request.idempotency_key, "OpenNominations", request,
                                       pb.NominationWindow,
                                       lambda tx: self.domain.open_nominations(tx, request),
                                       request.actor)

    async def CloseNominations(self, request, context):  # type: ignore[no-untyped-def]
        return await self.store.mutate(request.idempotency_key, "CloseNominations", request,
                                       pb.NominationWindow,
                                       lambda tx: self.domain.close_nominations(tx, request),
                                       request.actor)

    async def Register(self, request, context):  # type: ignore[no-untyped-def]
        return await self.store.mutate(request.idempotency_key, "Register", request,
                                       pb.Registration,
                                       lambda tx: self.domain.register(tx, request),
                                       request.actor)

    async def RegisterMany(self, request, context):  # type: ignore[no-untyped-def]
        return await self.store.mutate(request.idempotency_key, "RegisterMany", request,
                                       pb.ListRegistrationsResponse,
                                       lambda tx: self.domain.register_many(tx, request),
                                       request.actor)

    async def Cosign(self, request, context):  # type: ignore[no-untyped-def]
        return await self.store.mutate(request.idempotency_key, "Cosign", request,
                                       pb.Cosignature,
                                       lambda tx: self.domain.cosign(tx, request), request.actor)

    async def CosignMany(self, request, context):  # type: ignore[no-untyped-def]
        return await self.store.mutate(request.idempotency_key, "CosignMany", request,
                                       pb.CosignManyResponse,
                                       lambda tx: self.domain.cosign_many(tx, request),
                                       request.actor)

    async def WithdrawCosignature(self, request, context):  # type: ignore[no-untyped-def]
        return await self.store.mutate(request.idempotency_key, "WithdrawCosignature", request,
                                       pb.Cosignature,
                                       lambda tx: self.domain.withdraw_cosignature(tx, request),
                                       request.actor)

    async def RunAutomaticReview(self, request, context):  # type: ignore[no-untyped-def]
        return await self.store.mutate(request.idempotency_key, "RunAutomaticReview", request,
                                       pb.ListRegistrationsResponse,
                                       lambda tx: self.domain.run_automatic_review(tx, request),
                                       request.actor)

    async def DecideReview(self, request, context):  # type: ignore[no-untyped-def]
        return await self.store.mutate(request.idempotency_key, "DecideReview", request,
                                       pb.Registration,
                                       lambda tx: self.domain.decide_review(tx, request),
                                       request.actor)

    async def DecideReviews(self, request, context):  # type: ignore[no-untyped-def]
        return await self.store.mutate(request.idempotency_key, "DecideReviews", request,
                                       pb.ListRegistrationsResponse,
                                       lambda tx: self.domain.decide_reviews(tx, request),
                                       request.actor)

    async def ListRegistrations(self, request, context):  # type: ignore[no-untyped-def]
        return await self.domain.list_registrations(request)

    # candidate lifecycle and inspections
    async def AdvanceStage(self, request, context):  # type: ignore[no-untyped-def]
        return await self.store.mutate(request.idempotency_key, "AdvanceStage", request,
                                       pb.ListRegistrationsResponse,
                                       lambda tx: self.domain.advance_stage(tx, request),
                                       request.actor)

    async def RecordInspection(self, request, context):  # type: ignore[no-untyped-def]
        return await self.store.mutate(request.idempotency_key, "RecordInspection", request,
                                       pb.Inspection,
                                       lambda tx: self.domain.record_inspection(tx, request),
                                       request.actor)

    async def ListInspections(self, request, context):  # type: ignore[no-untyped-def]
        return await self.domain.list_inspections(request.election_id)

    # notices and objections
    async def PublishNotice(self, request, context):  # type: ignore[no-untyped-def]
        return await self.store.mutate(request.idempotency_key, "PublishNotice", request,
                                       pb.Notice,
                                       lambda tx: self.domain.publish_notice(tx, request),
                                       request.actor)

    async def CloseNotice(self, request, context):  # type: ignore[no-untyped-def]
        return await self.store.mutate(request.idempotency_key, "CloseNotice", request,
                                       pb.Notice,
                                       lambda tx: self.domain.close_notice(tx, request),
                                       request.actor)

    async def ListNotices(self, request, context):  # type: ignore[no-untyped-def]
        return await self.domain.list_notices(request)

    async def FileObjection(self, request, context):  # type: ignore[no-untyped-def]
        return await self.store.mutate(request.idempotency_key, "FileObjection", request,
                                       pb.Objection,
                                       lambda tx: self.domain.file_objection(tx, request),
                                       request.actor)

    async def DecideObjection(self, request, context):  # type: ignore[no-untyped-def]
        return await self.store.mutate(request.idempotency_key, "DecideObjection", request,
                                       pb.Objection,
                                       lambda tx: self.domain.decide_objection(tx, request),
                                       request.actor)

    async def ListObjections(self, request, context):  # type: ignore[no-untyped-def]
        return await self.domain.list_objections(request.election_id)

    # audit
    async def RecordElectionEvent(self, request, context):  # type: ignore[no-untyped-def]
        return await self.store.mutate(request.idempotency_key, "RecordElectionEvent", request,
                                       common_pb2.AuditRecord,
                                       lambda tx: self.domain.record_event(tx, request),
                                       request.actor)

    async def VerifyAudit(self, request, context):  # type: ignore[no-untyped-def]
        return await self.store.verify_audit(request.election_id)

    async def ListAudit(self, request, context):  # type: ignore[no-untyped-def]
        return await self.store.list_audit(request.election_id)


_ = common_pb2  # the audit messages come from the shared contract
