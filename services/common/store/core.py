"""The Store and its transaction: the write path every service shares.

A mutating RPC runs as one transaction through :meth:`Store.mutate`:
1. the idempotency key is looked up; a replay returns the first response and writes nothing;
2. the domain function stores its facts, appends audit records and queues workflow wake-ups;
3. the response is stored under the key, everything commits at once (nothing is half-written);
4. the outbox relay then signals the workflows ("something changed").

Ballots are not written here: the voting service's ballot box writes them in group commits
of its own.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from google.protobuf.message import Message
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from proto import common_pb2
from services.common.db import Database, sqlite3_of
from services.common.store import audit, idempotency
from services.common.store.inline import InlineSQLite, open_reader
from services.common.store.outbox import outbox_rows
from services.common.store.tables import ServiceModels, utcnow

M = TypeVar("M", bound=Message)


class ReadSession:
    """A read-only view for Core SELECTs (not for ORM use): the process's own read-only
    SQLite connection (inline), or an ordinary read session."""

    def __init__(self, inline: InlineSQLite | None = None,
                 session: AsyncSession | None = None):
        self._inline = inline
        self._session = session

    async def rows(self, stmt: Any, **bound: Any) -> list[Any]:
        """The rows of a Core SELECT (attribute access by column key); ``bound``: values of
        the statement's own ``bindparam()``s."""
        if self._inline is not None:
            return self._inline.select(stmt, bound or None)
        assert self._session is not None
        return list((await self._session.execute(stmt, bound or None)).all())

    async def first(self, stmt: Any, **bound: Any) -> Any:
        found = await self.rows(stmt, **bound)
        return found[0] if found else None


#: what the domain code reads through: a write transaction's session or a read session
Session = AsyncSession | ReadSession


@dataclass
class Tx:
    """The open transaction handed to a domain function."""

    session: AsyncSession
    store: Store
    actor_role: str
    actor_scope: str
    wakes: list[tuple[str, str]] = field(default_factory=list)
    #: the acting token's ID and its holder (the API's assertion; the operator's certificate;
    #: the person a workflow records a control act for): named by every record, see
    #: :func:`services.common.store.audit.acted_by`
    actor_token_id: str = ""
    actor_holder: str = ""

    async def audit(self, election_id: str, kind: str, payload: Any) -> audit.AuditEntry:
        return await self.store.append_audit(
            self.session, election_id, kind,
            audit.acted_by(payload, self.actor_token_id, self.actor_holder),
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


class Store:
    def __init__(self, service: str, db: Database, models: ServiceModels):
        self.service = service
        self.db = db
        self.models = models
        self.on_commit: Callable[[], None] | None = None
        #: SQLite: run the store's own statements without a thread hop (InlineSQLite)
        self.inline = False
        self._reader: InlineSQLite | None = None
        #: the service's head-signing key (services.common.signing.HeadSigner), set at start
        self.signer: Any = None

    @contextlib.asynccontextmanager
    async def read(self) -> AsyncIterator[ReadSession]:
        """A read-only view for :meth:`rows` and :meth:`first`: with ``inline`` on a SQLite
        file, one read-only connection of this process used in the event loop's thread; else
        an ordinary read session."""
        if self.inline and self.db.sqlite and self._reader is None:
            self._reader = open_reader(self.db.url, self.db.engine.dialect)
        if self._reader is not None:
            yield ReadSession(inline=self._reader)
        else:
            async with self.db.read() as session:
                yield ReadSession(session=session)

    async def inline_sqlite(self, session: AsyncSession) -> InlineSQLite | None:
        """The transaction's InlineSQLite, when the store is on SQLite and ``inline`` is set
        (else None: use the session)."""
        if not (self.inline and self.db.sqlite):
            return None
        found = session.info.get("inline_sqlite")
        if found is None:
            conn = await session.connection()
            own = sqlite3_of(await conn.get_raw_connection())
            found = False if own is None else InlineSQLite(own, self.db.engine.dialect)
            session.info["inline_sqlite"] = found
        return found if isinstance(found, InlineSQLite) else None

    async def rows(self, session: Session, stmt: Any, **bound: Any) -> list[Any]:
        """The rows of a Core SELECT: inline on SQLite (see InlineSQLite), else the session's;
        ``bound``: values of the statement's own ``bindparam()``s (a statement made once)."""
        if isinstance(session, ReadSession):
            return await session.rows(stmt, **bound)
        inline = await self.inline_sqlite(session)
        if inline is not None:
            return inline.select(stmt, bound or None)
        return list((await session.execute(stmt, bound or None)).all())

    async def first(self, session: Session, stmt: Any, **bound: Any) -> Any:
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
        digest = idempotency.request_digest(key, request)
        role = actor.role if actor is not None and actor.role else "system"
        scope = actor.scope if actor is not None else ""
        who = (actor.token_id, actor.name) if actor is not None else ("", "")
        for attempt in range(3):
            try:
                return await self._mutate_once(key, method, digest, response_type, fn, role,
                                               scope, who)
            except IntegrityError:
                # A concurrent request with the same key (or a raced unique fact) won: the
                # whole transaction rolled back; look again and answer like the winner did.
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    async def _mutate_once(self, key: str, method: str, digest: str, response_type: type[M],
                           fn: Callable[[Tx], Awaitable[M]], role: str, scope: str,
                           who: tuple[str, str] = ("", "")) -> M:
        models = self.models
        async with self.db.write() as session:
            inline = await self.inline_sqlite(session)
            answered = await idempotency.find(models.idempotency, session, inline, key)
            if answered is not None:
                return idempotency.replay(answered, method, digest, key, response_type)
            rows: dict[Any, list[dict[str, Any]]] = {}
            session.info["deferred_rows"] = rows
            tx = Tx(session, self, role, scope, actor_token_id=who[0], actor_holder=who[1])
            response = await fn(tx)
            # the facts, the key with the answer and the wake-ups: plain inserts
            now = utcnow()
            inserts: list[tuple[Any, list[dict[str, Any]]]] = [
                (model.__table__, values) for model, values in rows.items()]
            inserts.append((models.idempotency.__table__,
                            [idempotency.key_row(key, method, digest, response, now)]))
            if tx.wakes:
                inserts.append((models.outbox.__table__, outbox_rows(tx.wakes, now)))
            for table, values in inserts:  # one executemany per table
                if inline is None or not inline.insert(table, values):
                    await session.execute(insert(table), values)
            await audit.write(self, session)
        if tx.wakes and self.on_commit is not None:
            self.on_commit()
        return response

    async def append_audit(self, session: AsyncSession, election_id: str, kind: str, payload: Any,
                           actor_role: str, actor_scope: str) -> audit.AuditEntry:
        """Chain a record on the election's head (see ``services.common.store.audit``)."""
        return await audit.append(self, session, election_id, kind, payload, actor_role,
                                  actor_scope)

    async def verify_audit(self, election_id: str) -> common_pb2.AuditReport:
        return await audit.verify(self, election_id)

    async def list_audit(self, election_id: str, page_size: int = 0,
                         page_token: str = "") -> common_pb2.ListAuditResponse:
        return await audit.listing(self, election_id, page_size, page_token)
