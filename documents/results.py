"""选举结果报告单: per round and per meeting, from the stored counts — 应到, 实到, 发出, 收回,
有效, 无效, each candidate's for / against / abstain and the outcome, the write-ins, the rules
the count rests on, the ballot-box digest and the audit chain head, and the signature lines of
the chief scrutineer, the scrutineers and the counters. Until the round's results are marked
official every page carries the watermark 草稿（未正式）."""

from __future__ import annotations

from documents import layout
from documents.ballots import spec
from documents.facts import MEETING_ZH, ROUND_ZH, ElectionFacts, Meeting, Round, post_zh
from documents.pdf import Doc
from documents.tally import choice_counts, round_line

DRAFT = "草稿（未正式）"
SIGNERS = ("总监票人", "监票人", "计票人")
OUTCOME = {"recommendation": "入选", "trust": "通过", "committee": "确定为候选人",
           "congress": "当选", "plenary": "当选"}


def present(meeting: Meeting, rnd: Round) -> int:
    """实到: who may vote in this round (the trust ballot is cast by every attendee)."""
    if rnd.kind == "trust":
        return meeting.present_members + meeting.present_others
    return meeting.present_members


def outcome(meeting: Meeting, rnd: Round, person_id: str) -> str:
    if not rnd.counted:
        return ""
    if rnd.void:
        return "本轮无效"
    if person_id in rnd.elected:
        return "当选" if meeting.kind in ("congress", "plenary") else OUTCOME.get(
            rnd.kind if rnd.kind in OUTCOME else meeting.kind, "入选")
    if person_id in rnd.tied:
        return "票数相等，再次投票"
    return "未当选" if meeting.kind in ("congress", "plenary") else "未入选"


def _draft(doc: Doc) -> None:
    doc.watermark(DRAFT)


def draw_round(doc: Doc, facts: ElectionFacts, meeting: Meeting, rnd: Round) -> None:
    s = spec(meeting, rnd)
    doc.begin(f"结果报告单 {MEETING_ZH.get(meeting.kind, meeting.kind)}{meeting.session} "
              f"第{rnd.number}轮 {post_zh(rnd.post)}", None if rnd.official else _draft,
              level=1)
    title = "选举结果报告单" + ("" if rnd.official else f" {DRAFT}")
    layout.heading(doc, facts, title, round_line(meeting, rnd))
    layout.counts_row(doc, [("应到", meeting.expected), ("实到", present(meeting, rnd)),
                            ("发出", rnd.issued), ("收回", rnd.returned),
                            ("有效", rnd.valid), ("无效", rnd.invalid)])
    if rnd.void:
        layout.paragraph(doc, "收回选票多于发出选票，本轮选举无效，须重新投票（M2）。", bold=True)
    order = [t.person_id for t in rnd.tally] or [c.person_id for c in rnd.candidates]
    order += [c.person_id for c in rnd.candidates if c.person_id not in order]
    heads = ["序号", "姓名", *s.choices, "结果"]
    widths = [14, 40, *(22 for _ in s.choices), 126 - 22 * len(s.choices)]
    rows = [[i + 1, rnd.name_of(p), *choice_counts(rnd, p, len(s.choices)),
             outcome(meeting, rnd, p)] for i, p in enumerate(order)]
    layout.table(doc, heads, rows, widths)
    if rnd.write_ins:
        layout.paragraph(doc, "另选他人得票", bold=True)
        layout.table(doc, ["姓名", "票数"], [[w.name, w.votes] for w in rnd.write_ins],
                     [120, 60])
    elected = "、".join(rnd.elected_names()) or "无"
    layout.paragraph(doc, f"{OUTCOME.get(meeting.kind, '当选')}：{elected}", bold=True)
    if rnd.unfilled:
        layout.paragraph(doc, f"尚缺额{rnd.unfilled}名（M7）。")
    if rnd.rules:
        layout.paragraph(doc, "依据规则：" + " ".join(rnd.rules), size=9.5)
    if rnd.source == "electronic" and rnd.status == "counted":
        layout.footer_line(doc, f"投票码：发出 {rnd.issued}，已投 {rnd.codes_cast}，"
                                f"未用并于计票时作废 {rnd.codes_void}")
    elif rnd.source == "paper" and rnd.tally_confirmed_by:
        layout.footer_line(doc, f"计票录入：{rnd.tally_entered_by}；总监票人确认："
                                f"{rnd.tally_confirmed_by}")
    layout.footer_line(doc, f"票箱摘要（{'电子' if rnd.source == 'electronic' else '纸质'}）："
                            f"{rnd.ballot_box_digest or '—'}")
    layout.footer_line(doc, f"审计链头：{facts.chain_head or '—'}")
    layout.signatures(doc, SIGNERS)


def draw_meeting(doc: Doc, facts: ElectionFacts, meeting: Meeting) -> None:
    official = bool(meeting.rounds) and all(r.official for r in meeting.rounds)
    doc.begin(f"结果汇总 {MEETING_ZH.get(meeting.kind, meeting.kind)}{meeting.session}",
              None if official else _draft, level=1)
    layout.heading(doc, facts, f"{MEETING_ZH.get(meeting.kind, meeting.kind)}选举结果报告单"
                   + ("" if official else f" {DRAFT}"),
                   f"第{meeting.session}次会议 · 会议 {meeting.meeting_id}")
    layout.counts_row(doc, [("应到", meeting.expected), ("实到", meeting.present_members),
                            ("法定人数", "已达到" if meeting.quorum_met else "未达到"),
                            ("依据", meeting.quorum_rule or "M1")])
    rows = [[r.number, post_zh(r.post), ROUND_ZH.get(r.kind, r.kind), r.issued, r.returned,
             r.valid, r.invalid, "、".join(r.elected_names()) or ("无效" if r.void else "—")]
            for r in sorted(meeting.rounds, key=lambda r: r.number) if r.counted]
    layout.table(doc, ["轮", "职务", "类别", "发出", "收回", "有效", "无效", "结果"], rows,
                 [10, 20, 22, 16, 16, 16, 16, 64])
    layout.footer_line(doc, f"审计链头：{facts.chain_head or '—'}")
    layout.signatures(doc, SIGNERS)


def round_report_pdf(facts: ElectionFacts, meeting: Meeting, rnd: Round) -> bytes:
    doc = Doc(f"{facts.community_name} 选举结果报告单", facts.date, facts)
    draw_round(doc, facts, meeting, rnd)
    return doc.output_bytes()


def meeting_report_pdf(facts: ElectionFacts, meeting: Meeting) -> bytes:
    doc = Doc(f"{facts.community_name} 选举结果报告单", facts.date, facts)
    draw_meeting(doc, facts, meeting)
    return doc.output_bytes()
