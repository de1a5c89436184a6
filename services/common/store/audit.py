"""The audit hash chain of each election: appending records in a transaction, writing them
at its end, and verifying or listing a chain.

Every record is chained on the one before it, ``hash = sha256(prev_hash + canonical
record)``, and each election's head (``audit_heads``) holds the last seq and hash, so a
removed, altered or reordered record shows when the chain is verified.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from proto import common_pb2
from services.common.store.tables import ServiceModels, utcnow


class Store(Protocol):
    """What the chain needs of the service's store (``services.common.store.core.Store``),
    named here so that the chain does not import the store that imports it."""

    service: str
    models: ServiceModels
    db: Any

    async def inline_sqlite(self, session: AsyncSession) -> Any: ...

    def read(self) -> AbstractAsyncContextManager[Any]: ...

# made once: json.dumps with non-default options builds a new encoder on every call, and the
# ballot box encodes three times per ballot
_CHAIN_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_CANONICAL_ENCODE = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                                     default=str).encode


def record_hash(prev_hash: str, election_id: str, seq: int, kind: str, payload_json: str,
                actor_role: str, actor_scope: str, created_at: str) -> str:
    canonical = _CHAIN_ENCODE(
        [prev_hash, election_id, seq, kind, payload_json, actor_role, actor_scope, created_at])
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


def canonical_json(payload: Any) -> str:
    return _CANONICAL_ENCODE(payload)


#: the payload key naming who acted: ``{"token_id", "holder"}`` of the acting token
ACTED_BY = "acted_by"


def acted_by(payload: Any, token_id: str, holder: str) -> Any:
    """The payload with the acting token's ID and holder under :data:`ACTED_BY` (in the
    payload, so the record's hash covers them); unchanged when no token acted (a workflow's
    own record, a developer's plain gRPC) or the payload is not an object."""
    if not token_id or not isinstance(payload, dict):
        return payload
    return {**payload, ACTED_BY: {"token_id": token_id, "holder": holder}}


@dataclass(frozen=True)
class AuditEntry:
    """One record as appended (the columns of ``audit_records`` but its row id)."""

    election_id: str
    seq: int
    kind: str
    payload_json: str
    actor_role: str
    actor_scope: str
    created_at: str
    prev_hash: str
    hash: str


@dataclass
class _Head:
    """An election's chain head as read in this transaction (``new``: no row yet)."""

    seq: int
    hash: str
    new: bool


@dataclass
class _AuditWrites:
    """The audit records and chain heads of one transaction, written at its end."""

    records: list[dict[str, Any]] = field(default_factory=list)
    heads: dict[str, _Head] = field(default_factory=dict)


def _writes(session: AsyncSession) -> _AuditWrites:
    writes = session.info.get("audit_writes")
    if writes is None:
        writes = session.info["audit_writes"] = _AuditWrites()
    return writes


async def append(store: Store, session: AsyncSession, election_id: str, kind: str,
                 payload: Any, actor_role: str, actor_scope: str) -> AuditEntry:
    """Chain a record on the election's head; the records and the head are written at the
    end of the transaction (the head is read, and locked, once per transaction)."""
    writes = _writes(session)
    head = writes.heads.get(election_id)
    if head is None:
        model = store.models.audit_head
        inline = await store.inline_sqlite(session)
        if inline is not None:
            row: Any = inline.first(f"SELECT seq, hash FROM {model.__tablename__}"
                                    " WHERE election_id = ?", (election_id,))
        else:
            stmt = select(model.seq, model.hash).where(model.election_id == election_id)
            if not store.db.sqlite:
                stmt = stmt.with_for_update()
            row = (await session.execute(stmt)).first()
        head = _Head(0, "", True) if row is None else _Head(row[0], row[1], False)
        writes.heads[election_id] = head
    seq = head.seq + 1
    payload_json = canonical_json(payload)
    created_at = utcnow().isoformat()
    digest = record_hash(head.hash, election_id, seq, kind, payload_json, actor_role,
                         actor_scope, created_at)
    values: dict[str, Any] = dict(
        election_id=election_id, seq=seq, kind=kind, payload_json=payload_json,
        actor_role=actor_role, actor_scope=actor_scope, created_at=created_at,
        prev_hash=head.hash, hash=digest)
    writes.records.append(values)
    head.seq = seq
    head.hash = digest
    return AuditEntry(**values)


async def write(store: Store, session: AsyncSession) -> None:
    """The transaction's audit records (one executemany, in chain order) and its moved chain
    heads."""
    writes = session.info.get("audit_writes")
    if writes is None or not writes.records:
        return
    records = store.models.audit.__table__
    heads = store.models.audit_head.__table__
    fresh = [{"election_id": e, "seq": h.seq, "hash": h.hash}
             for e, h in writes.heads.items() if h.new]
    inline = await store.inline_sqlite(session)
    if inline is not None:
        inline.insert(records, writes.records)
        if fresh:
            inline.insert(heads, fresh)
        sql = f"UPDATE {heads.name} SET seq = ?, hash = ? WHERE election_id = ?"
        for election_id, head in writes.heads.items():
            if not head.new:
                inline.execute(sql, (head.seq, head.hash, election_id))
    else:
        await session.execute(insert(records), writes.records)
        moved = [{"b_election_id": e, "b_seq": h.seq, "b_hash": h.hash}
                 for e, h in writes.heads.items() if not h.new]
        if fresh:
            await session.execute(insert(heads), fresh)
        if moved:
            await session.execute(
                update(heads).where(heads.c.election_id == bindparam("b_election_id"))
                .values(seq=bindparam("b_seq"), hash=bindparam("b_hash")), moved)
    for head in writes.heads.values():
        head.new = False
    writes.records.clear()


