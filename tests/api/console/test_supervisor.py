"""The supervisor's audit page on the real stack: the chains verified on screen, the counted
round's ballot-box digest as the API states it, and after a record is altered in the voting
service's database, the first broken record named."""

from __future__ import annotations

import httpx
import pytest

from gongtui.stack import EmbeddedStack
from tests.api.conftest import Stubs, TokenFactory, bearer
from tests.api.console.conftest import codes, congress, place, roster, sign_in

pytestmark = pytest.mark.stack


async def test_the_audit_chain_is_verified_on_screen_and_a_break_is_named(
        stack: EmbeddedStack, stack_sql, http: httpx.AsyncClient, stubs: Stubs,  # type: ignore[no-untyped-def]
        make_token: TokenFactory) -> None:
    district, _, community, eid = await place(stack, stubs, "audit")
    office = bearer(await make_token("community_office", f"community:{community}"))
    await roster(http, office, eid)
    c = await congress(http, stubs, eid, office)
    for code in await codes(http, c, ["p1", "p2"]):
        r = await http.post("/api/v1/ballots", json={"round_id": c.round_id, "code": code,
                                                     "marks": [{"person_id": "p1",
                                                                "choice": "for"}]})
        assert r.status_code == 201
    r = await http.post(f"/api/v1/elections/{eid}/rounds/{c.round_id}/close", headers=office)
    digest = r.json()["ballot_box_digest"]

    await sign_in(http, await make_token("supervisor", f"district:{district}"))
    page = await http.get(f"/console/audit/{eid}")
    assert page.status_code == 200, page.text
    assert "审计链完整" in page.text and digest in page.text and "电子投票" in page.text

    seq = stack_sql("voting").rows(
        "SELECT min(seq) FROM audit_records WHERE election_id = ?", eid)[0][0]
    stack_sql("voting").execute(
        "UPDATE audit_records SET payload_json = ? WHERE election_id = ? AND seq = ?",
        '{"altered": true}', eid, seq)
    page = await http.get(f"/console/audit/{eid}")
    assert f"审计链被破坏：投票服务 第 {seq} 条记录起不一致" in page.text, page.text

    # out of scope: another district's supervisor, refused as the API refuses
    await sign_in(http, await make_token("supervisor", "district:d-other"))
    page = await http.get(f"/console/audit/{eid}")
    assert page.status_code == 403 and "范围（scope）" in page.text
