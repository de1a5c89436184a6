"""选票: the ballot of each round — recommendation (推荐票), trust (信任票), the committee's
vote (差额票决票) and each congress or plenary round (选举票: regular, repeat, tie, additional).

A ballot has the organization, the post and the round in its title, the instructions, the
candidates in the round's ballot order (decided by the voting service under M12), one box per
choice (M4: for / against / abstain) and, where M4 allows a write-in, a column for it beside
the against; a tint per post. Any number of candidates flows into columns and pages. A sheet
carries nothing that could tell one voter's ballot from another's: no serial number, only the
round's identifier (text and QR code) and the four corner marks a scanner aligns by.
"""

from __future__ import annotations

from dataclasses import dataclass

from fpdf.enums import MethodReturnValue

from documents.facts import MEETING_ZH, ROUND_ZH, ElectionFacts, Meeting, Round, post_zh
from documents.pdf import Doc, DocumentError

TINT = {"secretary": (253, 226, 226), "deputy_secretary": (254, 243, 205),
        "member": (221, 235, 252)}
OTHER_TINT = (236, 236, 236)
MARGIN = 15.0
BOTTOM = 274.0  # the grid ends here: below it the page number, then the corner marks
ROW = 9.0
HEAD_ROW = 8.0
GAP = 6.0
BOX = 5.0


@dataclass(frozen=True)
class Spec:
    title: str
    choices: tuple[str, ...]
    write_in: bool
    instructions: str


def spec(meeting: Meeting, rnd: Round) -> Spec:
    """What a ballot of this round asks (M4, M8; M6 a tie round is among the tied only)."""
    post = post_zh(rnd.post)
    if rnd.kind == "recommendation":
        return Spec(f"{post}人选推荐票", ("推荐",), False,
                    f"在推荐人选姓名右侧的方格内划“√”，最多推荐{rnd.seats}名；"
                    f"多于{rnd.seats}名的推荐票无效（M8）。不划者视为不推荐。")
    if rnd.kind == "trust":
        return Spec(f"{post}人选信任票", ("信任", "不信任"), False,
                    "对每名人选在“信任”或“不信任”下的方格内划“√”，每名人选只能划一处；"
                    "不划者视为弃权。")
    if meeting.kind == "committee":
        return Spec(f"{post}候选人差额票决票", ("同意",), False,
                    f"在同意确定为候选人的人选右侧方格内划“√”，最多同意{rnd.seats}名；"
                    "多于者该票无效。")
    write_in = rnd.kind != "tie"
    text = (f"本职务应选{rnd.seats}名。对候选人可投赞成、不赞成或弃权，在相应方格内划“√”，"
            "每名候选人只能划一处（M4）。所选人数多于应选名额的选票无效（M3）。")
    if write_in:
        text += "投不赞成票的，可在该候选人右侧“另选他人”栏内写上另选人的姓名。"
    else:
        text += "本轮为得票相等者再次投票，不另选他人（M6）。"
    return Spec(f"{post}选举票", ("赞成", "不赞成", "弃权"), write_in, text)


@dataclass(frozen=True)
class Grid:
    """Column widths of one candidate block and how many blocks sit side by side."""

    widths: tuple[float, ...]
    heads: tuple[str, ...]
    columns: int

    @property
    def width(self) -> float:
        return sum(self.widths)


