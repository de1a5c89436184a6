"""The page machinery every document shares: fpdf2 with the embedded CJK font (a subset of
it goes into each PDF; the font is parsed once per process, documents/faces.py), a fixed
creation date, vector QR codes (segno), tints, watermarks and
the corner marks a scanner finds the sheet by.

fpdf2 is used because it embeds TrueType subsets (FontFile2) itself and writes the same bytes
for the same calls; see docs/documents.md for the choice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import fields, is_dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from fpdf import FPDF

from documents import faces, fonts

A4 = (210.0, 297.0)
FONT = "cjk"
GREY = (90, 90, 90)
Decorate = Callable[["Doc"], None]


class DocumentError(ValueError):
    """Facts that cannot be printed faithfully: names the field (and the rule, if any)."""

    def __init__(self, field: str, message: str, rule: str = "") -> None:
        self.field = field
        self.rule = rule
        super().__init__(f"{field}: {message}" + (f" ({rule})" if rule else ""))


class Doc(FPDF):
    """One PDF. ``decorate`` (set per document) draws what every page of it carries.

    ``shared_fonts``: the font parsed once per process (documents.faces); off, every document
    parses its own, as fpdf2's ``add_font`` does (the benchmark compares the two)."""

    shared_fonts = True

    def __init__(self, title: str, date: datetime, facts: object = None) -> None:
        super().__init__(unit="mm", format="A4")
        # The smallest cut of the font holding every character of the facts (the templates'
        # own text is within the smallest): the choice follows from the facts alone.
        cut = fonts.cut_for({ord(ch) for text in strings_of(facts) for ch in text
                             if not ch.isspace()})
        self.set_creation_date(date)
        self.set_title(title)
        self.set_subject(title)
        self.set_author("gongtui")
        self.set_creator("gongtui documents")
        self.set_lang("zh-CN")
        for style, weight in (("", fonts.REGULAR), ("B", fonts.BOLD)):
            path = fonts.cut_path(weight, cut)
            if self.shared_fonts:
                self.fonts[FONT + style] = faces.face(path).font_for(self, FONT + style, style)
            else:  # fpdf2's own way: the file parsed for this document alone
                self.add_font(FONT, style, str(path))
        self.set_font(FONT, size=11)
        self.decorate: Decorate | None = None
        self.pending_sections: list[str] = []  # step headings of the archive's outline
        self._covered = fonts.covered(fonts.REGULAR, cut) & fonts.covered(fonts.BOLD, cut)
        self.cut = cut
        self.c_margin = 1.0

    # -- every string goes through here: a character the font lacks is an error, never a box
    def normalize_text(self, text: str) -> str:
        missing = sorted({ch for ch in text if not ch.isspace() and ord(ch) not in self._covered})
        if missing:
            raise DocumentError("text", f"the font has no glyph for {''.join(missing)!r} "
                                f"(in {text[:40]!r})")
        return super().normalize_text(text)

    def header(self) -> None:
        if self.decorate is not None:
            self.decorate(self)

    def begin(self, bookmark: str, decorate: Decorate | None = None, level: int = 0,
              orientation: str = "P") -> None:
        """Starts a document (a new page) with a bookmark in the archive's outline."""
        self.decorate = decorate
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(True, 15)
        self.add_page(orientation=orientation)
        self.mark(bookmark, level)

    def mark(self, bookmark: str, level: int = 1) -> None:
        """A bookmark here, after the step headings waiting for their first page."""
        for heading in self.pending_sections:
            self.start_section(heading, level=0)
        self.pending_sections.clear()
        self.start_section(bookmark, level=level)

    def font(self, size: float, bold: bool = False) -> None:
        self.set_font(FONT, "B" if bold else "", size)

    def fit(self, x: float, y: float, w: float, h: float, text: str, size: float,
            bold: bool = False, align: str = "L", min_size: float = 5.0) -> None:
        """``text`` in the box, the font shrunk until it fits the width (never clipped)."""
        self.font(size, bold)
        while size > min_size and self.get_string_width(text) > w - 2 * self.c_margin:
            size -= 0.5
            self.font(size, bold)
        if self.get_string_width(text) > w - 2 * self.c_margin:
            raise DocumentError("text", f"{text!r} does not fit {w:.0f} mm")
        self.set_xy(x, y)
        self.cell(w, h, text, align=align)

    def tint(self, rgb: tuple[int, int, int]) -> None:
        with self.local_context(fill_color=rgb):
            self.rect(0, 0, self.w, self.h, style="F")

    def corner_marks(self, inset: float = 8.0, size: float = 5.0) -> None:
        """Four solid squares a scanner aligns the sheet by (no other mark on a ballot)."""
        with self.local_context(fill_color=(0, 0, 0)):
            for x in (inset, self.w - inset - size):
                for y in (inset, self.h - inset - size):
                    self.rect(x, y, size, size, style="F")

    def qr(self, data: str, x: float, y: float, size: float) -> None:
        """A QR code drawn as vector squares (segno computes the matrix)."""
        n, runs = qr_runs(data)
        cell = size / n
        with self.local_context(fill_color=(0, 0, 0)):
            for j, i, k in runs:
                self.rect(x + i * cell, y + j * cell, (k - i) * cell, cell, style="F")

    def watermark(self, text: str) -> None:
        with self.local_context(text_color=(200, 60, 60), fill_opacity=0.25):
            self.font(60, bold=True)
            width = self.get_string_width(text)
            cx, cy = self.w / 2, self.h / 2
            with self.rotation(35, cx, cy):
                self.text(cx - width / 2, cy + 8, text)

    def output(self, *args: Any, **kwargs: Any) -> Any:
        """fpdf2's output, with the shared fonts' clones put in (documents.faces)."""
        kwargs.setdefault("output_producer_class", faces.Producer)
        return super().output(*args, **kwargs)

    def output_bytes(self) -> bytes:
        return bytes(self.output())


@lru_cache(maxsize=256)
def qr_runs(data: str) -> tuple[int, tuple[tuple[int, int, int], ...]]:
    """The QR code of ``data``: its size in modules and its runs of dark modules as
    (row, first, end) — one rectangle each. Cached: a round's ballots, tally sheets and
    reports carry the same code."""
    import segno

    rows = [list(r) for r in segno.make(data, error="m", micro=False).matrix]
    runs = []
    for j, row in enumerate(rows):
        i, n = 0, len(row)
        while i < n:
            if row[i]:
                k = i
                while k < n and row[k]:
                    k += 1
                runs.append((j, i, k))
                i = k
            else:
                i += 1
    return len(rows), tuple(runs)


def strings_of(value: object) -> Iterator[str]:
    """Every string inside a (nested) dataclass, tuple or dict."""
    if isinstance(value, str):
        yield value
    elif is_dataclass(value) and not isinstance(value, type):
        for f in fields(value):
            yield from strings_of(getattr(value, f.name))
    elif isinstance(value, (tuple, list)):
        for item in value:
            yield from strings_of(item)
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from strings_of(k)
            yield from strings_of(v)
