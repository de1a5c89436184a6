"""公示: a notice as pinned to the board — the list, the period (start and end dates; the end
is when the workflow closed it, so paused time is already left out), how to object and the
online notice board's address as a QR code."""

from __future__ import annotations

from datetime import timedelta

from core.vocabulary import POST_ZH
from documents import layout
from documents.facts import NOTICE_ZH, ElectionFacts, Notice, parse_time, zh_date
from documents.pdf import Doc

PER_ROW = 4


def period(notice: Notice) -> tuple[str, str]:
    start = parse_time(notice.published_at)
    end = parse_time(notice.closed_at) if notice.closed_at else start + timedelta(days=notice.days)
    return zh_date(start), zh_date(end)


def board_url(facts: ElectionFacts) -> str:
    if not facts.notice_board_url:
        return ""
    sep = "&" if "?" in facts.notice_board_url else "?"
    return f"{facts.notice_board_url}{sep}election_id={facts.election_id}"


SERVICE_ZH = {"nomination": "提名服务", "voting": "投票服务", "approval": "审批服务"}


def short(value: str) -> str:
    """``sha256:`` and the first 12 hex digits, as on the online board."""
    return value[:19] if value else "—"


def anchors(doc: Doc, notice: Notice) -> None:
    """The chain heads signed at publication, and on a results notice each counted round's
    ballot-box digest: whoever keeps this paper can later hold the chains to it
    (``gongtui audit verify``, docs/audit.md)."""
    if not notice.heads:
        return
    layout.paragraph(doc, "审计链头（公示时签名）/ audit chain heads, signed at publication：",
                     size=10, bold=True, h=6)
    for h in notice.heads:
        layout.paragraph(doc, f"{SERVICE_ZH.get(h.service, h.service)} 第{h.seq}条 {short(h.head)}"
                              f" · signed by {h.service} key {short(h.fingerprint)}", size=9, h=5)
    if notice.digests:
        layout.paragraph(doc, "各轮票箱摘要 / ballot-box digests：", size=10, bold=True, h=6)
        for d in notice.digests:
            layout.paragraph(doc, f"{POST_ZH.get(d.post, d.post)} 第{d.number}轮 {short(d.digest)}",
                             size=9, h=5)


def draw(doc: Doc, facts: ElectionFacts, notice: Notice) -> None:
    title = notice.title or f"{facts.community_name}{NOTICE_ZH.get(notice.kind, '公示')}"
    doc.begin(f"公示 {NOTICE_ZH.get(notice.kind, notice.kind)}", level=1)
    layout.heading(doc, facts, title)
    if notice.body:
        layout.paragraph(doc, "　　" + notice.body.strip(), size=12, h=7.5)
    if notice.names:
        rows = [list(notice.names[i:i + PER_ROW]) + [""] * (PER_ROW - len(notice.names[i:i + PER_ROW]))
                for i in range(0, len(notice.names), PER_ROW)]
        layout.paragraph(doc, f"名单（{len(notice.names)}人）：", size=12, bold=True)
        layout.table(doc, [], rows, line_height=9, size=12)
    start, end = period(notice)
    layout.paragraph(doc, f"公示期：{start}至{end}（{notice.days}天，暂停期间不计入）。", size=12,
                     h=7.5)
    layout.paragraph(
        doc, "　　公示期间，党员、群众对公示对象有异议的，可以书面、电话或来访方式向"
        f"{facts.higher_committee}反映，也可在网上公示栏提出；反映问题应实事求是，"
        "以真实姓名反映的予以优先核查，公示期满后提出的异议不再受理（O2）。", size=12, h=7.5)
    anchors(doc, notice)
    url = board_url(facts)
    if url:
        y = doc.get_y() + 4
        if y + 40 > doc.h - doc.b_margin:
            doc.add_page()
            y = doc.get_y()
        doc.qr(url, doc.l_margin, y, 32)
        doc.set_xy(doc.l_margin + 36, y + 8)
        doc.font(10)
        doc.multi_cell(layout.WIDTH - 36, 5.5, f"网上公示栏：{url}", new_x="LMARGIN",
                       new_y="NEXT")
        doc.set_y(y + 36)
    doc.font(12)
    doc.set_x(doc.l_margin)
    doc.cell(layout.WIDTH, 8, facts.organization, align="R", new_x="LMARGIN", new_y="NEXT")
    doc.cell(layout.WIDTH, 8, start, align="R", new_x="LMARGIN", new_y="NEXT")


def notice_pdf(facts: ElectionFacts, notice: Notice) -> bytes:
    doc = Doc(f"{facts.community_name} 公示", facts.date, facts)
    draw(doc, facts, notice)
    return doc.output_bytes()
