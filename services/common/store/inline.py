"""SQLite without a thread hop: the store's statements run directly on a sqlite3 connection
in the event loop's thread.

Through aiosqlite every statement is three or four hand-offs to the connection's thread and
back (cursor, execute, fetch, close), and on a small machine each hand-off costs more CPU than
the statement. Here a statement is one call. The write path uses the sqlite3 connection under
its session (made by the engine's own factory, see ``services.common.db``); the read path a
read-only connection of the process (:func:`open_reader`).
"""

from __future__ import annotations

import sqlite3
from collections import namedtuple
from collections.abc import Callable
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError, OperationalError


class InlineSQLite:
    """Core statements compiled as SQLAlchemy would and run on one sqlite3 connection.

    On the write path it is safe because the connection is the session's (checked out,
    inside the process's write lock, and idle while we use it: the driver's thread runs only
    what is handed to it), the statements join the session's transaction (SQLAlchemy commits
    or rolls back that same connection), and SQLite calls on one connection are serialised by
    SQLite itself. Errors come back as SQLAlchemy's.
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


def open_reader(url: str, dialect: Any) -> InlineSQLite | None:
    """A read-only connection of this process to the SQLite file at ``url``, used in the event
    loop's thread (no pool, no thread hop; WAL readers see what has committed); None for an
    in-memory or URI database, which another connection cannot share."""
    path = make_url(url).database
    if not path or path == ":memory:" or path.startswith("file:"):
        return None
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA busy_timeout=30000")
    conn.execute("PRAGMA query_only=1")
    return InlineSQLite(conn, dialect)