def fact_tables(store: Store) -> list[Any]:
    """The service's tables that hold an election's facts (those with an ``election_id``
    column, but the chain's own): a row in one of them means the election has a chain."""
    own = {store.models.audit.__table__.name, store.models.audit_head.__table__.name}
    return [t for t in store.models.audit.metadata.sorted_tables
            if "election_id" in t.c and t.name not in own]


async def _facts_exist(store: Store, session: Any, election_id: str) -> str:
    """The name of the first fact table with a row of the election ("" when none has)."""
    for table in fact_tables(store):
        if await session.first(select(table.c.election_id).where(
                table.c.election_id == election_id).limit(1)) is not None:
            return str(table.name)
    return ""


def check_chain(election_id: str, rows: Sequence[Any]) -> tuple[int, str, str]:
    """Recompute a chain's records in seq order: (first broken seq, problem, head hash);
    ``(0, "", head)`` when every record holds. ``rows`` carry the columns of
    ``audit_records`` as attributes (a row, or an ``AuditRecord`` message)."""
    prev = ""
    for expected_seq, row in enumerate(rows, start=1):
        problem = ""
        if row.seq != expected_seq:
            problem = f"record {expected_seq} is missing"
        elif row.prev_hash != prev:
            problem = "prev_hash does not match the record before"
        elif row.hash != record_hash(prev, election_id, row.seq, row.kind, row.payload_json,
                                     row.actor_role, row.actor_scope, row.created_at):
            problem = "hash does not match the record's content"
        if problem:
            return expected_seq, problem, prev
        prev = row.hash
    return 0, "", prev


async def verify(store: Store, election_id: str) -> common_pb2.AuditReport:
    """Recompute the election's chain record by record and compare it with its head.

    Broken, besides a record that does not hold: a head that is not the last record (records
    removed at the end), a missing head under records, and no records at all while the
    election has facts (a head row, or a row in one of the service's fact tables) — a chain
    emptied or cut together with its head. Checking against a head held outside the database
    (a signed head on a notice) is :mod:`services.common.anchors`."""
    audit = store.models.audit.__table__
    heads = store.models.audit_head.__table__
    async with store.read() as session:
        rows = await session.rows(select(*audit.c).where(
            audit.c.election_id == election_id).order_by(audit.c.seq))
        head = await session.first(select(heads.c.seq, heads.c.hash).where(
            heads.c.election_id == election_id))
        facts = "" if rows or head is not None else await _facts_exist(
            store, session, election_id)
    report = common_pb2.AuditReport(service=store.service, election_id=election_id,
                                    records=len(rows), verified=True)
    broken, problem, prev = check_chain(election_id, rows)
    if not broken:
        if head is None and rows:
            broken, problem = len(rows) + 1, ("the chain head is missing (records after the"
                                              " last may have been removed with it)")
        elif head is None and facts:
            broken, problem = 1, f"no records, but the election has facts (in {facts})"
        elif head is not None and (head.seq != len(rows) or head.hash != prev):
            broken = len(rows) + 1 if head.seq > len(rows) else head.seq
            problem = "the chain head does not match the last record (records removed?)"
    if broken:
        report.verified = False
        report.first_broken_seq = max(broken, 1)
        report.problem = problem
        return report
    report.head = prev
    return report


#: records of a ListAudit page when the caller names no size, and the most it may name: a
#: page stays far below gRPC's 4 MB message limit (a ballot's record is about 300 bytes; a
#: meeting's opening record, with its electorate, can be 100 times that)
AUDIT_PAGE_DEFAULT = 500
AUDIT_PAGE_MAX = 2000


async def listing(store: Store, election_id: str, page_size: int = 0,
                  page_token: str = "") -> common_pb2.ListAuditResponse:
    """One page of the election's chain in order: ``page_token`` is the ``next_page_token``
    of the page before ("" for the first), ``next_page_token`` is "" on the last page."""
    from services.common.errors import InvalidArgument

    if page_size < 0 or page_size > AUDIT_PAGE_MAX:
        raise InvalidArgument(f"must be between 0 (the default, {AUDIT_PAGE_DEFAULT}) and "
                              f"{AUDIT_PAGE_MAX}", field="page_size", value=page_size)
    size = page_size or AUDIT_PAGE_DEFAULT
    after = 0
    if page_token:
        try:
            after = int(page_token.removeprefix("seq:"))
        except ValueError:
            after = -1
        if not page_token.startswith("seq:") or after < 0:
            raise InvalidArgument("not a next_page_token of ListAudit", field="page_token",
                                  value=page_token)
    audit = store.models.audit.__table__
    async with store.read() as session:
        rows = await session.rows(select(*audit.c).where(
            audit.c.election_id == election_id, audit.c.seq > after)
            .order_by(audit.c.seq).limit(size + 1))
    more = len(rows) > size
    rows = rows[:size]
    return common_pb2.ListAuditResponse(records=[
        common_pb2.AuditRecord(seq=r.seq, kind=r.kind, payload_json=r.payload_json,
                               actor_role=r.actor_role, actor_scope=r.actor_scope,
                               prev_hash=r.prev_hash, hash=r.hash, created_at=r.created_at)
        for r in rows], next_page_token=f"seq:{rows[-1].seq}" if more else "")
