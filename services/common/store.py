"""The write path every service shares: idempotency, the audit hash chain and the signal outbox.

A mutating RPC runs as one transaction through :meth:`Store.mutate`:
1. the idempotency key is looked up; a replay returns the first response and writes nothing;
2. the domain function stores its facts, appends audit records and queues workflow wake-ups;
3. the response is stored under the key, everything commits at once (nothing is half-written);
4. the outbox relay then signals the workflows ("something changed").
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from google.protobuf.message import Message
from sqlalchemy import DateTime, Integer, LargeBinary, String, Text, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from proto import common_pb2
from services.common.db import Database
from services.common.errors import AlreadyExists, InvalidArgument

M = TypeVar("M", bound=Message)


def utcnow() -> datetime:
    return datetime.now(UTC)


class IdempotencyMixin:
    __tablename__ = "idempotency_keys"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    method: Mapped[str] = mapped_column(String(80))
    request_digest: Mapped[str] = mapped_column(String(64))
    response: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AuditRecordMixin:
    """One fact of an election, chained: ``hash = sha256(prev_hash + canonical record)``."""

    __tablename__ = "audit_records"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    election_id: Mapped[str] = mapped_column(String(120), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(80))
    payload_json: Mapped[str] = mapped_column(Text)
    actor_role: Mapped[str] = mapped_column(String(40))
    actor_scope: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[str] = mapped_column(String(40))
    prev_hash: Mapped[str] = mapped_column(String(80))
    hash: Mapped[str] = mapped_column(String(80))


class AuditHeadMixin:
    """The head of each election's chain; locked while appending so seq never forks."""

    __tablename__ = "audit_heads"
    election_id: Mapped[str] = mapped_column(String(120), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    hash: Mapped[str] = mapped_column(String(80), default="")


class OutboxMixin:
    """Workflow wake-ups queued in the fact's transaction, delivered after commit."""

    __tablename__ = "signal_outbox"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workflow_id: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


def record_hash(prev_hash: str, election_id: str, seq: int, kind: str, payload_json: str,
                actor_role: str, actor_scope: str, created_at: str) -> str:
    canonical = json.dumps(
        [prev_hash, election_id, seq, kind, payload_json, actor_role, actor_scope, created_at],
        ensure_ascii=False, separators=(",", ":"),
    )
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


def canonical_json(payload: Any) -> str:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


@dataclass
class ServiceModels:
    idempotency: type
    audit: type
    audit_head: type
    outbox: type


@dataclass
class Tx:
    """The open transaction handed to a domain function."""

    session: AsyncSession
    store: Store
    actor_role: str
    actor_scope: str
    wakes: list[tuple[str, str]] = field(default_factory=list)

    async def audit(self, election_id: str, kind: str, payload: Any) -> Any:
        return await self.store.append_audit(self.session, election_id, kind, payload,
                                             self.actor_role, self.actor_scope)

    def wake(self, workflow_id: str, reason: str) -> None:
        if workflow_id:
            self.wakes.append((workflow_id, reason))


class Store:
    def __init__(self, service: str, db: Database, models: ServiceModels):
        self.service = service
        self.db = db
        self.models = models
        self.on_commit: Callable[[], None] | None = None

    async def mutate(self, key: str, method: str, request: Message, response_type: type[M],
                     fn: Callable[[Tx], Awaitable[M]], actor: common_pb2.Actor | None = None) -> M:
        if not key:
            raise InvalidArgument("an idempotency key is required", field="idempotency_key")
        digest = hashlib.sha256(request.SerializeToString(deterministic=True)).hexdigest()
        role = actor.role if actor is not None and actor.role else "system"
        scope = actor.scope if actor is not None else ""
        for attempt in range(3):
            try:
                async with self.db.write() as session:
                    idem = self.models.idempotency
                    existing = await session.get(idem, key)
                    if existing is not None:
                        if existing.method != method or existing.request_digest != digest:
                            raise AlreadyExists(
                                f"idempotency key already used for a different {existing.method} request",
                                field="idempotency_key", value=key)
                        out = response_type()
                        out.ParseFromString(existing.response)
                        return out
                    tx = Tx(session, self, role, scope)
                    response = await fn(tx)
                    session.add(idem(key=key, method=method, request_digest=digest,
                                     response=response.SerializeToString(deterministic=True)))
                    for workflow_id, reason in dict.fromkeys(tx.wakes):
                        session.add(self.models.outbox(workflow_id=workflow_id, reason=reason))
                    await session.flush()
                if tx.wakes and self.on_commit is not None:
                    self.on_commit()
                return response
            except IntegrityError:
                # A concurrent request with the same key (or a raced unique fact) won: the
                # whole transaction rolled back; look again and answer like the winner did.
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    async def append_audit(self, session: AsyncSession, election_id: str, kind: str, payload: Any,
                           actor_role: str, actor_scope: str) -> Any:
        head_model = self.models.audit_head
        stmt = select(head_model).where(head_model.election_id == election_id)
        if not self.db.sqlite:
            stmt = stmt.with_for_update()
        head = (await session.execute(stmt)).scalar_one_or_none()
        if head is None:
            head = head_model(election_id=election_id, seq=0, hash="")
            session.add(head)
        seq = head.seq + 1
        payload_json = canonical_json(payload)
        created_at = utcnow().isoformat()
        digest = record_hash(head.hash, election_id, seq, kind, payload_json, actor_role,
                             actor_scope, created_at)
        record = self.models.audit(
            election_id=election_id, seq=seq, kind=kind, payload_json=payload_json,
            actor_role=actor_role, actor_scope=actor_scope, created_at=created_at,
            prev_hash=head.hash, hash=digest)
        session.add(record)
        head.seq = seq
        head.hash = digest
        return record

    async def verify_audit(self, election_id: str) -> common_pb2.AuditReport:
        audit = self.models.audit
        async with self.db.read() as session:
            rows = (await session.execute(
                select(audit).where(audit.election_id == election_id).order_by(audit.seq)
            )).scalars().all()
            head = await session.get(self.models.audit_head, election_id)
        report = common_pb2.AuditReport(service=self.service, election_id=election_id,
                                        records=len(rows), verified=True)
        prev = ""
        for expected_seq, row in enumerate(rows, start=1):
            problem = ""
            if row.seq != expected_seq:
                problem = f"record {expected_seq} is missing"
            elif row.prev_hash != prev:
                problem = "prev_hash does not match the record before"
            elif row.hash != record_hash(prev, row.election_id, row.seq, row.kind, row.payload_json,
                                         row.actor_role, row.actor_scope, row.created_at):
                problem = "hash does not match the record's content"
            if problem:
                report.verified = False
                report.first_broken_seq = expected_seq
                report.problem = problem
                return report
            prev = row.hash
        if head is not None and (head.seq != len(rows) or head.hash != prev):
            report.verified = False
            report.first_broken_seq = len(rows) + 1 if head.seq > len(rows) else head.seq
            report.problem = "the chain head does not match the last record (records removed?)"
            return report
        report.head = prev
        return report

    async def list_audit(self, election_id: str) -> common_pb2.ListAuditResponse:
        audit = self.models.audit
        async with self.db.read() as session:
            rows = (await session.execute(
                select(audit).where(audit.election_id == election_id).order_by(audit.seq)
            )).scalars().all()
        return common_pb2.ListAuditResponse(records=[
            common_pb2.AuditRecord(seq=r.seq, kind=r.kind, payload_json=r.payload_json,
                                   actor_role=r.actor_role, actor_scope=r.actor_scope,
                                   prev_hash=r.prev_hash, hash=r.hash, created_at=r.created_at)
            for r in rows])
