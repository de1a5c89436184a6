"""The token store on PostgreSQL: its own schema "api", hashed tokens, revocation."""

from __future__ import annotations

import os
import socket
import uuid
from pathlib import Path

import pytest

from api.db import TokenStore, database_url, open_database
from core.config import Settings

pytestmark = pytest.mark.postgres
URL = os.environ.get("GONGTUI_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")


def reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


async def test_tokens_in_the_api_schema(tmp_path: Path) -> None:
    if not reachable():
        if os.environ.get("GONGTUI_REQUIRE_POSTGRES"):
            pytest.fail("PostgreSQL is required (GONGTUI_REQUIRE_POSTGRES) but not reachable")
        pytest.skip("no PostgreSQL on 127.0.0.1:5432")
    settings = Settings(data_dir=tmp_path, database_url=URL)
    assert database_url(settings) == (URL, "api")
    db = open_database(settings)
    try:
        await db.create_all()
        store = TokenStore(db)
        name = f"pg-{uuid.uuid4().hex[:6]}"
        token, row = await store.create("supervisor", "district:*", name)
        principal = await store.authenticate(token)
        assert principal is not None and principal.role == "supervisor"
        from sqlalchemy import text

        async with db.read() as session:
            stored = (await session.execute(text(
                "SELECT token_hash FROM api.tokens WHERE token_id = :t"), {"t": row.token_id})
            ).scalar_one()
        assert stored != token and len(stored) == 64
        await store.revoke(row.token_id)
        assert await store.authenticate(token) is None
    finally:
        await db.dispose()
