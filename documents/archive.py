"""换届选举档案: every document of an election in the order of the steps — as single files,
as one PDF with bookmarks (a heading per step, a bookmark per document), and a ZIP holding
that PDF, the election's audit records as JSONL (one file per service) and a manifest of
every file's sha256. Same facts, same bytes: fixed dates inside the PDFs and the ZIP."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from documents import ballots, minutes, notices, official, results, tally
from documents.facts import ElectionFacts, Meeting, Notice
from documents.pdf import Doc

Draw = Callable[[Doc], None]
NOTICE_STEP = {"announcement": 2, "registrants": 3, "shortlist": 4, "candidates": 6,
               "results": 7}
STEP_TITLE = {2: "第二步 发布信息", 3: "第三步 报名与资格审查", 4: "第四步 公推与信任投票",
              6: "第六步 差额票决", 7: "第七步 差额选举", 8: "第八步 报批备案"}
MEETING_STEP = {"recommendation": 4, "committee": 6, "congress": 7, "plenary": 7}


@dataclass(frozen=True)
class Item:
    """One document: the step it belongs to, its file name, its kind and how it is drawn."""

    step: int
    order: int
    filename: str
    kind: str  # ballot | tally | result | meeting-result | minutes | notice | request | filing
    draw: Draw


def meeting_stem(meeting_kind: str, session: int) -> str:
    """The start of every file name of a meeting's documents (``…-minutes.pdf``)."""
    return f"{MEETING_STEP.get(meeting_kind, 7)}-{meeting_kind}{session}"


def round_stem(meeting_kind: str, session: int, number: int, post: str, kind: str) -> str:
    """The start of a round's file names: ``…-ballot.pdf``, ``…-tally.pdf``, ``…-result.pdf``."""
    return f"{meeting_stem(meeting_kind, session)}-r{number}-{post}-{kind}"


def _meeting_items(facts: ElectionFacts, m: Meeting, order: int) -> list[Item]:
    step = MEETING_STEP.get(m.kind, 7)
    base = meeting_stem(m.kind, m.session)
    items: list[Item] = []
    rounds = sorted(m.rounds, key=lambda r: r.number)
    for r in rounds:
        stem = round_stem(m.kind, m.session, r.number, r.post, r.kind)
        items += [Item(step, order, f"{stem}-ballot.pdf", "ballot",
                       partial(ballots.draw, facts=facts, meeting=m, rnd=r)),
                  Item(step, order, f"{stem}-tally.pdf", "tally",
                       partial(tally.draw, facts=facts, meeting=m, rnd=r))]
        if r.counted:
            items.append(Item(step, order, f"{stem}-result.pdf", "result",
                              partial(results.draw_round, facts=facts, meeting=m, rnd=r)))
    if any(r.counted for r in rounds):
        items.append(Item(step, order, f"{base}-result.pdf", "meeting-result",
                          partial(results.draw_meeting, facts=facts, meeting=m)))
    if m.status != "checking_in":
        items.append(Item(step, order, f"{base}-minutes.pdf", "minutes",
                          partial(minutes.draw, facts=facts, meeting=m)))
    return items


def _notice_item(facts: ElectionFacts, n: Notice, i: int) -> Item:
    step = NOTICE_STEP.get(n.kind, 7)
    return Item(step, 900 + i, f"{step}-notice-{i + 1}-{n.kind}.pdf", "notice",
                partial(notices.draw, facts=facts, notice=n))


def plan(facts: ElectionFacts) -> list[Item]:
    """Every document of the election, in step order (within a step: meetings by session,
    then the notice that closes the step)."""
    items: list[Item] = []
    for i, n in enumerate(facts.notices):
        items.append(_notice_item(facts, n, i))
    kinds = ("recommendation", "committee", "congress", "plenary")
    for k, kind in enumerate(kinds):
        for m in facts.meetings_of(kind):
            items += _meeting_items(facts, m, k * 100 + m.session)
    has_secretaries = any(facts.plan(p) or facts.elected(p) for p in ("secretary", "deputy_secretary"))
    if has_secretaries:
        items.append(Item(8, 0, "8-request.pdf", "request",
                          partial(official.draw_request, facts=facts)))
    if facts.plan("member") or facts.elected("member"):
        items.append(Item(8, 1, "8-filing.pdf", "filing", partial(official.draw_filing, facts=facts)))
    return sorted(items, key=lambda it: (it.step, it.order))  # stable: kinds keep their order


def render(facts: ElectionFacts, item: Item) -> bytes:
    doc = Doc(f"{facts.community_name} {item.filename}", facts.date, facts)
    item.draw(doc)
    return doc.output_bytes()


def archive_pdf(facts: ElectionFacts, items: list[Item] | None = None) -> bytes:
    doc = Doc(f"{facts.community_name}换届选举档案", facts.date, facts)
    step = 0
    for item in items if items is not None else plan(facts):
        if item.step != step:
            step = item.step
            doc.pending_sections.append(STEP_TITLE.get(step, f"第{step}步"))
        item.draw(doc)
    return doc.output_bytes()


def audit_jsonl(facts: ElectionFacts) -> dict[str, bytes]:
    out: dict[str, list[str]] = {}
    for r in facts.audit_records:
        out.setdefault(r.service, []).append(json.dumps(
            {"seq": r.seq, "kind": r.kind, "payload": json.loads(r.payload_json or "{}"),
             "actor_role": r.actor_role, "actor_scope": r.actor_scope, "prev_hash": r.prev_hash,
             "hash": r.hash, "created_at": r.created_at}, ensure_ascii=False, sort_keys=True))
    return {f"audit/{service}.jsonl": ("\n".join(lines) + "\n").encode("utf-8")
            for service, lines in sorted(out.items())}


def archive_zip(facts: ElectionFacts, pdf: bytes) -> bytes:
    files = {"archive.pdf": pdf, **audit_jsonl(facts)}
    manifest = {"election_id": facts.election_id, "community": facts.community_name,
                "chain_head": facts.chain_head,
                "audit": [{"service": a.service, "records": a.records, "head": a.head,
                           "verified": a.verified} for a in facts.audit],
                "files": {name: hashlib.sha256(data).hexdigest()
                          for name, data in sorted(files.items())}}
    files["manifest.json"] = json.dumps(manifest, ensure_ascii=False, indent=2,
                                        sort_keys=True).encode("utf-8")
    d = facts.date
    stamp = (max(d.year, 1980), d.month, d.day, d.hour, d.minute, d.second)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, data)
    return buf.getvalue()


def write_all(facts: ElectionFacts, out: Path) -> list[Path]:
    """Every document as its own file, the archive PDF and the ZIP beside it."""
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    items = plan(facts)
    for item in items:
        path = out / item.filename
        path.write_bytes(render(facts, item))
        written.append(path)
    pdf = archive_pdf(facts, items)
    stem = f"archive-{facts.community_id or facts.election_id}"
    (out / f"{stem}.pdf").write_bytes(pdf)
    (out / f"{stem}.zip").write_bytes(archive_zip(facts, pdf))
    return written + [out / f"{stem}.pdf", out / f"{stem}.zip"]
