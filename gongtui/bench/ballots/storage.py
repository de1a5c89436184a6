"""The databases' side of the benchmark: the raw commit rate, the receipts stored, a fresh
PostgreSQL database per run."""

from __future__ import annotations

import secrets
import sqlite3
import time
import uuid
from pathlib import Path

from gongtui.bench.ballots.plumbing import dsn, run_sync


def stored_receipts(database_url: str, data_dir: Path, round_id: str) -> list[str]:
    if not database_url:
        with sqlite3.connect(data_dir / "voting.db") as conn:
            return [r for (r,) in conn.execute("SELECT receipt FROM ballots WHERE round_id=?",
                                               (round_id,))]

    async def fetch() -> list[str]:
        import asyncpg

        conn = await asyncpg.connect(dsn(database_url))
        try:
            rows = await conn.fetch("SELECT receipt FROM voting.ballots WHERE round_id=$1",
                                    round_id)
            return [r[0] for r in rows]
        finally:
            await conn.close()

    return run_sync(fetch())


# ----------------------------------------------------------------------------- raw commits
def raw_sqlite_commits(path: Path, seconds: float) -> float:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE IF NOT EXISTS raw (id TEXT PRIMARY KEY, payload TEXT)")
    n = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        conn.execute("BEGIN")
        conn.execute("INSERT INTO raw VALUES (?, ?)", (secrets.token_hex(16), "x" * 200))
        conn.execute("COMMIT")
        n += 1
    elapsed = time.perf_counter() - start
    conn.close()
    return n / elapsed


async def raw_postgres_commits(url: str, seconds: float) -> float:
    import asyncpg

    conn = await asyncpg.connect(dsn(url))
    try:
        await conn.execute("CREATE TABLE IF NOT EXISTS raw_commits (id TEXT PRIMARY KEY, payload TEXT)")
        n = 0
        start = time.perf_counter()
        while time.perf_counter() - start < seconds:
            await conn.execute("INSERT INTO raw_commits VALUES ($1, $2)",  # autocommit: one commit
                               secrets.token_hex(16), "x" * 200)
            n += 1
        elapsed = time.perf_counter() - start
        await conn.execute("DROP TABLE raw_commits")
        return n / elapsed
    finally:
        await conn.close()


async def postgres_database(server_url: str) -> str:
    import asyncpg
    from sqlalchemy.engine import make_url

    name = f"gongtui_test_bench_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(dsn(server_url, "postgres"))
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return make_url(server_url).set(drivername="postgresql+asyncpg", database=name) \
        .render_as_string(hide_password=False)


async def drop_postgres_database(url: str) -> None:
    import asyncpg
    from sqlalchemy.engine import make_url

    name = make_url(url).database
    conn = await asyncpg.connect(dsn(url, "postgres"))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()
