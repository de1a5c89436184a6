"""Reading a paged list RPC to its end: ``ListAudit`` answers a page at a time (a large
election's chain does not fit gRPC's 4 MB message limit), and most callers want it whole."""

from __future__ import annotations

from typing import Any

from proto import common_pb2


async def all_audit_records(stub: Any, election_id: str,
                            page_size: int = 0) -> list[common_pb2.AuditRecord]:
    """Every record of the election's chain in ``stub``'s service, page after page."""
    records: list[common_pb2.AuditRecord] = []
    token = ""
    while True:
        page = await stub.ListAudit(common_pb2.AuditRequest(
            election_id=election_id, page_size=page_size, page_token=token))
        records.extend(page.records)
        token = page.next_page_token
        if not token:
            return records
