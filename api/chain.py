"""The API's own hash chain: every token made or revoked, every change of the registry
(districts, streets, communities) and every cycle started, appended in the transaction of the
change to ``api_audit_records`` in the API's database.

Records are chained as an election's are in a service (services/common/store/audit.py, whose
``record_hash`` and ``check_chain`` this reuses, the chain's name ``api`` standing for the
election): ``hash = sha256(prev_hash, "api", seq, kind, payload, role, scope, time)``; the
acting token's ID and holder are in the payload (``acted_by``), under the hash. The head row
(``api_audit_heads``) is read with the lock of the write (FOR UPDATE on PostgreSQL; SQLite has
one writer) and ``(chain, seq)`` is unique, so two writers never fork the chain.

:func:`open_chain` starts the chain of a database made before it existed with ``chain.opened``
(what was there: the counts of tokens, districts, streets, communities and cycles), so that an
empty chain over existing facts is always a cut one. ``gongtui audit verify --api`` and
``GET /api/v1/audit/verify`` run :func:`verify`.
"""

from __future__ import annotations

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.db import (
    CHAIN,
    OPERATOR,
    ApiAuditHead,
    ApiAuditRecord,
    CommunityRow,
    CycleRow,
    DistrictRow,
    StreetRow,
    TokenRow,
)
from api.db import chain_append as append
from services.common.db import Database
from services.common.store.audit import check_chain

#: the API's facts: a row in one of these while the chain is empty means it was cut
FACT_TABLES = (TokenRow, DistrictRow, StreetRow, CommunityRow, CycleRow)
__all__ = ["CHAIN", "OPERATOR", "ApiChainReport", "append", "open_chain", "records", "verify"]


class ApiChainReport(BaseModel):
    chain: str = CHAIN
    records: int
    head: str
    verified: bool
    first_broken_seq: int = 0
    problem: str = ""


async def _counts(session: AsyncSession) -> dict[str, int]:
    return {model.__tablename__: int((await session.execute(
        select(func.count()).select_from(model))).scalar_one()) for model in FACT_TABLES}


async def open_chain(db: Database) -> None:
    """The chain's first record, ``chain.opened``, when it has none yet (at the API's start):
    what the database held before its changes were chained."""
    async with db.write() as session:
        if (await session.execute(select(ApiAuditHead.seq).where(
                ApiAuditHead.chain == CHAIN))).first() is not None:
            return
        if (await session.execute(select(ApiAuditRecord.seq).limit(1))).first() is not None:
            return  # records without a head: verify() says so; nothing is written over it
        await append(db, session, "chain.opened", {"existing": await _counts(session)}, None)


async def records(db: Database) -> list[ApiAuditRecord]:
    async with db.read() as session:
        return list((await session.execute(select(ApiAuditRecord).where(
            ApiAuditRecord.chain == CHAIN).order_by(ApiAuditRecord.seq))).scalars())


async def verify(db: Database) -> ApiChainReport:
    """Recompute the chain; broken as a service's chain is (docs/audit.md): a record that does
    not hold, a head that is not the last record, records without a head, or no records while
    the API holds facts."""
    rows = await records(db)
    async with db.read() as session:
        head = (await session.execute(select(ApiAuditHead).where(
            ApiAuditHead.chain == CHAIN))).scalar_one_or_none()
        facts = [] if rows or head is not None else [
            t for t, n in (await _counts(session)).items() if n]
    broken, problem, prev = check_chain(CHAIN, rows)
    if not broken:
        if head is None and rows:
            broken, problem = len(rows) + 1, ("the chain head is missing (records after the "
                                              "last may have been removed with it)")
        elif head is None and facts:
            broken, problem = 1, f"no records, but the API has facts (in {facts[0]})"
        elif head is not None and (head.seq != len(rows) or head.hash != prev):
            broken = len(rows) + 1 if head.seq > len(rows) else max(head.seq, 1)
            problem = "the chain head does not match the last record (records removed?)"
    if broken:
        return ApiChainReport(records=len(rows), head="", verified=False,
                              first_broken_seq=max(broken, 1), problem=problem)
    return ApiChainReport(records=len(rows), head=prev, verified=True)
