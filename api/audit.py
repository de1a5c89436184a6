"""Recomputes an election's audit chains in the three services (VerifyAudit) and names the
first broken record: used by ``GET /api/v1/elections/{id}/audit/verify`` and by
``gongtui audit verify``."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from proto import common_pb2

SERVICES = ("nomination", "voting", "approval")


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


async def verify_election(stubs: dict[str, Any], election_id: str) -> AuditVerification:
    """``stubs``: service name → gRPC stub with a VerifyAudit method. gRPC errors propagate."""
    reports = []
    for service in SERVICES:
        r = await stubs[service].VerifyAudit(common_pb2.AuditRequest(election_id=election_id))
        reports.append(AuditReportPublic(service=r.service or service, records=r.records,
                                         head=r.head, verified=r.verified,
                                         first_broken_seq=r.first_broken_seq, problem=r.problem))
    broken = next((r for r in reports if not r.verified), None)
    return AuditVerification(
        election_id=election_id, verified=broken is None, services=reports,
        first_broken=BrokenRecord(service=broken.service, seq=broken.first_broken_seq,
                                  problem=broken.problem) if broken else None)
