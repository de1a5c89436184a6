"""The API's own chain (tokens, registry, cycles) and token expiry, on SQLite and PostgreSQL:
what is recorded, with whom; a cut, emptied or edited chain is found; an expired token is
refused and says so; a database from before either is upgraded in place."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, text, update

from api import chain
from api.db import (
    ApiAuditHead,
    ApiAuditRecord,
    Principal,
    TokenError,
    TokenRow,
    TokenStore,
    create_api_tables,
    open_database,
    utcnow,
)
from core.config import Settings
from services.common.db import Database
from tests.support import postgres as support

ADMIN = Principal("t-admin", "district_admin", "district:xw", "区委组织部 李")


@pytest.fixture(params=["sqlite", "postgres"])
async def db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    url = ""
    if request.param == "postgres":
        support.need_postgres()
        url = support.create_database()
    database = open_database(Settings(data_dir=tmp_path, database_url=url))
    try:
        await create_api_tables(database)
        await chain.open_chain(database)
        yield database
    finally:
        await database.dispose()
        if url:
            support.drop_database(url)


async def test_tokens_made_and_revoked_are_chained_with_who(db: Database) -> None:
    store = TokenStore(db)
    token, row = await store.create("supervisor", "street:xw-mf", "监督 王", by=ADMIN)
    await store.create("street_committee", "street:xw-mf")  # the operator's CLI
    await store.revoke(row.token_id, by=ADMIN)
    await store.revoke(row.token_id, by=ADMIN)  # once revoked, nothing more to record
    records = await chain.records(db)
    assert [r.kind for r in records] == ["chain.opened", "token.created", "token.created",
                                        "token.revoked"]
    created = json.loads(records[1].payload_json)
    assert (records[1].actor_role, records[1].actor_scope) == ("district_admin", "district:xw")
    assert created["acted_by"] == {"token_id": "t-admin", "holder": "区委组织部 李"}
    assert created["token_id"] == row.token_id and token not in records[1].payload_json
    assert (records[2].actor_role, records[2].actor_scope) == chain.OPERATOR
    report = await chain.verify(db)
    assert report.verified and report.records == 4 and report.head == records[-1].hash


async def test_a_cut_emptied_or_edited_chain_is_broken(db: Database) -> None:
    store = TokenStore(db)
    for i in range(3):
        await store.create("member", f"community:c-{i}", by=ADMIN)
    async with db.write() as session:  # the holder of a token rewritten
        await session.execute(update(ApiAuditRecord).where(ApiAuditRecord.seq == 3).values(
            payload_json=(await chain.records(db))[2].payload_json.replace("区委", "街道")))
    report = await chain.verify(db)
    assert not report.verified and report.first_broken_seq == 3
    assert "content" in report.problem
    async with db.write() as session:  # the tail and the head removed together
        await session.execute(delete(ApiAuditRecord).where(ApiAuditRecord.seq >= 3))
        await session.execute(delete(ApiAuditHead))
    report = await chain.verify(db)
    assert not report.verified and report.first_broken_seq == 3, report
    assert "head is missing" in report.problem
    async with db.write() as session:  # everything
        await session.execute(delete(ApiAuditRecord))
    report = await chain.verify(db)
    assert not report.verified and report.first_broken_seq == 1
    assert "the API has facts (in tokens)" in report.problem


async def test_a_token_expires(db: Database) -> None:
    store = TokenStore(db)
    token, row = await store.create("community_office", "community:c-1", expires_days=30)
    assert row.expiry() - row.created_at == timedelta(days=30)
    default_token, default = await store.create("community_office", "community:c-1")
    assert default.expiry() - default.created_at == timedelta(days=90)
    principal, why = await store.check(token)
    assert principal is not None and why == ""
    async with db.write() as session:
        await session.execute(update(TokenRow).where(TokenRow.token_id == row.token_id)
                              .values(expires_at=utcnow() - timedelta(seconds=1)))
    principal, why = await store.check(token)
    assert principal is None and why.startswith("the token expired at "), why
    assert await store.authenticate(token) is None
    assert await store.authenticate(default_token) is not None
    for days in (0, -1, 4000):
        with pytest.raises(TokenError) as caught:
            await store.create("community_office", "community:c-1", expires_days=days)
        assert caught.value.field == "expires"


async def test_an_older_database_is_upgraded_and_its_chain_opened(tmp_path: Path) -> None:
    db = open_database(Settings(data_dir=tmp_path))
    try:
        async with db.engine.begin() as conn:  # the tokens table as it was before expiry
            await conn.execute(text(
                "CREATE TABLE tokens (token_id VARCHAR(32) PRIMARY KEY, token_hash VARCHAR(64),"
                " role VARCHAR(40), scope VARCHAR(120), name VARCHAR(120), person_id "
                "VARCHAR(80), created_by VARCHAR(40), created_at TIMESTAMP, revoked_at "
                "TIMESTAMP)"))
            await conn.execute(text(
                "INSERT INTO tokens VALUES ('old', 'h', 'supervisor', 'district:*', '', '', "
                f"'cli', '{(utcnow() - timedelta(days=100)).isoformat()}', NULL)"))
        await create_api_tables(db)
        await chain.open_chain(db)
        await chain.open_chain(db)  # once
        records = await chain.records(db)
        assert [r.kind for r in records] == ["chain.opened"]
        assert json.loads(records[0].payload_json)["existing"]["tokens"] == 1
        old = await TokenStore(db).get("old")
        assert old is not None and old.expires_at is None
        assert old.refusal().startswith("the token expired")  # made 100 days ago: 90 passed
        assert (await chain.verify(db)).verified
    finally:
        await db.dispose()
