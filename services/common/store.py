"""The write path every service shares: idempotency, the audit hash chain and the signal outbox.

A mutating RPC runs as one transaction through :meth:`Store.mutate`:
1. the idempotency key is looked up; a replay returns the first response and writes nothing;
2. the domain function stores its facts, appends audit records and queues workflow wake-ups;
3. the response is stored under the key, everything commits at once (nothing is half-written);
4. the outbox relay then signals the workflows ("something changed").

Ballots are not written here: the voting service's ballot box (services/voting/ballot_box.py)
writes them in group commits of its own.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import sqlite3
from collections import namedtuple
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any, TypeVar

from google.protobuf.message import Message
from sqlalchemy import (
    DateTime,
    Integer,
    LargeBinary,
    String,
    Text,
    bindparam,
    insert,
    select,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from proto import common_pb2
from services.common.db import Database
from services.common.errors import AlreadyExists, InvalidArgument

M = TypeVar("M", bound=Message)
log = logging.getLogger(__name__)

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


def _audit_writes(session: AsyncSession) -> _AuditWrites:
    writes = session.info.get("audit_writes")
    if writes is None:
        writes = session.info["audit_writes"] = _AuditWrites()
    return writes


class InlineSQLite:
    """SQLite without a thread hop: the statements of the store's write path run directly on
    the transaction's own sqlite3 connection, in the event loop's thread.

    Through aiosqlite every statement is three or four hand-offs to the connection's thread
    and back (cursor, execute, fetch, close), and on a small machine each hand-off costs more
    CPU than the statement. Here a statement is one call. It is safe because the connection is
    the session's (checked out, inside the process's write lock, and idle while we use it: the
    driver's thread runs only what is handed to it), the statements join the session's
    transaction (SQLAlchemy commits or rolls back that same connection), and SQLite calls on
    one connection are serialised by SQLite itself. Errors come back as SQLAlchemy's.
    """

    #: compiled SELECTs by their cache key: (sql, compiled, bind names, bind and result
    #: processors, row type); shared by every connection (one dialect per process)
    _selects: dict[Any, tuple[Any, ...]] = {}

    def __init__(self, conn: sqlite3.Connection, dialect: Any):
        self.conn = conn
        self.dialect = dialect

    def _compiled(self, stmt: Any, bound: dict[str, Any] | None = None
                  ) -> tuple[str, list[Any], tuple[Any, ...]]:
        """The SQL and parameters of a Core statement, compiled once per shape as SQLAlchemy
        does (its cache key), and the cache entry: (sql, compiled, bind names, bind processors,
        expanding binds, result processors, row type)."""
        dialect = self.dialect
        ck = stmt._generate_cache_key()
        entry = self._selects.get(ck.key) if ck is not None else None
        if entry is None:
            compiled = stmt.compile(dialect=dialect, cache_key=ck)
            result_procs: list[Any] = []
            row: Any = None
            if not (compiled.isupdate or compiled.isdelete or compiled.isinsert):
                result_procs = [c.type.dialect_impl(dialect).result_processor(dialect, None)
                                for c in stmt.selected_columns]
                row = namedtuple("Row", list(stmt.selected_columns.keys()),  # type: ignore[misc,no-redef]
                                 rename=True)
            entry = (compiled.string, compiled, list(compiled.positiontup or ()),
                     compiled._bind_processors,
                     {n for n, b in compiled.binds.items() if b.expanding}, result_procs, row)
            if ck is not None:
                if len(self._selects) >= 2000:
                    self._selects.clear()
                self._selects[ck.key] = entry
        sql, compiled, names, bind_procs, expanding, _, _ = entry
        params = compiled.construct_params(
            bound, extracted_parameters=ck.bindparams if ck is not None else None)
        values: list[Any] = []
        for name in names:
            value = params[name]
            proc = bind_procs.get(name)
            if name in expanding:  # IN (...): one placeholder per item
                if not value:  # an empty list: SQLAlchemy's own rendering
                    return self._uncached(stmt, bound) + (entry,)
                sql = sql.replace(f"__[POSTCOMPILE_{name}]", ", ".join("?" * len(value)), 1)
                values.extend(proc(v) if proc is not None else v for v in value)
            else:
                values.append(proc(value) if proc is not None else value)
        return sql, values, entry

    def _uncached(self, stmt: Any, bound: dict[str, Any] | None = None
                  ) -> tuple[str, list[Any]]:
        compiled = stmt.compile(dialect=self.dialect, compile_kwargs={"render_postcompile": True})
        params = compiled.construct_params(bound)
        procs = compiled._bind_processors
        return compiled.string, [procs[n](params[n]) if procs.get(n) is not None else params[n]
                                 for n in compiled.positiontup or ()]

    def select(self, stmt: Any, bound: dict[str, Any] | None = None) -> list[Any]:
        """The rows of a Core SELECT (columns, not ORM entities), with attribute access by
        column key and the columns' result processing."""
        sql, values, entry = self._compiled(stmt, bound)
        result_procs, row = entry[5], entry[6]
        found = self._run(lambda: self.conn.execute(sql, values).fetchall(), sql, values)
        if any(p is not None for p in result_procs):
            return [row(*[p(v) if p is not None else v
                          for p, v in zip(result_procs, r, strict=True)]) for r in found]
        return [row(*r) for r in found]

    def dml(self, stmt: Any, bound: dict[str, Any] | None = None) -> int:
        """A Core UPDATE or DELETE; the number of rows it matched."""
        sql, values, _ = self._compiled(stmt, bound)
        return self._run(lambda: self.conn.execute(sql, values).rowcount, sql, values)  # type: ignore[no-any-return]

    def _run(self, op: Callable[[], Any], sql: str, params: Any) -> Any:
        try:
            return op()
        except sqlite3.IntegrityError as exc:
            raise IntegrityError(sql, params, exc) from exc
        except sqlite3.OperationalError as exc:
            raise OperationalError(sql, params, exc) from exc

    def first(self, sql: str, params: tuple[Any, ...]) -> tuple[Any, ...] | None:
        return self._run(lambda: self.conn.execute(sql, params).fetchone(),  # type: ignore[no-any-return]
                         sql, params)

    def execute(self, sql: str, params: tuple[Any, ...]) -> int:
        return self._run(lambda: self.conn.execute(sql, params).rowcount, sql, params)  # type: ignore[no-any-return]

    def insert(self, table: Any, rows: list[dict[str, Any]]) -> bool:
        """INSERT ``rows`` (dicts of the same keys) into ``table``, with the column types' bind
        processing; False (nothing done) when a row lacks a column that has a default."""
        names = list(rows[0])
        given = set(names)
        for col in table.c:
            if col.name not in given and (col.default is not None
                                          or col.server_default is not None) \
                    and not (col.primary_key and col.autoincrement in (True, "auto")):
                return False
        procs = [table.c[n].type.dialect_impl(self.dialect).bind_processor(self.dialect)
                 for n in names]
        values = [tuple(p(r[n]) if p is not None else r[n]
                        for n, p in zip(names, procs, strict=True)) for r in rows]
        sql = (f"INSERT INTO {table.name} ({', '.join(names)})"
               f" VALUES ({', '.join('?' * len(names))})")
        self._run(lambda: self.conn.executemany(sql, values), sql, values)
        return True


