"""PostgreSQL for the tests: fresh databases (``gongtui_test_*``) made and dropped per session
or per test, and a small synchronous SQL probe that reads a service's tables on SQLite or on
PostgreSQL alike (``?`` placeholders, the service's schema on the search path).

Which server: ``GONGTUI_TEST_DATABASE_URL`` (set for the PostgreSQL pass of the suite), else
``GONGTUI_TEST_POSTGRES_URL``, else the machine's ``postgres@127.0.0.1:5432``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import re
import sqlite3
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import make_url

DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"


def server_url() -> str:
    return (os.environ.get("GONGTUI_TEST_DATABASE_URL")
            or os.environ.get("GONGTUI_TEST_POSTGRES_URL") or DEFAULT_URL)


def postgres_pass() -> bool:
    """True in the suite's PostgreSQL pass: every service, the API and the stack on PostgreSQL."""
    return bool(os.environ.get("GONGTUI_TEST_DATABASE_URL"))


def required() -> bool:
    return os.environ.get("GONGTUI_REQUIRE_POSTGRES", "") not in ("", "0", "false")


def _dsn(url: str, database: str | None = None) -> str:
    u = make_url(url).set(drivername="postgresql")
    if database is not None:
        u = u.set(database=database)
    return u.render_as_string(hide_password=False)


def _run(coro: Any) -> Any:
    """Run a coroutine to completion from sync code, even inside a running event loop."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


async def _admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(_dsn(server_url(), "postgres"), timeout=3)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def reachable() -> str:
    """'' when the server answers, else why not."""
    try:
        _run(_admin("SELECT 1"))
        return ""
    except Exception as exc:  # noqa: BLE001 - any failure means: not usable here
        return f"PostgreSQL at {make_url(server_url()).render_as_string()} is not reachable: {exc}"


def need_postgres() -> None:
    """Skip with the reason (fail when GONGTUI_REQUIRE_POSTGRES=1) if there is no server."""
    why = reachable()
    if why:
        if required():
            pytest.fail(f"{why} (GONGTUI_REQUIRE_POSTGRES=1 makes PostgreSQL mandatory)")
        pytest.skip(why)


def create_database(prefix: str = "gongtui_test_") -> str:
    """A fresh database; returns its SQLAlchemy URL (asyncpg driver)."""
    name = f"{prefix}{uuid.uuid4().hex[:12]}"
    _run(_admin(f'CREATE DATABASE "{name}"'))
    return make_url(server_url()).set(drivername="postgresql+asyncpg", database=name) \
        .render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    name = make_url(url).database
    assert name and name.startswith("gongtui_test_"), name
    _run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


class SqlProbe:
    """Reads (and, for tamper tests, writes) one service's tables behind its back."""

    def __init__(self, url: str, schema: str):
        self.url = url
        self.schema = schema
        self.sqlite = make_url(url).get_backend_name() == "sqlite"

    @classmethod
    def for_service(cls, url: str, service: str) -> SqlProbe:
        return cls(url, service)

    def _sqlite_path(self) -> Path:
        return Path(str(make_url(self.url).database))

    @staticmethod
    def _pg_sql(sql: str) -> str:
        n = 0

        def number(_m: re.Match[str]) -> str:
            nonlocal n
            n += 1
            return f"${n}"

        return re.sub(r"\?", number, sql)

    async def _pg(self, sql: str, args: Sequence[Any], fetch: bool) -> list[tuple[Any, ...]]:
        import asyncpg

        conn = await asyncpg.connect(_dsn(self.url), timeout=5,
                                     server_settings={"search_path": self.schema})
        try:
            if fetch:
                return [tuple(r) for r in await conn.fetch(self._pg_sql(sql), *args)]
            await conn.execute(self._pg_sql(sql), *args)
            return []
        finally:
            await conn.close()

    def rows(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        if self.sqlite:
            with sqlite3.connect(self._sqlite_path()) as conn:
                return [tuple(r) for r in conn.execute(sql, args).fetchall()]
        return [tuple(r) for r in _run(self._pg(sql, args, True))]

    def count(self, sql: str, *args: Any) -> int:
        return int(self.rows(sql, *args)[0][0])

    def execute(self, sql: str, *args: Any) -> None:
        if self.sqlite:
            with sqlite3.connect(self._sqlite_path()) as conn:
                conn.execute(sql, args)
            return
        _run(self._pg(sql, args, False))

    def tables(self) -> list[str]:
        if self.sqlite:
            return [t for (t,) in self.rows("SELECT name FROM sqlite_master WHERE type='table'")]
        return [t for (t,) in self.rows(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = ?",
            self.schema)]

    def all_text(self) -> str:
        """Every value of every table, blobs decoded, as one string."""
        out: list[str] = []
        for table in self.tables():
            for row in self.rows(f'SELECT * FROM "{table}"'):
                out.extend(v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v)
                           for v in row)
        return "\n".join(out)
