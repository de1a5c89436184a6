"""Organisational inspections (组织考察) of the shortlisted, one per person and post."""

from __future__ import annotations

from types import SimpleNamespace

from sqlalchemy import select

from core.vocabulary import POSTS
from proto import nomination_pb2
from services.common.errors import FailedPrecondition
from services.common.store import Tx, utcnow
from services.nomination.domain import statements as q
from services.nomination.domain.lookups import (
    POST_ORDER,
    SubDomain,
    registration_id_for,
    require_post,
)
from services.nomination.domain.messages import inspection_message
from services.nomination.models import InspectionRow, RegistrationRow


class Inspections(SubDomain):
    async def record(self, tx: Tx, req: nomination_pb2.RecordInspectionRequest
                     ) -> nomination_pb2.Inspection:
        election = await self.lookups.election(tx.session, req.election_id)
        require_post(req.post)
        person = await self.lookups.person(tx.session, req.election_id, req.person_id)
        existing = await self.store.first(tx.session, select(*InspectionRow.__table__.c).where(
            InspectionRow.election_id == req.election_id, InspectionRow.post == req.post,
            InspectionRow.person_id == req.person_id))
        if existing is not None:
            if existing.passed == req.passed and existing.report == req.report:
                return inspection_message(existing)
            raise FailedPrecondition("an inspection is already recorded for this person and post"
                                     " with a different outcome", field="person_id",
                                     value=req.person_id)
        reg = await self.store.first(tx.session, select(RegistrationRow.stage).where(
            RegistrationRow.registration_id == registration_id_for(
                req.election_id, req.person_id, req.post)))
        if reg is None or reg.stage != "shortlisted":
            raise FailedPrecondition(
                f"{req.person_id!r} is not shortlisted for {req.post}"
                + (f" (stage {reg.stage})" if reg is not None else ""), field="person_id",
                value=req.person_id)
        values = dict(election_id=req.election_id, post=req.post, person_id=req.person_id,
                      passed=req.passed, report=req.report, recorded_at=utcnow())
        tx.insert(InspectionRow, **values)
        row = SimpleNamespace(**values)
        await tx.audit(req.election_id, "inspection.recorded", {
            "post": req.post, "person_id": req.person_id, "name": person.name,
            "passed": req.passed, "report": req.report})
        tx.wake(election.workflow_id, f"inspection of {req.person_id} for {req.post}")
        return inspection_message(row)

    async def list(self, election_id: str) -> nomination_pb2.ListInspectionsResponse:
        rows = await self.lookups.election_rows(q.Q_INSPECTIONS, election_id)
        rows = sorted(rows, key=lambda r: (POST_ORDER.get(r.post, len(POSTS)), r.recorded_at))
        return nomination_pb2.ListInspectionsResponse(
            inspections=[inspection_message(r) for r in rows])