@dataclass
class ServiceModels:
    """Each service's own declarations of the shared tables (ORM classes)."""
    idempotency: Any
    audit: Any
    audit_head: Any
    outbox: Any


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
        """Add a row that nothing reads back in this transaction: the rows of a table are
        inserted at the end of the transaction in one statement."""
        deferred = self.session.info.get("deferred_rows")
        if deferred is not None:
            deferred.setdefault(model, []).append(values)
        else:
            self.session.add(model(**values))

    def wake(self, workflow_id: str, reason: str) -> None:
        if workflow_id:
            self.wakes.append((workflow_id, reason))


def _replay(existing: Any, method: str, digest: str, key: str, response_type: type[M]) -> M:
    if existing.method != method or existing.request_digest != digest:
        raise AlreadyExists(
            f"idempotency key already used for a different {existing.method} request",
            field="idempotency_key", value=key)
    out = response_type()
    out.ParseFromString(existing.response)
    return out


class Store:
    def __init__(self, service: str, db: Database, models: ServiceModels):
        self.service = service
        self.db = db
        self.models = models
        self.on_commit: Callable[[], None] | None = None
        #: SQLite: run the write path's own statements without a thread hop (InlineSQLite)
        self.inline = False
        self._reader: InlineSQLite | None = None

    @contextlib.asynccontextmanager
    async def read(self) -> Any:
        """A read-only view for :meth:`rows` and :meth:`first` (not for ORM use): with
        ``inline`` on a SQLite file, one read-only connection of this process used in the event
        loop's thread (no pool, no thread hop; WAL readers see what has committed); else an
        ordinary read session."""
        reader = self._read_connection()
        if reader is None:
            async with self.db.read() as session:
                yield session
        else:
            yield SimpleNamespace(info={"inline_sqlite": reader})

    def _read_connection(self) -> InlineSQLite | None:
        if not (self.inline and self.db.sqlite):
            return None
        if self._reader is None:
            path = make_url(self.db.url).database
            if not path or path == ":memory:" or path.startswith("file:"):
                return None
            conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA busy_timeout=30000")
            conn.execute("PRAGMA query_only=1")
            self._reader = InlineSQLite(conn, self.db.engine.dialect)
        return self._reader

    async def inline_sqlite(self, session: AsyncSession) -> InlineSQLite | None:
        """The transaction's InlineSQLite, when the store is on SQLite and ``inline`` is set
        (else None: use the session)."""
        if not (self.inline and self.db.sqlite):
            return None
        found = session.info.get("inline_sqlite")
        if found is None:
            conn = await session.connection()
            raw = (await conn.get_raw_connection()).driver_connection
            sq = getattr(raw, "_conn", None)  # aiosqlite's sqlite3 connection
            found = InlineSQLite(sq, self.db.engine.dialect) \
                if isinstance(sq, sqlite3.Connection) else False
            session.info["inline_sqlite"] = found
        return found if isinstance(found, InlineSQLite) else None

    async def rows(self, session: AsyncSession, stmt: Any, **bound: Any) -> list[Any]:
        """The rows of a Core SELECT: inline on SQLite (see InlineSQLite), else the session's;
        ``bound``: values of the statement's own ``bindparam()``s (a statement made once)."""
        inline = await self.inline_sqlite(session)
        if inline is not None:
            return inline.select(stmt, bound or None)
        return list((await session.execute(stmt, bound or None)).all())

    async def first(self, session: AsyncSession, stmt: Any, **bound: Any) -> Any:
        found = await self.rows(session, stmt, **bound)
        return found[0] if found else None

    async def dml(self, session: AsyncSession, stmt: Any, **bound: Any) -> int:
        """A Core UPDATE or DELETE: inline on SQLite (see InlineSQLite), else the session's;
        the number of rows it matched."""
        inline = await self.inline_sqlite(session)
        if inline is not None:
            return inline.dml(stmt, bound or None)
        result: Any = await session.execute(stmt, bound or None)  # a CursorResult
        return int(result.rowcount)

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.conn.close()
            self._reader = None

    async def mutate(self, key: str, method: str, request: Message, response_type: type[M],
                     fn: Callable[[Tx], Awaitable[M]], actor: common_pb2.Actor | None = None) -> M:
        if not key:
            raise InvalidArgument("an idempotency key is required", field="idempotency_key")
        digest = hashlib.sha256(request.SerializeToString(deterministic=True)).hexdigest()
        role = actor.role if actor is not None and actor.role else "system"
        scope = actor.scope if actor is not None else ""
        return await self._mutate_one(key, method, digest, response_type, fn, role, scope)

    async def _mutate_one(self, key: str, method: str, digest: str, response_type: type[M],
                          fn: Callable[[Tx], Awaitable[M]], role: str, scope: str) -> M:
        idem = self.models.idempotency
        for attempt in range(3):
            try:
                async with self.db.write() as session:
                    inline = await self.inline_sqlite(session)
                    if inline is not None:
                        found = inline.first(
                            f"SELECT method, request_digest, response FROM {idem.__tablename__}"
                            " WHERE key = ?", (key,))
                        existing: Any = None if found is None else SimpleNamespace(
                            method=found[0], request_digest=found[1], response=found[2])
                    else:
                        existing = (await session.execute(
                            select(idem.method, idem.request_digest, idem.response).where(
                                idem.key == key))).first()
                    if existing is not None:
                        return _replay(existing, method, digest, key, response_type)
                    rows: dict[Any, list[dict[str, Any]]] = {}
                    session.info["deferred_rows"] = rows
                    tx = Tx(session, self, role, scope)
                    response = await fn(tx)
                    # the facts, the key with the answer and the wake-ups: plain inserts
                    now = utcnow()
                    inserts: list[tuple[Any, list[dict[str, Any]]]] = [
                        (model.__table__, values) for model, values in rows.items()]
                    inserts.append((idem.__table__, [{
                        "key": key, "method": method, "request_digest": digest,
                        "response": response.SerializeToString(deterministic=True),
                        "created_at": now}]))
                    if tx.wakes:
                        inserts.append((self.models.outbox.__table__, [
                            {"workflow_id": workflow_id, "reason": reason, "created_at": now}
                            for workflow_id, reason in dict.fromkeys(tx.wakes)]))
                    for table, values in inserts:  # one executemany per table
                        if inline is None or not inline.insert(table, values):
                            await session.execute(insert(table), values)
                    await self._write_audit(session)
                if tx.wakes and self.on_commit is not None:
                    self.on_commit()
                return response
            except IntegrityError:
                # A concurrent request with the same key (or a raced unique fact) won: the
                # whole transaction rolled back; look again and answer like the winner did.
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    async def _write_audit(self, session: AsyncSession) -> None:
        """The transaction's audit records (one executemany, in chain order) and its moved
        chain heads."""
        writes = session.info.get("audit_writes")
        if writes is None or not writes.records:
            return
        table = self.models.audit_head.__table__
        fresh = [{"election_id": e, "seq": h.seq, "hash": h.hash}
                 for e, h in writes.heads.items() if h.new]
        inline = await self.inline_sqlite(session)
        if inline is not None:
            inline.insert(self.models.audit.__table__, writes.records)
            if fresh:
                inline.insert(table, fresh)
            sql = f"UPDATE {table.name} SET seq = ?, hash = ? WHERE election_id = ?"
            for election_id, head in writes.heads.items():
                if not head.new:
                    inline.execute(sql, (head.seq, head.hash, election_id))
            for head in writes.heads.values():
                head.new = False
            writes.records.clear()
            return
        await session.execute(insert(self.models.audit.__table__), writes.records)
        moved = [{"b_election_id": e, "b_seq": h.seq, "b_hash": h.hash}
                 for e, h in writes.heads.items() if not h.new]
        if fresh:
            await session.execute(insert(table), fresh)
        if moved:
            await session.execute(
                update(table).where(table.c.election_id == bindparam("b_election_id"))
                .values(seq=bindparam("b_seq"), hash=bindparam("b_hash")), moved)
        for head in writes.heads.values():
            head.new = False
        writes.records.clear()

    async def append_audit(self, session: AsyncSession, election_id: str, kind: str, payload: Any,
                           actor_role: str, actor_scope: str) -> Any:
        """Chain a record on the election's head; the records and the head are written at the
        end of the transaction (the head is read, and locked, once per transaction)."""
        writes = _audit_writes(session)
        head = writes.heads.get(election_id)
        if head is None:
            model = self.models.audit_head
            inline = await self.inline_sqlite(session)
            if inline is not None:
                row: Any = inline.first(f"SELECT seq, hash FROM {model.__tablename__}"
                                        " WHERE election_id = ?", (election_id,))
            else:
                stmt = select(model.seq, model.hash).where(model.election_id == election_id)
                if not self.db.sqlite:
                    stmt = stmt.with_for_update()
                row = (await session.execute(stmt)).first()
            head = _Head(0, "", True) if row is None else _Head(row[0], row[1], False)
            writes.heads[election_id] = head
        seq = head.seq + 1
        payload_json = canonical_json(payload)
        created_at = utcnow().isoformat()
        digest = record_hash(head.hash, election_id, seq, kind, payload_json, actor_role,
                             actor_scope, created_at)
        values = dict(election_id=election_id, seq=seq, kind=kind, payload_json=payload_json,
                      actor_role=actor_role, actor_scope=actor_scope, created_at=created_at,
                      prev_hash=head.hash, hash=digest)
        writes.records.append(values)
        head.seq = seq
        head.hash = digest
        return SimpleNamespace(**values)

    async def verify_audit(self, election_id: str) -> common_pb2.AuditReport:
        audit = self.models.audit.__table__
        heads = self.models.audit_head.__table__
        async with self.read() as session:
            rows = await self.rows(session, select(*audit.c).where(
                audit.c.election_id == election_id).order_by(audit.c.seq))
            head = await self.first(session, select(heads.c.seq, heads.c.hash).where(
                heads.c.election_id == election_id))
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
        audit = self.models.audit.__table__
        async with self.read() as session:
            rows = await self.rows(session, select(*audit.c).where(
                audit.c.election_id == election_id).order_by(audit.c.seq))
        return common_pb2.ListAuditResponse(records=[
            common_pb2.AuditRecord(seq=r.seq, kind=r.kind, payload_json=r.payload_json,
                                   actor_role=r.actor_role, actor_scope=r.actor_scope,
                                   prev_hash=r.prev_hash, hash=r.hash, created_at=r.created_at)
            for r in rows])
