"""ListAudit pages through an election's chain: every record once, in order, a page never
above its size; a malformed page size or token is refused naming the field."""

from __future__ import annotations

import json

import pytest

from proto import approval_pb2
from services.common.errors import InvalidArgument
from services.common.paging import all_audit_records
from services.common.store import Store, Tx
from services.common.store.audit import AUDIT_PAGE_MAX
from tests.services.common.test_store import ACTOR, ELECTION, store  # noqa: F401 - fixture


async def test_the_chain_is_read_page_by_page(store: Store) -> None:  # noqa: F811
    for i in range(7):
        async def write(tx: Tx, i: int = i) -> approval_pb2.ApprovalRequest:
            await tx.audit(ELECTION, "test.record", {"i": i})
            return approval_pb2.ApprovalRequest(approval_id=f"a-{i}")

        await store.mutate(f"k-{i}", "RequestApproval", approval_pb2.GetApprovalRequest(
            approval_id=f"a-{i}"), approval_pb2.ApprovalRequest, write, ACTOR)
    pages, token = [], ""
    while True:
        page = await store.list_audit(ELECTION, 3, token)
        pages.append([r.seq for r in page.records])
        token = page.next_page_token
        if not token:
            break
    assert pages == [[1, 2, 3], [4, 5, 6], [7]]
    whole = await store.list_audit(ELECTION)  # the default page holds them all
    assert [r.seq for r in whole.records] == list(range(1, 8)) and not whole.next_page_token

    class Stub:  # the gRPC stub's ListAudit, on the store
        async def ListAudit(self, request):  # type: ignore[no-untyped-def]  # noqa: N802
            return await store.list_audit(request.election_id, request.page_size,
                                          request.page_token)

    assert [r.seq for r in await all_audit_records(Stub(), ELECTION, 2)] == list(range(1, 8))

    for size, token, field in ((-1, "", "page_size"), (AUDIT_PAGE_MAX + 1, "", "page_size"),
                               (3, "seven", "page_token"), (3, "seq:-4", "page_token")):
        with pytest.raises(InvalidArgument) as exc:
            await store.list_audit(ELECTION, size, token)
        assert exc.value.field == field


async def test_the_bundle_holds_every_page_of_each_chain(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    """``audit export`` of a chain longer than one ListAudit page writes it whole (it used to
    write the first page only: a bundle that then failed its own verification)."""
    from services.common import bundle

    for i in range(7):
        async def write(tx: Tx, i: int = i) -> approval_pb2.ApprovalRequest:
            await tx.audit(ELECTION, "test.record", {"i": i})
            return approval_pb2.ApprovalRequest(approval_id=f"a-{i}")

        await store.mutate(f"k-{i}", "RequestApproval", approval_pb2.GetApprovalRequest(
            approval_id=f"a-{i}"), approval_pb2.ApprovalRequest, write, ACTOR)

    class Stub:  # a service whose default page holds 3 records
        async def ListAudit(self, request):  # type: ignore[no-untyped-def]  # noqa: N802
            return await store.list_audit(request.election_id, request.page_size or 3,
                                          request.page_token)

    class Clients:
        nomination = voting = approval = Stub()

    async def nothing(*args: object) -> list[object]:
        return []

    monkeypatch.setattr(bundle.anchors, "public_keys", nothing)
    monkeypatch.setattr(bundle.anchors, "signed_heads", nothing)

    async def no_notices(*args: object) -> tuple[list[object], list[object]]:
        return [], []

    monkeypatch.setattr(bundle.anchors, "published", no_notices)
    monkeypatch.setattr(bundle, "counted_rounds", nothing)
    files = await bundle.bundle_files(Clients(), ELECTION)  # type: ignore[arg-type]
    seqs = [json.loads(line)["seq"] for line in files["voting.audit.jsonl"].splitlines()]
    assert seqs == list(range(1, 8))
