"""The shared write path on a real database (a SQLite file with and without the inline path,
or PostgreSQL in the suite's PostgreSQL pass): idempotent mutations, nothing half-written,
the audit chain and its verification, the typed read session, and the inline path running
on the very connection of the session's transaction."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import DeclarativeBase

from proto import approval_pb2, common_pb2
from services.approval.models import MODELS, ApprovalRequestRow, Base
from services.common.db import Database
from services.common.errors import AlreadyExists, InvalidArgument, NotFound
from services.common.migrate import upgrade
from services.common.store import ReadSession, Store, Tx, insert_columns, shared_models
from tests.support import postgres as support

ELECTION = "xw-001-2026"
ACTOR = common_pb2.Actor(role="community_office", scope="community:xw-001")


@contextlib.asynccontextmanager
async def open_store(url: str, inline: bool) -> AsyncIterator[Store]:
    db = Database(url, Base, schema="approval")
    await upgrade(db, "approval")
    found = Store("approval", db, MODELS)
    found.inline = inline
    try:
        yield found
    finally:
        await found.close()
        await db.dispose()


# SQLite: with the inline path (as the services run) and without it; PostgreSQL: its session
@pytest.fixture(params=["session"] if support.postgres_pass() else ["inline", "session"])
async def store(request: pytest.FixtureRequest, tmp_path: Path,
                service_database_url: str) -> AsyncIterator[Store]:
    url = service_database_url or f"sqlite+aiosqlite:///{tmp_path / 'approval.db'}"
    async with open_store(url, request.param == "inline") as found:
        yield found


def requested(approval_id: str = "a-1") -> approval_pb2.ApprovalRequest:
    return approval_pb2.ApprovalRequest(approval_id=approval_id, election_id=ELECTION)


async def record(tx: Tx, approval_id: str = "a-1") -> approval_pb2.ApprovalRequest:
    await tx.audit(ELECTION, "approval.requested", {"approval_id": approval_id})
    tx.wake("wf-1", "approval")
    return requested(approval_id)


async def count(store: Store, table: str) -> int:
    """Rows of ``table`` (Core, so that on PostgreSQL the service's schema applies)."""
    stmt = select(func.count()).select_from(Base.metadata.tables[table])
    async with store.db.read() as session:
        return int((await session.execute(stmt)).scalar_one())


async def test_a_retried_request_gets_the_first_answer_and_writes_nothing(store: Store) -> None:
    req = approval_pb2.GetApprovalRequest(approval_id="a-1")
    first = await store.mutate("k-1", "RequestApproval", req, approval_pb2.ApprovalRequest,
                               record, ACTOR)
    calls = []

    async def again(tx: Tx) -> approval_pb2.ApprovalRequest:
        calls.append(tx)
        return await record(tx)

    replay = await store.mutate("k-1", "RequestApproval", req, approval_pb2.ApprovalRequest,
                                again, ACTOR)
    assert replay == first and calls == []
    assert [await count(store, t) for t in ("idempotency_keys", "audit_records",
                                            "signal_outbox")] == [1, 1, 1]
    other = approval_pb2.GetApprovalRequest(approval_id="a-2")
    with pytest.raises(AlreadyExists) as refused:
        await store.mutate("k-1", "RequestApproval", other, approval_pb2.ApprovalRequest,
                           record, ACTOR)
    assert refused.value.field == "idempotency_key"
    with pytest.raises(InvalidArgument):
        await store.mutate("", "RequestApproval", req, approval_pb2.ApprovalRequest, record)


async def test_a_refused_mutation_leaves_nothing(store: Store) -> None:
    async def half(tx: Tx) -> approval_pb2.ApprovalRequest:
        await record(tx)
        tx.insert(ApprovalRequestRow, approval_id="a-9", election_id=ELECTION,
                  community_id="c", street_id="s", committee_id="m", post="secretary",
                  person_id="p", name="n", kind="approval", status="pending")
        raise NotFound("no such thing", field="approval_id")

    with pytest.raises(NotFound):
        await store.mutate("k-2", "RequestApproval", approval_pb2.GetApprovalRequest(),
                           approval_pb2.ApprovalRequest, half, ACTOR)
    for table in ("idempotency_keys", "audit_records", "audit_heads", "signal_outbox",
                  "approval_requests"):
        assert await count(store, table) == 0, table


async def test_the_chain_verifies_and_shows_a_tampered_record(store: Store) -> None:
    for i in range(3):
        async def one(tx: Tx, approval_id: str = f"a-{i}") -> approval_pb2.ApprovalRequest:
            return await record(tx, approval_id)

        await store.mutate(f"k-{i}", "RequestApproval",
                           approval_pb2.GetApprovalRequest(approval_id=f"a-{i}"),
                           approval_pb2.ApprovalRequest, one, ACTOR)
    listed = await store.list_audit(ELECTION)
    assert [r.seq for r in listed.records] == [1, 2, 3]
    assert [r.prev_hash for r in listed.records[1:]] == [r.hash for r in listed.records[:2]]
    report = await store.verify_audit(ELECTION)
    assert report.verified and report.records == 3 and report.head == listed.records[-1].hash
    async with store.db.write() as session:
        audit = MODELS.audit.__table__
        await session.execute(update(audit).where(audit.c.seq == 2).values(payload_json="{}"))
    report = await store.verify_audit(ELECTION)
    assert not report.verified and report.first_broken_seq == 2
    assert report.problem == "hash does not match the record's content"


async def test_reads_go_through_a_typed_read_session(store: Store) -> None:
    await store.mutate("k-1", "RequestApproval", approval_pb2.GetApprovalRequest(),
                       approval_pb2.ApprovalRequest, record, ACTOR)
    heads = MODELS.audit_head.__table__
    async with store.read() as session:
        assert isinstance(session, ReadSession)
        rows = await session.rows(select(heads.c.election_id, heads.c.seq))
        assert [(r.election_id, r.seq) for r in rows] == [(ELECTION, 1)]
        assert (await store.first(session, select(heads.c.seq))).seq == 1
        assert await session.first(select(heads.c.seq).where(
            heads.c.election_id == "none")) is None


async def test_the_inline_path_runs_on_the_transactions_own_connection(tmp_path: Path) -> None:
    async with open_store(f"sqlite+aiosqlite:///{tmp_path / 'approval.db'}", True) as store, \
            store.db.write() as session:
        inline = await store.inline_sqlite(session)
        assert inline is not None
        await session.execute(insert(MODELS.audit_head.__table__).values(
            election_id="uncommitted", seq=7, hash=""))
        # only the connection of this very transaction sees its uncommitted row
        assert inline.first("SELECT seq FROM audit_heads WHERE election_id = ?",
                            ("uncommitted",)) == (7,)
        async with store.read() as reader:
            assert await reader.rows(select(MODELS.audit_head.__table__)) == []
        await session.rollback()
    assert store.inline


def test_the_shared_tables_are_made_on_any_base() -> None:
    class Other(DeclarativeBase):
        pass

    models = shared_models(Other)
    assert set(Other.metadata.tables) == {"idempotency_keys", "audit_records", "audit_heads",
                                          "signal_outbox"}
    assert models.audit.__table__ is Other.metadata.tables["audit_records"]
    assert insert_columns(models.audit) == (
        "election_id", "seq", "kind", "payload_json", "actor_role", "actor_scope",
        "created_at", "prev_hash", "hash")
    assert insert_columns(models.outbox) == ("workflow_id", "reason", "created_at")
