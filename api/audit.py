"""Recomputes an election's audit chains in the three services (VerifyAudit) and names the
first broken record: used by ``GET /api/v1/elections/{id}/audit/verify`` and by
``gongtui audit verify``."""

from __future__ import annotations

from pydantic import BaseModel

from core.config import SERVICES
from proto import common_pb2
from services.common.clients import ServiceClients


class AuditReportPublic(BaseModel):
    service: str
    records: int
    head: str
    verified: bool
    first_broken_seq: int
    problem: str


class BrokenRecord(BaseModel):
    service: str
    seq: int
    problem: str


class AuditVerification(BaseModel):
    election_id: str
    verified: bool
    services: list[AuditReportPublic]
    first_broken: BrokenRecord | None = None


async def verify_election(clients: ServiceClients, election_id: str) -> AuditVerification:
    """Each service's VerifyAudit for the election; gRPC errors propagate."""
    reports = []
    for service in SERVICES:
        r = await getattr(clients, service).VerifyAudit(common_pb2.AuditRequest(election_id=election_id))
        reports.append(AuditReportPublic(service=r.service or service, records=r.records,
                                         head=r.head, verified=r.verified,
                                         first_broken_seq=r.first_broken_seq, problem=r.problem))
    broken = next((r for r in reports if not r.verified), None)
    return AuditVerification(
        election_id=election_id, verified=broken is None, services=reports,
        first_broken=BrokenRecord(service=broken.service, seq=broken.first_broken_seq,
                                  problem=broken.problem) if broken else None)
