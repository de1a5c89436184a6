"""The write path every service shares: idempotency, the audit hash chain and the signal outbox.

A mutating RPC runs as one transaction through :meth:`Store.mutate`:
1. the idempotency key is looked up; a replay returns the first response and writes nothing;
2. the domain function stores its facts, appends audit records and queues workflow wake-ups;
3. the response is stored under the key, everything commits at once (nothing is half-written);
4. the outbox relay then signals the workflows ("something changed").

Group commit: methods registered with :func:`group_commit` (CastBallot) are written by one
writer task per process. Requests that arrive while a transaction is being made durable wait
and are then written together in the next one — the same steps 1-3 for each, one commit (one
fsync) for all — and each caller is answered only after that commit. A batch that fails as a
whole (a conflict with another process, say) is rolled back and every request in it is
written again alone, through the ordinary path.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any, TypeVar

from google.protobuf.message import Message
from sqlalchemy import DateTime, Integer, LargeBinary, String, Text, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from proto import common_pb2
from services.common.db import Database
from services.common.errors import AlreadyExists, DomainError, InvalidArgument

M = TypeVar("M", bound=Message)
log = logging.getLogger(__name__)

#: methods whose writes are group-committed, with an optional prefetch of what a batch reads
#: (``prefetch(session, keys)``); their domain functions must raise any refusal before they
#: write anything (a refused request leaves the shared transaction untouched)
GROUP_COMMIT_METHODS: dict[str, Callable[[AsyncSession, list[str]], Awaitable[None]] | None] = {}


def group_commit(method: str,
                 prefetch: Callable[[AsyncSession, list[str]], Awaitable[None]] | None = None
                 ) -> None:
    GROUP_COMMIT_METHODS[method] = prefetch


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

    def insert(self, model: type, **values: Any) -> None:
        """Add a row that nothing reads back in this transaction: a group commit inserts all
        its batch's rows of a table in one statement, otherwise it is an ordinary add."""
        deferred = self.session.info.get("deferred_rows")
        if deferred is not None:
            deferred.setdefault(model, []).append(values)
        else:
            self.session.add(model(**values))

    def wake(self, workflow_id: str, reason: str) -> None:
        if workflow_id:
            self.wakes.append((workflow_id, reason))


@dataclass
class _Pending:
    key: str
    method: str
    digest: str
    response_type: type
    fn: Callable[[Tx], Awaitable[Any]]
    role: str
    scope: str
    future: asyncio.Future[Any]


class GroupCommitter:
    """One writer task: takes every pending write, makes one transaction of them, commits it,
    then answers each caller (see the module's docstring)."""

    def __init__(self, store: Store, max_batch: int = 256):
        self.store = store
        self.max_batch = max_batch
        self.pending: list[_Pending] = []
        self.event = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    async def submit(self, item: _Pending) -> Any:
        if self.task is None or self.task.done():
            self.task = asyncio.create_task(self._run(), name=f"group-commit-{self.store.service}")
        self.pending.append(item)
        self.event.set()
        return await item.future

    async def close(self) -> None:
        if self.task is not None:
            while self.pending:  # noqa: ASYNC110 - the in-flight RPCs finished: drain their writes
                await asyncio.sleep(0.01)
            self.task.cancel()
            try:
                await self.task
            except asyncio.CancelledError:
                pass

    async def _run(self) -> None:
        while True:
            await self.event.wait()
            self.event.clear()
            while self.pending:
                batch: list[_Pending] = []
                keys: set[str] = set()
                rest: list[_Pending] = []
                method = self.pending[0].method
                for item in self.pending:  # the same key twice waits for the next batch
                    if item.key in keys or len(batch) >= self.max_batch or item.method != method:
                        rest.append(item)
                    else:
                        keys.add(item.key)
                        batch.append(item)
                self.pending = rest
                try:
                    await self._write(batch)
                except Exception as exc:  # the batch rolled back: each alone, the ordinary way
                    log.warning("group commit of %d %s writes failed (%s); writing each alone",
                                len(batch), batch[0].method, type(exc).__name__)
                    await asyncio.gather(*(self._alone(item) for item in batch))

    async def _alone(self, item: _Pending) -> None:
        try:
            result = await self.store._mutate_one(item.key, item.method, item.digest,
                                                  item.response_type, item.fn, item.role,
                                                  item.scope)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller
            if not item.future.done():
                item.future.set_exception(exc)
        else:
            if not item.future.done():
                item.future.set_result(result)

    async def _write(self, batch: list[_Pending]) -> None:
        store = self.store
        idem = store.models.idempotency
        answers: list[tuple[_Pending, Any, BaseException | None]] = []
        woke = False
        keys = [i.key for i in batch]
        async with store.db.write() as session, _no_autoflush(session):
            existing = {row.key: row for row in (await session.execute(
                select(idem).where(idem.key.in_(keys)))).scalars()}
            deferred: list[dict[str, Any]] = []
            session.info["deferred_audit"] = deferred
            rows: dict[type, list[dict[str, Any]]] = {}
            session.info["deferred_rows"] = rows
            prefetch = GROUP_COMMIT_METHODS.get(batch[0].method)
            if prefetch is not None:
                await prefetch(session, keys)
            for item in batch:
                row = existing.get(item.key)
                if row is not None:  # a replay: answer like the first time, write nothing
                    try:
                        answers.append((item, _replay(row, item.method, item.digest, item.key,
                                                      item.response_type), None))
                    except DomainError as exc:
                        answers.append((item, None, exc))
                    continue
                tx = Tx(session, store, item.role, item.scope)
                written = len(session.new)
                try:
                    response = await item.fn(tx)
                except DomainError as exc:
                    if len(session.new) != written:  # refused after writing: not ours to keep
                        raise
                    answers.append((item, None, exc))
                    continue
                tx.insert(idem, key=item.key, method=item.method, request_digest=item.digest,
                          response=response.SerializeToString(deterministic=True),
                          created_at=utcnow())
                for workflow_id, reason in dict.fromkeys(tx.wakes):
                    session.add(store.models.outbox(workflow_id=workflow_id, reason=reason))
                    woke = True
                answers.append((item, response, None))
            for model, values in rows.items():  # one executemany per table
                await session.execute(insert(model), values)
            if deferred:  # in chain order, one executemany
                await session.execute(insert(store.models.audit), deferred)
            await session.flush()
        # committed (durable): now, and only now, the callers are answered
        from services.common.metrics import GROUP_COMMIT_SIZE

        GROUP_COMMIT_SIZE.labels(batch[0].method).observe(len(batch))
        if woke and store.on_commit is not None:
            store.on_commit()
        for item, response, error in answers:
            if item.future.done():
                continue
            if error is not None:
                item.future.set_exception(error)
            else:
                item.future.set_result(response)


