"""Flowing-page helpers shared by the tally sheets, result reports, notices and minutes:
a heading, label/value rows, tables (fpdf2's own table, which breaks across pages and
repeats its heading row) and signature lines."""

from __future__ import annotations

from collections.abc import Sequence

from fpdf.fonts import FontFace

from documents.facts import ElectionFacts
from documents.pdf import Doc

WIDTH = 180.0


def heading(doc: Doc, facts: ElectionFacts, title: str, subtitle: str = "") -> None:
    doc.font(12, bold=True)
    doc.set_x(doc.l_margin)
    doc.cell(WIDTH, 7, facts.organization, align="C", new_x="LMARGIN", new_y="NEXT")
    doc.font(20, bold=True)
    doc.cell(WIDTH, 12, title, align="C", new_x="LMARGIN", new_y="NEXT")
    if subtitle:
        doc.font(10.5)
        doc.multi_cell(WIDTH, 6, subtitle, align="C", new_x="LMARGIN", new_y="NEXT")
    doc.ln(2)


NO_START = set("，。、；：？！）》」』”’…%")


def wrap(doc: Doc, text: str, width: float) -> list[str]:
    """Lines of at most ``width`` mm, broken between any two characters (Chinese has no
    spaces), none starting with closing punctuation: its predecessor moves down with it."""
    lines: list[str] = []
    current = ""
    for ch in text:
        if current and doc.get_string_width(current + ch) > width - 2 * doc.c_margin:
            if ch in NO_START and len(current) > 1:
                lines.append(current[:-1])
                current = current[-1]
            else:
                lines.append(current)
                current = ""
        current += ch
    return lines + [current] if current else lines


def paragraph(doc: Doc, text: str, size: float = 11, bold: bool = False, h: float = 6.5) -> None:
    doc.font(size, bold)
    for line in wrap(doc, text, WIDTH):
        doc.set_x(doc.l_margin)
        doc.cell(WIDTH, h, line, new_x="LMARGIN", new_y="NEXT")


def table(doc: Doc, heads: Sequence[str], rows: Sequence[Sequence[object]],
          widths: Sequence[float] | None = None, size: float = 10.5,
          line_height: float = 7.0) -> None:
    doc.font(size)
    doc.set_x(doc.l_margin)
    with doc.table(col_widths=tuple(widths) if widths else None, width=WIDTH,
                   line_height=line_height, text_align="CENTER",
                   first_row_as_headings=bool(heads),
                   headings_style=FontFace(emphasis="BOLD", fill_color=(235, 235, 235)),
                   repeat_headings=1 if heads else 0) as t:
        if heads:
            head = t.row()
            for h in heads:
                head.cell(str(h))
        for r in rows:
            row = t.row()
            for value in r:
                row.cell("" if value is None else str(value))
    doc.ln(3)


def counts_row(doc: Doc, pairs: Sequence[tuple[str, object]]) -> None:
    """应到 N · 实到 N …: one table row of labels over one of values."""
    table(doc, [p[0] for p in pairs], [[p[1] for p in pairs]])


def signatures(doc: Doc, roles: Sequence[str]) -> None:
    doc.ln(4)
    doc.font(11)
    if doc.get_y() > doc.h - doc.b_margin - 12 * len(roles):
        doc.add_page()
    for role in roles:
        doc.set_x(doc.l_margin)
        doc.cell(40, 10, f"{role}（签名）：")
        y = doc.get_y() + 8
        doc.line(doc.l_margin + 42, y, doc.l_margin + 120, y)
        doc.ln(12)


def footer_line(doc: Doc, text: str) -> None:
    doc.font(8)
    doc.set_x(doc.l_margin)
    doc.multi_cell(WIDTH, 4.5, text, new_x="LMARGIN", new_y="NEXT")
