"""The request (请示) for approval of the secretary and deputies and the filing report
(备案报告) for the members, in the layout of GB/T 9704-2012: A4, top margin 37 mm, binding
(left) margin 28 mm, type area 156 x 225 mm holding 22 lines of 28 characters, title in
2号 (22 pt), body in 3号 (16 pt), the page number in 4号 7 mm below the type area.

The body is set on that grid: each line's characters advance exactly 156/28 mm (the 16 pt
glyphs with a small negative character spacing), lines 225/22 mm apart; a line never starts
with closing punctuation nor ends with an opening one (the next character moves down).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from documents.facts import (
    ElectionFacts,
    Meeting,
    Round,
    post_zh,
    posts_in_order,
    zh_date,
)
from documents.pdf import Doc

PAGE_W = 210.0
LEFT = 28.0
TOP = 37.0
AREA_W = 156.0
AREA_H = 225.0
CHARS = 28
LINES = 22
CELL = AREA_W / CHARS
PITCH = AREA_H / LINES
BODY_PT = 16.0
TITLE_PT = 22.0
PAGE_NO_PT = 14.0
PT = 25.4 / 72  # mm per point
RED = (200, 16, 16)
NO_START = set("，。、；：？！）》」』”’…—·%")
NO_END = set("（《「『“‘")


@dataclass(frozen=True)
class Para:
    text: str
    indent: int = 2  # characters
    align: str = "L"  # L | R | C
    bold: bool = False
    right_space: int = 0  # characters left empty at the end (the signature block)


def units(ch: str) -> float:
    """Grid cells one character takes: a CJK character one, ASCII half."""
    return 0.5 if ord(ch) < 0x80 else 1.0


def break_lines(text: str, indent: int, capacity: float = CHARS,
                measure: Callable[[str], float] = units) -> list[tuple[float, str]]:
    """(starting cell, text) per line, on the 28-character grid with the two rules above;
    ``measure`` gives a character's advance in cells (ASCII is narrower than a cell)."""
    lines: list[list[str]] = [[]]
    used = float(indent)
    for ch in text:
        if used + measure(ch) > capacity + 1e-6:
            current = lines[-1]
            carry: list[str] = []
            if ch in NO_START and current:
                carry.append(current.pop())  # the last character moves down with it
            while current and current[-1] in NO_END:
                carry.insert(0, current.pop())
            lines.append(carry)
            used = sum(measure(c) for c in carry)
        lines[-1].append(ch)
        used += measure(ch)
    return [(float(indent) if i == 0 else 0.0, "".join(line)) for i, line in enumerate(lines)]


