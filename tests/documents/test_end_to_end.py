"""On the real embedded stack: the foundation scenario played to its end, its facts gathered
over gRPC with the caller's stubs, every document written by ``gongtui documents`` and read
back — names in ballot order, each round's counts, the elected, fonts embedded and covering
every character, pages that render."""

from __future__ import annotations

import asyncio
import json
import sys
import zipfile
from pathlib import Path

import pytest

from documents.archive import plan
from documents.gather import gather
from gongtui.runner import play_scenario
from gongtui.simulate.scenario import load
from gongtui.stack import EmbeddedStack
from rules.strokes import stroke_sorted
from services.common.clients import ServiceClients
from tests.documents import pdfcheck

pytestmark = pytest.mark.stack
SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "foundation.yaml"


@pytest.fixture(scope="module")
async def finished(stack: EmbeddedStack) -> tuple[str, dict]:  # type: ignore[type-arg]
    out = await play_scenario(load(SCENARIO), stack.settings)
    assert out["status"] == "completed", out
    return out["election_id"], out


async def test_documents_of_a_finished_election(
        stack: EmbeddedStack, stack_env: dict[str, str], finished: tuple[str, dict],  # type: ignore[type-arg]
        tmp_path: Path) -> None:
    election_id, out = finished
    clients = ServiceClients(stack.settings_of("worker"))
    try:
        facts = await gather(election_id, clients.nomination, clients.voting, clients.approval,
                             notice_board_url="http://127.0.0.1:8000/api/v1/notices")
    finally:
        await clients.close()
    assert facts.community_name == "梅园新村社区"
    assert {m.kind for m in facts.meetings} >= {"recommendation", "committee", "congress"}
    assert facts.chain_head == out["audit"]["head"]

    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "gongtui.cli", "documents", election_id, "--out", str(tmp_path),
        env=stack_env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    _, err = await asyncio.wait_for(proc.communicate(), 600)
    assert proc.returncode == 0, err.decode(errors="replace")
    items = plan(facts)
    for item in items:
        assert (tmp_path / item.filename).exists(), item.filename
    kinds = {item.kind for item in items}
    assert kinds >= {"ballot", "tally", "result", "meeting-result", "minutes", "notice",
                     "request", "filing"}

    # every PDF: the font embedded as a TrueType subset, covering every character; renders
    for path in sorted(tmp_path.glob("*.pdf")):
        pdf = path.read_bytes()
        fonts = pdfcheck.embedded_fonts(pdf)
        assert fonts and all(key == "/FontFile2" for _, key, _ in fonts), path.name
        assert all("+" in name for name, _, _ in fonts), "not a subset"
        assert not pdfcheck.missing_glyphs(pdf), path.name
        assert pdfcheck.ink_ratio(pdf, 0) > 0.002, path.name

    congress = facts.meetings_of("congress")[0]
    for rnd in congress.rounds:
        stem = f"7-congress{congress.session}-r{rnd.number}-{rnd.post}-{rnd.kind}"
        ballot = pdfcheck.compact((tmp_path / f"{stem}-ballot.pdf").read_bytes())
        names = [c.name for c in rnd.candidates]
        assert names == stroke_sorted(names)  # M12
        assert [ballot.index(nm) for nm in names] == sorted(ballot.index(nm) for nm in names)
        report = pdfcheck.text((tmp_path / f"{stem}-result.pdf").read_bytes())
        head_row = f"{congress.expected} {congress.present_members} {rnd.issued} {rnd.returned} " \
                   f"{rnd.valid} {rnd.invalid}"
        assert head_row in report, report[:400]
        for t in rnd.tally:
            assert f"{t.name} {t.votes_for} {t.votes_against} {t.votes_abstain}" in report
        assert "草稿（未正式）" in report  # not marked official over gRPC today

    expected_elected = out["elected"]
    request = pdfcheck.compact((tmp_path / "8-request.pdf").read_bytes())
    for post_zh, post in (("书记", "secretary"), ("副书记", "deputy_secretary")):
        for name in expected_elected[post]:
            assert f"{name}任{post_zh}" in request
    filing = pdfcheck.compact((tmp_path / "8-filing.pdf").read_bytes())
    for name in expected_elected["member"]:
        assert name in filing

    archive = next(tmp_path.glob("archive-*.pdf")).read_bytes()
    marks = pdfcheck.bookmarks(archive)
    steps = [title for level, title in marks if level == 0]
    assert steps == sorted(steps, key=["第二步 发布信息", "第三步 报名与资格审查",
                                       "第四步 公推与信任投票", "第六步 差额票决", "第七步 差额选举",
                                       "第八步 报批备案"].index)
    assert sum(1 for level, _ in marks if level == 1) == len(items)
    with zipfile.ZipFile(next(tmp_path.glob("archive-*.zip"))) as z:
        entries = set(z.namelist())
        assert {"archive.pdf", "manifest.json", "audit/nomination.jsonl",
                "audit/voting.jsonl"} <= entries
        assert z.read("archive.pdf") == archive
        lines = z.read("audit/voting.jsonl").decode().splitlines()
        assert len(lines) == next(a.records for a in facts.audit if a.service == "voting")
        assert json.loads(z.read("manifest.json"))["chain_head"] == facts.chain_head
