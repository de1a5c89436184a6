"""The audit chain cut from the end or emptied: records removed together with the head, or
every record and the head, verify as broken, naming the first broken seq; a service signs
the head of a chain that verifies and refuses to sign a broken one (on a SQLite file, or
PostgreSQL in the suite's PostgreSQL pass)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import delete

from proto import approval_pb2, common_pb2
from services.approval.models import MODELS, ApprovalRequestRow
from services.common.errors import FailedPrecondition
from services.common.mutation import AuditRpcs
from services.common.signing import HeadSigner, check_signed_head
from services.common.store import Store, Tx
from services.common.store.audit import fact_tables
from tests.services.common.test_store import ACTOR, ELECTION, open_store, record

AUDIT = MODELS.audit.__table__
HEADS = MODELS.audit_head.__table__


@pytest.fixture
async def store(tmp_path: Path, service_database_url: str) -> AsyncIterator[Store]:
    url = service_database_url or f"sqlite+aiosqlite:///{tmp_path / 'approval.db'}"
    async with open_store(url, inline=False) as found:
        yield found


async def requested(store: Store, n: int, with_fact: bool = False) -> None:
    for i in range(1, n + 1):
        async def one(tx: Tx, approval_id: str = f"a-{i}") -> approval_pb2.ApprovalRequest:
            if with_fact:
                tx.insert(ApprovalRequestRow, approval_id=approval_id, election_id=ELECTION,
                          community_id="c", street_id="s", committee_id="m",
                          post="secretary", person_id=f"p-{approval_id}", name="n",
                          kind="approval", status="pending")
            return await record(tx, approval_id)

        await store.mutate(f"k-{i}", "RequestApproval",
                           approval_pb2.GetApprovalRequest(approval_id=f"a-{i}"),
                           approval_pb2.ApprovalRequest, one, ACTOR)


async def test_records_cut_after_seq_2_with_the_head_are_broken(store: Store) -> None:
    await requested(store, 4)
    assert (await store.verify_audit(ELECTION)).verified
    async with store.db.write() as session:
        await session.execute(delete(AUDIT).where(AUDIT.c.seq > 2))
        await session.execute(delete(HEADS))
    report = await store.verify_audit(ELECTION)
    assert not report.verified and report.records == 2
    assert report.first_broken_seq == 3
    assert "head is missing" in report.problem


async def test_the_tail_cut_under_a_kept_head_is_broken(store: Store) -> None:
    await requested(store, 4)
    async with store.db.write() as session:
        await session.execute(delete(AUDIT).where(AUDIT.c.seq > 2))
    report = await store.verify_audit(ELECTION)
    assert not report.verified and report.first_broken_seq == 3


async def test_everything_deleted_while_facts_remain_is_broken(store: Store) -> None:
    await requested(store, 3, with_fact=True)
    async with store.db.write() as session:
        await session.execute(delete(AUDIT))
        await session.execute(delete(HEADS))
    report = await store.verify_audit(ELECTION)
    assert not report.verified and report.records == 0 and report.first_broken_seq == 1
    assert "approval_requests" in report.problem


async def test_a_head_without_records_is_broken(store: Store) -> None:
    await requested(store, 2)
    async with store.db.write() as session:
        await session.execute(delete(AUDIT))
    report = await store.verify_audit(ELECTION)
    assert not report.verified and report.first_broken_seq == 1


async def test_an_election_without_facts_verifies_empty(store: Store) -> None:
    report = await store.verify_audit("no-such-election")
    assert report.verified and report.records == 0 and report.head == ""


def test_the_fact_tables_are_the_service_tables_naming_an_election(store: Store) -> None:
    assert [t.name for t in fact_tables(store)] == ["approval_requests"]


class Rpcs(AuditRpcs):
    def __init__(self, store: Store):
        self.store = store


async def test_the_head_is_signed_only_while_the_chain_verifies(store: Store,
                                                                tmp_path: Path) -> None:
    await requested(store, 3)
    rpcs = Rpcs(store)
    request = common_pb2.AuditRequest(election_id=ELECTION)
    with pytest.raises(FailedPrecondition, match="no signing key"):
        await rpcs.SignHead(request, None)
    store.signer = HeadSigner.load_or_create("approval", tmp_path / "approval.pem")
    signed = await rpcs.SignHead(request, None)
    listed = await store.list_audit(ELECTION)
    assert (signed.service, signed.seq, signed.head) == ("approval", 3, listed.records[-1].hash)
    key = await rpcs.GetPublicKey(common_pb2.PublicKeyRequest(), None)
    assert check_signed_head(signed, key.public_key) == ""
    async with store.db.write() as session:
        await session.execute(delete(AUDIT).where(AUDIT.c.seq > 2))
        await session.execute(delete(HEADS))
    with pytest.raises(FailedPrecondition, match="seq 3"):
        await rpcs.SignHead(request, None)