def grid_for(s: Spec) -> Grid:
    name_w = 30.0 if len(s.choices) == 1 else 34.0
    choice_w = 16.0
    heads = ("序号", "姓名", *s.choices) + (("另选他人",) if s.write_in else ())
    widths = (10.0, name_w, *(choice_w for _ in s.choices)) + ((34.0,) if s.write_in else ())
    usable = 210.0 - 2 * MARGIN
    columns = max(1, int((usable + GAP) // (sum(widths) + GAP)))
    return Grid(widths, heads, columns)


def _title_block(doc: Doc, facts: ElectionFacts, meeting: Meeting, rnd: Round, s: Spec,
                 page: int, pages: int) -> float:
    doc.fit(MARGIN + 22, 16, 210 - 2 * MARGIN - 44, 7, f"{facts.organization}换届选举", 13,
            bold=True, align="C")
    doc.fit(MARGIN + 22, 24, 210 - 2 * MARGIN - 44, 11, s.title, 22, bold=True, align="C")
    sub = (f"{MEETING_ZH.get(meeting.kind, meeting.kind)}第{meeting.session}次会议 · "
           f"第{rnd.number}轮 · {ROUND_ZH.get(rnd.kind, rnd.kind)} · "
           f"{'应选' if meeting.kind in ('congress', 'plenary') else '名额'}{rnd.seats}名")
    doc.fit(MARGIN + 22, 36, 210 - 2 * MARGIN - 44, 6, sub, 10.5, align="C")
    # The round's identifier only: a scanner reads which round this sheet belongs to.
    doc.qr(f"gongtui-round:{rnd.round_id}", 210 - MARGIN - 18, 14, 18)
    doc.fit(210 - MARGIN - 40, 33, 40, 4, rnd.round_id, 6, align="R")
    doc.font(9.5)
    doc.set_xy(MARGIN, 44)
    doc.multi_cell(210 - 2 * MARGIN, 5, "说明：" + s.instructions, border=1,
                   new_x="LMARGIN", new_y="NEXT")
    top = doc.get_y() + 3
    doc.fit(MARGIN, BOTTOM + 1, 210 - 2 * MARGIN, 5, f"第 {page} 页 共 {pages} 页", 8,
            align="C")
    return top


def _block(doc: Doc, g: Grid, x: float, y: float, rows: list[tuple[int, str]],
           heads: bool = True) -> None:
    doc.set_draw_color(0, 0, 0)
    doc.set_line_width(0.3)
    cx = x
    for w, head in zip(g.widths, g.heads, strict=True):
        doc.set_fill_color(255, 255, 255)
        doc.rect(cx, y, w, HEAD_ROW, style="DF")
        doc.fit(cx, y, w, HEAD_ROW, head, 10, bold=True, align="C")
        cx += w
    for i, (number, name) in enumerate(rows):
        ry = y + HEAD_ROW + i * ROW
        cx = x
        for k, w in enumerate(g.widths):
            doc.rect(cx, ry, w, ROW, style="DF")
            if k == 0:
                doc.fit(cx, ry, w, ROW, str(number), 9, align="C")
            elif k == 1:
                doc.fit(cx, ry, w, ROW, name, 13, align="C")
            elif g.heads[k] != "另选他人":  # a box to mark
                doc.rect(cx + (w - BOX) / 2, ry + (ROW - BOX) / 2, BOX, BOX)
            cx += w


def draw(doc: Doc, facts: ElectionFacts, meeting: Meeting, rnd: Round) -> None:
    if not rnd.candidates:
        raise DocumentError("round.candidates", f"round {rnd.round_id} has no candidate")
    s = spec(meeting, rnd)
    g = grid_for(s)
    tint = TINT.get(rnd.post, OTHER_TINT)
    names = [c.name for c in rnd.candidates]
    def decorate(d: Doc) -> None:
        d.tint(tint)
        d.corner_marks()

    doc.decorate = decorate
    doc.set_auto_page_break(False)
    doc.add_page()
    doc.mark(f"选票 {MEETING_ZH.get(meeting.kind, meeting.kind)}{meeting.session} "
                      f"第{rnd.number}轮 {post_zh(rnd.post)}{ROUND_ZH.get(rnd.kind, rnd.kind)}",
                      level=1)
    # Rows per column: the instructions' height (measured, not drawn) decides where the grid
    # starts on every page.
    doc.font(9.5)
    height = doc.multi_cell(210 - 2 * MARGIN, 5, "说明：" + s.instructions, border=1,
                            dry_run=True, output=MethodReturnValue.HEIGHT)
    per_col = int((BOTTOM - (44 + float(height) + 3) - HEAD_ROW) // ROW)  # type: ignore[arg-type]
    if per_col < 1:
        raise DocumentError("ballot", "the instructions leave no room for the grid")
    per_page = per_col * g.columns
    pages = (len(names) + per_page - 1) // per_page
    for page in range(pages):
        if page:
            doc.add_page()
        top = _title_block(doc, facts, meeting, rnd, s, page + 1, pages)
        if top + HEAD_ROW + per_col * ROW > BOTTOM + 0.01:
            raise DocumentError("ballot", "the grid runs past the page")
        chunk = names[page * per_page:(page + 1) * per_page]
        used_cols = (len(chunk) + per_col - 1) // per_col
        total_w = used_cols * g.width + (used_cols - 1) * GAP
        x0 = (210 - total_w) / 2
        for c in range(used_cols):
            part = chunk[c * per_col:(c + 1) * per_col]
            first = page * per_page + c * per_col + 1
            _block(doc, g, x0 + c * (g.width + GAP), top,
                   [(first + i, n) for i, n in enumerate(part)])
    doc.decorate = None


def ballot_pdf(facts: ElectionFacts, meeting: Meeting, rnd: Round) -> bytes:
    doc = Doc(f"{facts.community_name} {post_zh(rnd.post)} 选票", facts.date, facts)
    draw(doc, facts, meeting, rnd)
    return doc.output_bytes()
