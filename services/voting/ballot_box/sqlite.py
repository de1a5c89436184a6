"""The SQLite writer: a batch in one BEGIN IMMEDIATE ... COMMIT on the box's own connection.

The statements run on the event loop under the process's write lock and only the COMMIT (the
WAL write and fsync) on the box's thread (``SqliteWriter.write``).
"""

from __future__ import annotations

import asyncio
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy.engine import make_url

from services.common.db import Database
from services.voting.ballot_box.judge import Batch, Cast, judge, round_from_row
from services.voting.ballot_box.tables import (
    BALLOT_COLUMNS,
    BALLOT_ROW,
    BALLOTS,
    CODE_READ,
    CODES,
    ROUND_READ,
    ROUNDS,
)


def _marks(n: int) -> str:
    return ",".join("?" * n)


# the statements whose text does not depend on the batch, made once
_INSERT_BALLOTS = f"INSERT INTO {BALLOTS} ({BALLOT_COLUMNS}) VALUES ({_marks(len(BALLOT_ROW))})"


def stage_batch_sqlite(conn: sqlite3.Connection, batch: Batch) -> list[Any]:
    """Judge one batch and write it into the open transaction of ``conn`` (begun with BEGIN
    IMMEDIATE by the caller); nothing is durable until the caller commits."""
    marks = _marks
    round_ids = sorted({req.round_id for req, _ in batch})
    rounds = {r[0]: round_from_row(r) for r in conn.execute(
        f"SELECT {ROUND_READ} FROM {ROUNDS}"
        f" WHERE round_id IN ({marks(len(round_ids))})", round_ids)}
    hashes = sorted({h for _, h in batch})
    codes = {h: (r, bool(u)) for h, r, u in conn.execute(
        f"SELECT {CODE_READ} FROM {CODES}"
        f" WHERE code_hash IN ({marks(len(hashes))})", hashes)}
    out, w = judge(batch, rounds, codes)
    if w.ballots:
        conn.executemany(_INSERT_BALLOTS, w.ballots)
        conn.execute(f"UPDATE {CODES} SET used = 1 WHERE code_hash IN"
                     f" ({marks(len(w.used))})", w.used)
    return out


def write_batch_sqlite(conn: sqlite3.Connection, batch: Batch) -> list[Any]:
    """One batch on SQLite in one BEGIN IMMEDIATE ... COMMIT, all on the calling thread."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        out = stage_batch_sqlite(conn, batch)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return out


class SqliteWriter:
    """The box's own connection to the service's SQLite file and the one thread its commits
    run on, both made on first use."""

    def __init__(self, db: Database):
        self.db = db
        self._thread: ThreadPoolExecutor | None = None
        self._sqlite: sqlite3.Connection | None = None

    async def write(self, items: list[Cast]) -> list[Any]:
        if self._thread is None:
            self._thread = ThreadPoolExecutor(1, thread_name_prefix="ballot-box")
        assert self.db._write_lock is not None
        async with self.db._write_lock:  # one writer in the process (see Database)
            return await self._write_sqlite(items)

    async def close(self) -> None:
        if self._thread is not None:
            if self._sqlite is not None:
                await asyncio.get_running_loop().run_in_executor(self._thread, self._sqlite.close)
            self._thread.shutdown(wait=True)

    async def _write_sqlite(self, items: list[Cast]) -> list[Any]:
        """The statements run here, on the event loop (microseconds each: the pages are in
        SQLite's cache until the commit); only the COMMIT — the WAL write and its fsync, the
        part that waits on the disk — runs on the ballot box's thread. Done the other way
        round, the thread took the GIL back after every statement and row and queued behind
        the busy event loop each time (up to the 5 ms switch interval): measured, the writer
        then spent 2.5× its CPU time waiting."""
        loop = asyncio.get_running_loop()
        if self._sqlite is None:
            self._sqlite = _sqlite_connection(self.db.url)
        conn = self._sqlite
        try:
            conn.execute("BEGIN IMMEDIATE")  # busy_timeout 0 here: never blocks the loop
        except sqlite3.OperationalError:  # another connection writes: wait for it off the loop
            return await loop.run_in_executor(self._thread, _waiting, conn, items)
        try:
            out = stage_batch_sqlite(conn, items)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        try:
            await loop.run_in_executor(self._thread, conn.execute, "COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        return out


def _waiting(conn: sqlite3.Connection, items: list[Cast]) -> list[Any]:
    conn.execute("PRAGMA busy_timeout=30000")
    try:
        return write_batch_sqlite(conn, items)
    finally:
        conn.execute("PRAGMA busy_timeout=0")


def _sqlite_connection(async_url: str) -> sqlite3.Connection:
    """The ballot box's own connection to the service's SQLite file: WAL, synchronous FULL (a
    ballot is acknowledged only once it is on disk); transactions begun explicitly."""
    conn = sqlite3.connect(make_url(async_url).database or ":memory:", timeout=0,
                           isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA busy_timeout=0")  # see SqliteWriter._write_sqlite
    return conn
