"""计票单: the sheet the counters fill in on the spot — a row per candidate with room for the
tally marks (正字) and the totals per choice, the round's totals and the write-ins; a counted
round prints its stored totals for the archive."""

from __future__ import annotations

from documents import layout
from documents.ballots import spec
from documents.facts import MEETING_ZH, ROUND_ZH, ElectionFacts, Meeting, Round, post_zh
from documents.pdf import Doc

BLANK_WRITE_INS = 3


def round_line(meeting: Meeting, rnd: Round) -> str:
    return (f"{MEETING_ZH.get(meeting.kind, meeting.kind)}第{meeting.session}次会议 · "
            f"第{rnd.number}轮 · {post_zh(rnd.post)} · {ROUND_ZH.get(rnd.kind, rnd.kind)} · "
            f"轮次 {rnd.round_id}")


def choice_counts(rnd: Round, person_id: str, n: int) -> list[object]:
    line = next((t for t in rnd.tally if t.person_id == person_id), None)
    if not rnd.counted or line is None:
        return [""] * n
    counts: list[object] = [line.votes_for, line.votes_against, line.votes_abstain]
    return counts[:n]


def draw(doc: Doc, facts: ElectionFacts, meeting: Meeting, rnd: Round) -> None:
    s = spec(meeting, rnd)
    doc.begin(f"计票单 {MEETING_ZH.get(meeting.kind, meeting.kind)}{meeting.session} "
              f"第{rnd.number}轮 {post_zh(rnd.post)}", level=1)
    layout.heading(doc, facts, f"{post_zh(rnd.post)}计票单", round_line(meeting, rnd))
    counted = rnd.counted
    layout.counts_row(doc, [("发出选票", rnd.issued if counted else ""),
                            ("收回选票", rnd.returned if counted else ""),
                            ("有效票", rnd.valid if counted else ""),
                            ("无效票", rnd.invalid if counted else "")])
    heads = ["序号", "姓名", "划记（正字）", *(f"{c}合计" for c in s.choices)]
    widths = [12, 30, 138 - 26 * len(s.choices), *(26 for _ in s.choices)]
    rows = [[i + 1, c.name, "", *choice_counts(rnd, c.person_id, len(s.choices))]
            for i, c in enumerate(rnd.candidates)]
    layout.table(doc, heads, rows, widths, line_height=10)
    if s.write_in:
        written = [[w.name, "", w.votes] for w in rnd.write_ins] if counted else []
        written += [["", "", ""]] * (BLANK_WRITE_INS if not counted else 0)
        if written:
            layout.paragraph(doc, "另选他人", bold=True)
            layout.table(doc, ["姓名", "划记（正字）", "票数"], written, [40, 110, 30],
                         line_height=10)
    layout.signatures(doc, ["计票人", "监票人"])


def tally_pdf(facts: ElectionFacts, meeting: Meeting, rnd: Round) -> bytes:
    doc = Doc(f"{facts.community_name} {post_zh(rnd.post)} 计票单", facts.date, facts)
    draw(doc, facts, meeting, rnd)
    return doc.output_bytes()