class Grid:
    """Writes paragraphs line by line on the type area, page after page."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.line = 0
        self.page_no = 0

    def new_page(self) -> None:
        self.doc.add_page()
        self.page_no += 1
        self.line = 0
        self._page_number()

    def _page_number(self) -> None:
        # 4号 numbers, "— 1 —", 7 mm below the type area; odd pages right, even left, one
        # character in from the edge of the type area.
        d = self.doc
        d.font(PAGE_NO_PT)
        text = f"— {self.page_no} —"
        w = d.get_string_width(text)
        x = LEFT + AREA_W - CELL - w if self.page_no % 2 else LEFT + CELL
        d.text(x, TOP + AREA_H + 7 + PAGE_NO_PT * PT * 0.8, text)

    def skip(self, n: int = 1) -> None:
        self.line += n
        if self.line >= LINES:
            self.new_page()

    def _baseline(self, size_pt: float, lines_high: int = 1) -> float:
        top = TOP + self.line * PITCH
        glyph = size_pt * PT
        return top + (PITCH * lines_high - glyph) / 2 + glyph * 0.86

    def write(self, p: Para) -> None:
        d = self.doc
        d.font(BODY_PT, p.bold)
        d.set_char_spacing((CELL - BODY_PT * PT) / PT)
        capacity = CHARS - p.right_space

        def measure(ch: str) -> float:
            return d.get_string_width(ch) / CELL

        for start, text in break_lines(p.text, p.indent, capacity, measure):
            if self.line >= LINES:
                d.set_char_spacing(0)
                self.new_page()  # the page number is set in its own size: back to the body's
                d.font(BODY_PT, p.bold)
                d.set_char_spacing((CELL - BODY_PT * PT) / PT)
            width = d.get_string_width(text)
            if p.align == "R":
                x = LEFT + (capacity * CELL) - width
            elif p.align == "C":
                x = LEFT + (AREA_W - width) / 2
            else:
                x = LEFT + start * CELL
            # Each glyph is centred in its cell (the 16 pt body is a hair wider than a cell).
            d.text(x - (BODY_PT * PT - CELL) / 2, self._baseline(BODY_PT), text)
            self.line += 1
        d.set_char_spacing(0)

    def title(self, text: str) -> None:
        """2号 title, centred, two grid lines per title line."""
        d = self.doc
        d.font(TITLE_PT, bold=True)
        per_line = int(AREA_W // (TITLE_PT * PT))
        chunks = [text[i:i + per_line] for i in range(0, len(text), per_line)]
        for chunk in chunks:
            if self.line + 2 > LINES:
                self.new_page()
            w = d.get_string_width(chunk)
            d.text(LEFT + (AREA_W - w) / 2, self._baseline(TITLE_PT, 2), chunk)
            self.line += 2


def masthead(g: Grid, facts: ElectionFacts, number: str) -> None:
    """发文机关标志 in red, the document number and the signer (上行文), the red rule."""
    d = g.doc
    d.font(24, bold=True)
    with d.local_context(text_color=RED):
        name = f"{facts.organization}"
        size = 24.0
        while d.get_string_width(name) > AREA_W and size > 12:
            size -= 1
            d.font(size, bold=True)
        d.text(LEFT + (AREA_W - d.get_string_width(name)) / 2, g._baseline(size, 2), name)
    g.line += 3
    d.font(BODY_PT)
    d.text(LEFT + CELL, g._baseline(BODY_PT), number)
    signer = "签发人：　　　　"
    d.text(LEFT + AREA_W - CELL - d.get_string_width(signer), g._baseline(BODY_PT), signer)
    y = TOP + (g.line + 1) * PITCH - 2
    with d.local_context(draw_color=RED, line_width=0.6):
        d.line(LEFT, y, LEFT + AREA_W, y)
    g.line += 2


def _congress_sentence(m: Meeting) -> str:
    return (f"第{m.session}次党员大会应到会有选举权的党员{m.expected}名，实到{m.present_members}名，"
            f"{'超过' if m.quorum_met else '未达到'}规定人数（{m.quorum_rule or 'M1'}）。")


def _round_sentence(r: Round) -> str:
    counts = "，".join(f"{t.name}得赞成票{t.votes_for}票" for t in r.tally)
    won = "、".join(r.elected_names())
    return (f"选举{post_zh(r.post)}发出选票{r.issued}张，收回{r.returned}张，有效{r.valid}张，"
            f"无效{r.invalid}张；{counts}" + (f"，{won}当选" if won else "，无人当选") + "。")


def body(facts: ElectionFacts, posts: tuple[str, ...]) -> list[Para]:
    plan = "、".join(f"{post_zh(p.post)}{p.seats}名" for p in posts_in_order(facts.posts))
    paras = [Para(
        f"根据《中国共产党基层组织选举工作条例》和上级党组织的部署，经{facts.higher_committee}"
        f"同意，{facts.short_org}采取公推直选方式进行换届选举，"
        + (f"新一届委员会任期{facts.term_years}年，" if facts.term_years else "")
        + f"计划选出{plan or '委员'}。"
        "现将选举情况报告如下：")]
    paras.append(Para("一、推荐与差额情况", bold=True))
    funnel = []
    for p in posts_in_order(facts.posts):
        steps = [(label, facts.stage(p.post, stage)) for label, stage in
                 (("初步人选", "shortlisted"), ("考察对象", "inspected"), ("候选人", "candidate"))]
        found = "，".join(f"{label}{len(names)}名" for label, names in steps if names)
        if found:
            funnel.append(f"{post_zh(p.post)}{found}")
    intro = (f"经个人自荐、组织推荐和党员群众联名推荐，共有{facts.registrants}人次报名，"
             f"资格审查合格{facts.qualified}人次。") if facts.registrants else ""
    paras.append(Para(intro + ("；".join(funnel) + "。" if funnel else
                               "经公推大会推荐、组织考察和差额票决，确定了候选人。")))
    paras.append(Para("二、选举情况", bold=True))
    for m in facts.meetings_of("congress") + facts.meetings_of("plenary"):
        text = _congress_sentence(m)
        text += "".join(_round_sentence(r) for r in sorted(m.rounds, key=lambda r: r.number)
                        if r.counted and not r.void and r.post in posts)
        paras.append(Para(text))
    elected = [f"{'、'.join(facts.elected(p))}当选为{post_zh(p)}" for p in posts if facts.elected(p)]
    paras.append(Para("三、选举结果", bold=True))
    paras.append(Para(("经选举，" + "，".join(elected) + "。") if elected else "本次选举无人当选。"))
    return paras


def _sign(g: Grid, facts: ElectionFacts, note: str) -> None:
    g.skip(2)
    g.write(Para(facts.organization, indent=0, align="R", right_space=4))
    g.write(Para(zh_date(facts.date), indent=0, align="R", right_space=4))
    g.skip(1)
    g.write(Para(note))


def draw_request(doc: Doc, facts: ElectionFacts) -> None:
    """请示: one matter (approval of the secretary and deputies), one recipient."""
    posts = tuple(p for p in ("secretary", "deputy_secretary") if facts.plan(p) or facts.elected(p))
    _grid_document(doc, facts, posts,
                   f"关于{facts.short_org}新一届{'、'.join(post_zh(p) for p in posts)}人选的请示",
                   "请示", "当否，请批示。")


def draw_filing(doc: Doc, facts: ElectionFacts) -> None:
    """备案报告: the members elected, reported to the higher committee for the record."""
    _grid_document(doc, facts, ("member",),
                   f"关于{facts.short_org}新一届委员会委员选举结果的备案报告",
                   "报告", "特此报告。")


def _grid_document(doc: Doc, facts: ElectionFacts, posts: tuple[str, ...], title: str,
                   kind: str, ending: str) -> None:
    doc.set_margins(LEFT, TOP, PAGE_W - LEFT - AREA_W)
    doc.set_auto_page_break(False)
    doc.decorate = None
    g = Grid(doc)
    g.new_page()
    doc.mark("请示" if kind == "请示" else "备案报告", level=1)
    year = facts.date.year
    masthead(g, facts, f"{facts.community_name[:2]}委〔{year}〕{1 if kind == '请示' else 2}号")
    g.title(title)
    g.skip(1)
    g.write(Para(f"{facts.higher_committee}：", indent=0))
    for p in body(facts, posts):
        g.write(p)
    if kind == "请示":
        names = "，".join(f"{'、'.join(facts.elected(p))}任{post_zh(p)}" for p in posts
                         if facts.elected(p))
        g.write(Para(f"拟请批准{names}。" if names else "尚无当选人员，暂不报批。"))
    else:
        names = "、".join(facts.elected("member"))
        g.write(Para(f"以上委员{names}，现报上级党组织备案。" if names else "尚无当选委员。"))
    g.write(Para(ending))
    _sign(g, facts, "（联系人：　　　　，联系电话：　　　　　　）")


def request_pdf(facts: ElectionFacts) -> bytes:
    doc = Doc(f"{facts.community_name} 请示", facts.date, facts)
    draw_request(doc, facts)
    return doc.output_bytes()


def filing_pdf(facts: ElectionFacts) -> bytes:
    doc = Doc(f"{facts.community_name} 备案报告", facts.date, facts)
    draw_filing(doc, facts)
    return doc.output_bytes()