@contextlib.asynccontextmanager
async def _no_autoflush(session: AsyncSession) -> Any:
    """One flush for the whole batch (executemany), not one before every read."""
    session.autoflush = False
    try:
        yield
    finally:
        session.autoflush = True


def _replay(existing: Any, method: str, digest: str, key: str, response_type: type[M]) -> M:
    if existing.method != method or existing.request_digest != digest:
        raise AlreadyExists(
            f"idempotency key already used for a different {existing.method} request",
            field="idempotency_key", value=key)
    out = response_type()
    out.ParseFromString(existing.response)
    return out


class Store:
    def __init__(self, service: str, db: Database, models: ServiceModels,
                 group_commit: bool = True):
        self.service = service
        self.db = db
        self.models = models
        self.on_commit: Callable[[], None] | None = None
        self.group: GroupCommitter | None = GroupCommitter(self) if group_commit else None

    async def close(self) -> None:
        if self.group is not None:
            await self.group.close()

    async def mutate(self, key: str, method: str, request: Message, response_type: type[M],
                     fn: Callable[[Tx], Awaitable[M]], actor: common_pb2.Actor | None = None) -> M:
        if not key:
            raise InvalidArgument("an idempotency key is required", field="idempotency_key")
        digest = hashlib.sha256(request.SerializeToString(deterministic=True)).hexdigest()
        role = actor.role if actor is not None and actor.role else "system"
        scope = actor.scope if actor is not None else ""
        if self.group is not None and method in GROUP_COMMIT_METHODS:
            future: asyncio.Future[M] = asyncio.get_running_loop().create_future()
            return await self.group.submit(_Pending(key, method, digest, response_type, fn,
                                                    role, scope, future))
        return await self._mutate_one(key, method, digest, response_type, fn, role, scope)

    async def _mutate_one(self, key: str, method: str, digest: str, response_type: type[M],
                          fn: Callable[[Tx], Awaitable[M]], role: str, scope: str) -> M:
        for attempt in range(3):
            try:
                async with self.db.write() as session:
                    idem = self.models.idempotency
                    existing = await session.get(idem, key)
                    if existing is not None:
                        return _replay(existing, method, digest, key, response_type)
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
        heads = session.info.setdefault("audit_heads", {})  # locked once per transaction
        head = heads.get(election_id)
        if head is None:
            stmt = select(head_model).where(head_model.election_id == election_id)
            if not self.db.sqlite:
                stmt = stmt.with_for_update()
            head = (await session.execute(stmt)).scalar_one_or_none()
            if head is None:
                head = head_model(election_id=election_id, seq=0, hash="")
                session.add(head)
            heads[election_id] = head
        seq = head.seq + 1
        payload_json = canonical_json(payload)
        created_at = utcnow().isoformat()
        digest = record_hash(head.hash, election_id, seq, kind, payload_json, actor_role,
                             actor_scope, created_at)
        values = dict(election_id=election_id, seq=seq, kind=kind, payload_json=payload_json,
                      actor_role=actor_role, actor_scope=actor_scope, created_at=created_at,
                      prev_hash=head.hash, hash=digest)
        deferred = session.info.get("deferred_audit")
        if deferred is not None:  # a group commit inserts its records in one statement
            deferred.append(values)
            record = SimpleNamespace(**values)
        else:
            record = self.models.audit(**values)
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
