"""The audit bundle through the API on the real stack: a counted electronic round, a results
notice carrying the services' signed heads and the round's digest (as the workflow publishes
it); the notice board shows them; the supervisor downloads the bundle — from its console
page's link and from ``GET …/audit/bundle`` — and it verifies and recounts offline
(``gongtui audit verify --bundle``, ``gongtui recount``), exit 0; the office may not have it,
nor another district's supervisor."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from gongtui.cli import app
from gongtui.stack import EmbeddedStack
from proto import nomination_pb2, voting_pb2
from services.common import anchors
from services.common.signing import fingerprint
from tests.api.conftest import SYSTEM, Stubs, TokenFactory, bearer
from tests.api.console.conftest import codes, congress, place, roster, sign_in

pytestmark = pytest.mark.stack
runner = CliRunner()


def unpack(body: bytes, eid: str, into: Path) -> Path:
    with zipfile.ZipFile(io.BytesIO(body)) as z:
        names = z.namelist()
        assert names[0] == f"audit-{eid}/manifest.json"
        assert set(names) == {f"audit-{eid}/{n}" for n in (
            "manifest.json", "nomination.audit.jsonl", "voting.audit.jsonl",
            "approval.audit.jsonl", "ballots.jsonl")}
        z.extractall(into)
    return into / f"audit-{eid}"


def offline(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


async def test_the_supervisor_downloads_a_bundle_that_verifies_and_recounts(
        stack: EmbeddedStack, http: httpx.AsyncClient, stubs: Stubs,
        make_token: TokenFactory, tmp_path: Path) -> None:
    district, _, community, eid = await place(stack, stubs, "bundle")
    office = bearer(await make_token("community_office", f"community:{community}"))
    await roster(http, office, eid)
    c = await congress(http, stubs, eid, office)
    for code, choice in zip(await codes(http, c, ["p1", "p2", "p3"]), ["p1", "p1", "p2"],
                            strict=True):
        r = await http.post("/api/v1/ballots", json={"round_id": c.round_id, "code": code,
                                                     "marks": [{"person_id": choice,
                                                                "choice": "for"}]})
        assert r.status_code == 201, r.text
    r = await http.post(f"/api/v1/elections/{eid}/rounds/{c.round_id}/close", headers=office)
    assert r.status_code == 200, r.text
    digest = r.json()["ballot_box_digest"]
    # the results notice as the workflow's activities publish it (notice_anchors)
    heads = await anchors.signed_heads(stubs, eid)
    await stubs.nomination.PublishNotice(nomination_pb2.PublishNoticeRequest(
        idempotency_key=f"test-results/{eid}", actor=SYSTEM, election_id=eid, kind="results",
        title="选举结果公示", names=["王建国"], days=5, heads=heads, digests=[
            nomination_pb2.RoundDigest(round_id=c.round_id, post="secretary", number=1,
                                       source="electronic", digest=digest)]))
    voting = next(h for h in heads if h.service == "voting")

    board = await http.get(f"/console/notices/{eid}")
    assert board.status_code == 200, board.text
    assert voting.head[:19] in board.text and digest[:19] in board.text
    assert f"signed by voting key {fingerprint(voting.public_key)[:19]}" in board.text
    listed = (await http.get("/api/v1/notices", params={"election_id": eid})).json()
    assert [h["head"] for h in listed[0]["heads"]] == [h.head for h in heads]
    assert listed[0]["digests"][0]["digest"] == digest

    # the supervisor's console page links the bundle; it is the API's ZIP
    await sign_in(http, await make_token("supervisor", f"district:{district}"))
    page = await http.get(f"/console/audit/{eid}")
    assert f'id="audit-bundle" href="/console/audit/{eid}/bundle.zip"' in page.text, page.text
    got = await http.get(f"/console/audit/{eid}/bundle.zip")
    assert got.status_code == 200 and got.headers["content-type"] == "application/zip"
    folder = unpack(got.content, eid, tmp_path / "console")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert [h["head"] for h in manifest["published"]] == [h.head for h in heads]
    assert manifest["published_digests"][0]["digest"] == digest
    ballots = (folder / "ballots.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(ballots) == 3
    rc, text = offline("audit", "verify", "--bundle", str(folder))
    assert rc == 0, text
    rc, text = offline("recount", str(folder))
    assert rc == 0 and "all agree" in text, text

    supervisor = bearer(await make_token("supervisor", f"district:{district}"))
    r = await http.get(f"/api/v1/elections/{eid}/audit/bundle", headers=supervisor)
    assert r.status_code == 200, r.text
    assert r.headers["content-disposition"] == f'attachment; filename="audit-{eid}.zip"'
    folder = unpack(r.content, eid, tmp_path / "api")
    rc, text = offline("recount", str(folder))
    assert rc == 0, text
    # a published digest the voting chain did not count is named
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["published_digests"][0]["digest"] = "sha256:" + "0" * 64
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    rc, text = offline("audit", "verify", "--bundle", str(folder))
    assert rc == 1 and f"round {c.round_id}: the ballot-box digest published" in text, text

    for who in (office, bearer(await make_token("supervisor", "district:d-other"))):
        r = await http.get(f"/api/v1/elections/{eid}/audit/bundle", headers=who)
        assert r.status_code == 403, r.text
    assert (await stubs.voting.GetRound(voting_pb2.GetRoundRequest(round_id=c.round_id))
            ).ballot_box_digest == digest
