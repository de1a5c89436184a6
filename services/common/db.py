"""Database engines: SQLite (WAL, synchronous FULL) by default, PostgreSQL at scale.

Each service owns its tables. On PostgreSQL every service keeps them in its own schema.
"""

from __future__ import annotations

import asyncio
import itertools
import sqlite3
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase

# Every PostgreSQL session plans each statement for its values. asyncpg prepares statements,
# and after five executions PostgreSQL may settle on a generic plan: one made while
# ballot_codes was small read the codes by a sequential scan and kept doing so as the table
# grew, so every ballot batch read every code (108-115 million rows in one bench run, the rate
# halving pair after pair). Planning per execution costs little beside that.
PG_SESSION = {"plan_cache_mode": "force_custom_plan"}


def pg_session(schema: str | None) -> dict[str, str]:
    """The session settings of a service's PostgreSQL connection: :data:`PG_SESSION` and who
    holds it, ``application_name`` ``gongtui-<service>`` (pg_stat_activity shows it; the chaos
    campaign finds a service's connections by it)."""
    return {**PG_SESSION, **({"application_name": f"gongtui-{schema}"} if schema else {})}


#: asyncpg's errors of a connection lost: closed under the statement, the server shutting
#: down or killing the backend (``pg_terminate_backend``), or not accepting connections yet
_LOST = frozenset({"ConnectionDoesNotExistError", "AdminShutdownError", "CrashShutdownError",
                   "CannotConnectNowError", "ConnectionFailureError",
                   "PostgresConnectionError"})
_LOST_TEXT = ("connection was closed in the middle of operation",
              "terminating connection due to administrator command", "connection is closed")


def connection_lost(exc: BaseException) -> bool:
    """Did ``exc`` come of the database connection being lost rather than of the statement?
    The transaction did not commit then (or, lost during COMMIT, a retry under the same
    idempotency key finds what it wrote): the call may be sent again."""
    from sqlalchemy.exc import DBAPIError

    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        e = todo.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        if isinstance(e, DBAPIError) and e.connection_invalidated:
            return True
        if type(e).__name__ in _LOST or isinstance(e, ConnectionError):
            return True
        if any(t in str(e) for t in _LOST_TEXT):
            return True
        orig = getattr(e, "orig", None)
        todo += [e.__cause__, e.__context__, orig if isinstance(orig, BaseException) else None]
    return False


def asyncpg_dsn(url: str) -> str:
    """The libpq form of a SQLAlchemy PostgreSQL URL, for a connection of asyncpg's own."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


#: sqlite3 connections made by :class:`_OwnConnection`, by serial, until the engine's
#: ``connect`` event claims them (made in aiosqlite's thread, claimed in the event loop's)
_MADE: dict[int, sqlite3.Connection] = {}
_MADE_LOCK = threading.Lock()
_SERIAL = itertools.count(1)
#: the key of a pooled connection's ``info`` that holds its sqlite3 connection
SQLITE3_KEY = "gongtui_sqlite3"


class _OwnConnection(sqlite3.Connection):
    """The sqlite3 connection under each aiosqlite connection of an engine, made by us (as
    sqlite3's ``factory``, which aiosqlite passes through) so that the write path may run
    statements on it directly (``services.common.store.inline``) without reaching into
    aiosqlite. It answers ``SELECT gongtui_connection()`` with its serial, by which the
    engine's ``connect`` event finds it."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        serial = next(_SERIAL)
        with _MADE_LOCK:
            _MADE[serial] = self
        self.create_function("gongtui_connection", 0, lambda: serial, deterministic=True)


def sqlite3_of(pooled: Any) -> sqlite3.Connection | None:
    """The sqlite3 connection under a pooled SQLite connection of :func:`make_engine` (None
    for any other)."""
    found = pooled.info.get(SQLITE3_KEY)
    return found if isinstance(found, sqlite3.Connection) else None


def make_engine(url: str, schema: str | None = None) -> AsyncEngine:
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, connect_args={"timeout": 30,
                                                        "factory": _OwnConnection})

        @event.listens_for(engine.sync_engine, "connect")
        def _pragmas(dbapi_conn, record):  # type: ignore[no-untyped-def]
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("SELECT gongtui_connection()")
            serial = cur.fetchone()[0]
            cur.close()
            with _MADE_LOCK:
                record.info[SQLITE3_KEY] = _MADE.pop(serial)

        return engine
    options: dict[str, Any] = {}
    if schema:
        options["execution_options"] = {"schema_translate_map": {None: schema}}
    options["connect_args"] = {"server_settings": pg_session(schema)}
    engine = create_async_engine(url, pool_size=5, max_overflow=15, pool_pre_ping=True, **options)
    return engine


class Database:
    """An engine, a session factory and, on SQLite, the single-writer lock.

    SQLite allows one writer; serialising write transactions in the owning process avoids
    SQLITE_BUSY on lock upgrades. PostgreSQL needs no such lock (it has row locks).
    """

    def __init__(self, url: str, base: type[DeclarativeBase], schema: str | None = None):
        self.url = url
        self.base = base
        self.schema = schema
        self.sqlite = is_sqlite(url)
        self.engine = make_engine(url, None if self.sqlite else schema)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self._write_lock = asyncio.Lock() if self.sqlite else None

    async def create_all(self) -> None:
        async with self.engine.begin() as conn:
            if not self.sqlite and self.schema:
                from sqlalchemy import text

                await conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"'))
            await conn.run_sync(self.base.metadata.create_all)

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        """One write transaction: commits on success, rolls back on any error."""
        if self._write_lock is not None:
            async with self._write_lock:
                async with self.sessions() as session, session.begin():
                    yield session
        else:
            async with self.sessions() as session, session.begin():
                yield session

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        async with self.sessions() as session:
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()
