"""Alembic migrations per service, applied on start (``gongtui serve <service>``).

Each service keeps its migrations in ``services/<service>/migrations`` (with an
``alembic.ini`` beside them for the ``alembic`` command line). On PostgreSQL the service's
tables, and its ``alembic_version`` table, live in the schema named after the service; the
upgrade holds an advisory lock so that replicas starting together migrate once.

A database made before migrations existed (tables created by ``create_all``, no
``alembic_version``) is stamped with the first revision and upgraded from there.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, MetaData, inspect, text

from services.common.db import Database

SERVICES_DIR = Path(__file__).resolve().parent.parent
FIRST_REVISION = "0001"


def alembic_config(service: str) -> Config:
    folder = SERVICES_DIR / service
    cfg = Config(str(folder / "alembic.ini"))
    cfg.set_main_option("script_location", str(folder / "migrations"))
    cfg.attributes["service"] = service
    return cfg


def head_revision(service: str) -> str:
    return str(ScriptDirectory.from_config(alembic_config(service)).get_current_head())


def run_env(context: Any, metadata: MetaData) -> None:
    """The body of every service's ``migrations/env.py``."""
    cfg = context.config
    connection: Connection | None = cfg.attributes.get("connection")
    schema = cfg.attributes.get("schema")
    if connection is None:  # the alembic command line: a URL from alembic.ini / -x url=...
        from sqlalchemy import create_engine

        url = context.get_x_argument(as_dictionary=True).get("url") or cfg.get_main_option(
            "sqlalchemy.url")
        sync_url = url.replace("+aiosqlite", "").replace("+asyncpg", "+psycopg")
        engine = create_engine(sync_url)
        with engine.connect() as conn:
            _configure_and_run(context, conn, metadata, schema)
            conn.commit()
        return
    _configure_and_run(context, connection, metadata, schema)


def _configure_and_run(context: Any, connection: Connection, metadata: MetaData,
                       schema: str | None) -> None:
    sqlite = connection.dialect.name == "sqlite"
    context.configure(connection=connection, target_metadata=metadata,
                      version_table_schema=None if sqlite else schema,
                      render_as_batch=sqlite, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


def _upgrade(connection: Connection, service: str, schema: str | None, revision: str) -> None:
    cfg = alembic_config(service)
    cfg.attributes["connection"] = connection
    cfg.attributes["schema"] = schema
    insp = inspect(connection)
    tables = set(insp.get_table_names(schema=schema))
    if tables and "alembic_version" not in tables and "audit_records" in tables:
        command.stamp(cfg, FIRST_REVISION)  # made by create_all before migrations existed
    command.upgrade(cfg, revision)


def _downgrade(connection: Connection, service: str, schema: str | None, revision: str) -> None:
    cfg = alembic_config(service)
    cfg.attributes["connection"] = connection
    cfg.attributes["schema"] = schema
    command.downgrade(cfg, revision)


def current_revision(connection: Connection, schema: str | None) -> str | None:
    opts = {} if connection.dialect.name == "sqlite" else {"version_table_schema": schema}
    return MigrationContext.configure(connection, opts=opts).get_current_revision()


async def upgrade(db: Database, service: str, revision: str = "head") -> None:
    """Bring the service's tables to ``revision`` (``head``): idempotent, replica-safe."""
    schema = None if db.sqlite else (db.schema or service)
    async with db.engine.connect() as conn:
        if not db.sqlite:
            lock = f"gongtui-migrate-{schema}"
            await conn.execute(text("SELECT pg_advisory_lock(hashtext(:k))"), {"k": lock})
            await conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
            await conn.commit()
        try:
            await conn.run_sync(_upgrade, service, schema, revision)
            await conn.commit()
        finally:
            if not db.sqlite:
                # a failed migration leaves the transaction aborted: roll it back first, or
                # the unlock fails too and hides the migration's own error
                await conn.rollback()
                await conn.execute(text("SELECT pg_advisory_unlock(hashtext(:k))"), {"k": lock})
                await conn.commit()


async def downgrade(db: Database, service: str, revision: str = "base") -> None:
    schema = None if db.sqlite else (db.schema or service)
    async with db.engine.connect() as conn:
        await conn.run_sync(_downgrade, service, schema, revision)
        await conn.commit()
