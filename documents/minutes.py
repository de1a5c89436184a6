"""会议记录: the minutes of the recommendation meeting, the committee's vote and each congress
(or plenary) session — attendance and quorum, who presided and who took the minutes (blank
lines until the voting service records them), and each round with its counts and outcome."""

from __future__ import annotations

from datetime import datetime

from documents import layout
from documents.facts import MEETING_ZH, ROUND_ZH, ElectionFacts, Meeting, post_zh
from documents.pdf import Doc
from documents.results import OUTCOME, present

BLANK = "＿＿＿＿＿＿"


def zh_time(held_at: str) -> str:
    """2026-03-08T09:00 as 2026年3月8日 9:00 ("" when not recorded)."""
    if not held_at:
        return ""
    t = datetime.fromisoformat(held_at)
    return f"{t.year}年{t.month}月{t.day}日 {t.hour}:{t.minute:02d}"


def draw(doc: Doc, facts: ElectionFacts, meeting: Meeting) -> None:
    name = MEETING_ZH.get(meeting.kind, meeting.kind)
    doc.begin(f"会议记录 {name}{meeting.session}", level=1)
    layout.heading(doc, facts, f"{name}会议记录", f"第{meeting.session}次会议 · 会议 {meeting.meeting_id}")
    layout.table(doc, ["项目", "内容"], [
        ["时间", zh_time(meeting.held_at) or BLANK], ["地点", meeting.place or BLANK],
        ["主持人", meeting.presided_by or BLANK], ["记录人", meeting.recorded_by or BLANK],
        ["应到", meeting.expected], ["实到（有表决权）", meeting.present_members],
        *([["实到（列席参加信任投票）", meeting.present_others]] if meeting.kind == "recommendation"
          else []),
        ["法定人数", f"{'已达到' if meeting.quorum_met else '未达到'}（{meeting.quorum_rule or 'M1'}）"],
    ], [60, 120])
    if not meeting.quorum_met:
        layout.paragraph(doc, "到会人数未达到规定人数，会议不进行表决，另行召开（"
                         f"{meeting.quorum_rule or 'M1'}）。", bold=True)
    for r in sorted(meeting.rounds, key=lambda r: r.number):
        layout.paragraph(doc, f"第{r.number}轮　{post_zh(r.post)} · {ROUND_ZH.get(r.kind, r.kind)}"
                         f"（名额{r.seats}名，候选{len(r.candidates)}名）", size=12, bold=True)
        if not r.counted:
            layout.paragraph(doc, "本轮尚未计票。")
            continue
        layout.paragraph(doc, f"实到{present(meeting, r)}人，发出{r.issued}张，收回{r.returned}张，"
                         f"有效{r.valid}张，无效{r.invalid}张" + ("；收回多于发出，本轮无效（M2）。"
                                                          if r.void else "。"))
        counts = "；".join(f"{t.name} 赞成{t.votes_for} 不赞成{t.votes_against} 弃权{t.votes_abstain}"
                          if meeting.kind in ("congress", "plenary") else
                          f"{t.name} {t.votes_for}票" + (f"/{t.votes_against}票"
                                                          if r.kind == "trust" else "")
                          for t in r.tally)
        if counts:
            layout.paragraph(doc, "得票：" + counts + "。", size=10.5)
        won = "、".join(r.elected_names()) or "无"
        label = OUTCOME.get(r.kind if r.kind in OUTCOME else meeting.kind, "当选")
        layout.paragraph(doc, f"{label}：{won}" + (f"；票数相等待再次投票：{'、'.join(r.name_of(p) for p in r.tied)}"
                                                   if r.tied else "")
                         + (f"；缺额{r.unfilled}名" if r.unfilled else "") + "。")
        if r.rules:
            layout.paragraph(doc, "依据规则：" + " ".join(r.rules), size=9.5)
    layout.signatures(doc, ["主持人", "记录人"])


def minutes_pdf(facts: ElectionFacts, meeting: Meeting) -> bytes:
    doc = Doc(f"{facts.community_name} 会议记录", facts.date, facts)
    draw(doc, facts, meeting)
    return doc.output_bytes()
