"""Each service's Alembic migrations and its models agree: a database migrated to head has
exactly the tables, columns, types, indexes and constraints the models declare (autogenerate
finds nothing to do), on SQLite and on PostgreSQL (in the service's schema); and the
migrations go down to nothing and up again."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import create_async_engine

from services.common.db import Database
from services.common.migrate import (
    alembic_config,  # noqa: F401  (the ini is part of the tree)
    current_revision,
    downgrade,
    head_revision,
    upgrade,
)
from tests.paths import ROOT
from tests.support import postgres as support

SERVICES = ("nomination", "voting", "approval")


def base_of(service: str):  # type: ignore[no-untyped-def]
    import importlib

    return importlib.import_module(f"services.{service}.models").Base


def _diff(conn, metadata):  # type: ignore[no-untyped-def]
    ctx = MigrationContext.configure(conn, opts={"compare_type": True})
    return compare_metadata(ctx, metadata)


def _tables(conn, schema):  # type: ignore[no-untyped-def]
    return set(inspect(conn).get_table_names(schema=schema))


async def check(url: str, service: str, schema: str | None) -> None:
    base = base_of(service)
    db = Database(url, base, schema=service)
    try:
        await upgrade(db, service)
        await upgrade(db, service)  # idempotent
        connect_args = {} if schema is None else {"server_settings": {"search_path": schema}}
        engine = create_async_engine(url, connect_args=connect_args)
        try:
            async with engine.connect() as conn:
                assert await conn.run_sync(current_revision, schema) == head_revision(service)
                diff = await conn.run_sync(_diff, base.metadata)
                assert diff == [], f"{service}: models and migrations differ: {diff}"
                tables = await conn.run_sync(_tables, schema)
                assert set(base.metadata.tables) <= tables
            await downgrade(db, service, "base")
            async with engine.connect() as conn:
                assert await conn.run_sync(_tables, schema) <= {"alembic_version"}
            await upgrade(db, service)
            async with engine.connect() as conn:
                assert await conn.run_sync(_diff, base.metadata) == []
        finally:
            await engine.dispose()
    finally:
        await db.dispose()


@pytest.mark.parametrize("service", SERVICES)
async def test_migrations_match_models_on_sqlite(service: str, tmp_path: Path) -> None:
    await check(f"sqlite+aiosqlite:///{tmp_path / (service + '.db')}", service, None)


@pytest.mark.postgres
@pytest.mark.parametrize("service", SERVICES)
async def test_migrations_match_models_on_postgres(service: str, postgres_url: str) -> None:
    await check(postgres_url, service, service)


async def test_a_database_made_before_migrations_is_adopted(tmp_path: Path) -> None:
    """Tables made by create_all (before migrations existed) are stamped, not made twice."""
    base = base_of("approval")
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'approval.db'}", base, schema="approval")
    try:
        await db.create_all()
        await upgrade(db, "approval")
        async with db.engine.connect() as conn:
            assert await conn.run_sync(current_revision, None) == head_revision("approval")
    finally:
        await db.dispose()


def test_every_service_has_its_migrations() -> None:
    root = ROOT / "services"
    for service in SERVICES:
        assert (root / service / "alembic.ini").exists()
        assert list((root / service / "migrations" / "versions").glob("0001_*.py"))
    _ = support
