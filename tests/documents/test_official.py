"""The request (请示) and the filing report in the GB/T 9704-2012 layout, measured from the
PDF: A4, the text inside the 156 x 225 mm type area at 28 mm from the left and 37 mm from the
top, 28 characters a full line, lines on the 22-line grid, title 22 pt, body 16 pt, the page
number 7 mm below the type area; one recipient; the ending 当否，请批示."""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import replace

import pytest

from documents import official
from documents.facts import ElectionFacts
from tests.documents import pdfcheck
from tests.documents.conftest import election

LEFT, TOP, WIDTH, HEIGHT = 28.0, 37.0, 156.0, 225.0
TOL = 0.3  # mm


def font_sizes(pdf: bytes) -> dict[str, set[float]]:
    """Characters by the font size pdfium reports for them (points)."""
    sizes: dict[str, set[float]] = defaultdict(set)
    for b in pdfcheck.char_boxes(pdf):
        sizes[b.char].add(b.size)
    return sizes


def body_boxes(pdf: bytes) -> list[pdfcheck.Box]:
    """Every character box but the page number's (it sits below the type area by design)."""
    return [b for b in pdfcheck.char_boxes(pdf) if b.top < TOP + HEIGHT + 1]


@pytest.fixture(scope="module")
def long_facts() -> ElectionFacts:
    """Enough candidates that the request runs onto a second page."""
    return replace(election(n_candidates=24), street_name="梅园新村街道")


@pytest.mark.parametrize("which", ["request", "filing"])
def test_margins_and_type_area(which: str, long_facts: ElectionFacts) -> None:
    pdf = (official.request_pdf if which == "request" else official.filing_pdf)(long_facts)
    for w, h in pdfcheck.page_size_mm(pdf):
        assert abs(w - 210) < 0.1 and abs(h - 297) < 0.1  # A4
    boxes = body_boxes(pdf)
    assert boxes
    for b in boxes:
        assert LEFT - TOL <= b.left and b.right <= LEFT + WIDTH + TOL, b
        assert TOP - TOL <= b.top and b.bottom <= TOP + HEIGHT + TOL, b
    # the text reaches the type area's edges: the margins are the standard's, not larger
    assert min(b.left for b in boxes) < LEFT + 1.5
    assert max(b.right for b in boxes) > LEFT + WIDTH - 1.5
    assert min(b.top for b in boxes) < TOP + 10.3


def test_lines_of_28_characters_on_a_22_line_grid(long_facts: ElectionFacts) -> None:
    pdf = official.request_pdf(long_facts)
    pitch, cell = HEIGHT / 22, WIDTH / 28
    lines: dict[tuple[int, int], list[pdfcheck.Box]] = defaultdict(list)
    for b in body_boxes(pdf):  # the grid row a body glyph's centre falls in
        if b.size == 16.0:
            lines[(b.page, int(((b.top + b.bottom) / 2 - TOP) // pitch))].append(b)
    for (_, row), chars in lines.items():
        assert 0 <= row < 22
        for c in chars:  # every glyph inside its row
            assert TOP + row * pitch - TOL <= c.top and c.bottom <= TOP + (row + 1) * pitch + TOL
    full = 0
    for chars in lines.values():
        if not all(ord(c.char) > 0x2E80 for c in chars):
            continue  # digits and Latin letters are narrower than a cell
        cells = [int(((c.left + c.right) / 2 - LEFT) // cell) for c in chars]
        # one character per cell (blank cells are full-width spaces)
        assert all(a < b for a, b in zip(cells, cells[1:], strict=False)), "off the character grid"
        assert 0 <= cells[0] and cells[-1] <= 27
        if cells == list(range(28)):
            full += 1
    assert full >= 1, "expected full lines of 28 characters"
    # the first page is full: its body reaches the 22nd line and the text goes on overleaf
    assert max(row for page, row in lines if page == 0) == 21
    assert any(page == 1 for page, _ in lines)


def test_title_22pt_body_16pt_page_number_below(long_facts: ElectionFacts) -> None:
    pdf = official.request_pdf(long_facts)
    sizes = font_sizes(pdf)
    assert 22.0 in sizes["请"]  # the title ends with 请示
    assert 16.0 in sizes["当"]  # 当否，请批示 in the body
    numbers = [b for b in pdfcheck.char_boxes(pdf) if b.top > TOP + HEIGHT]
    assert numbers and all(TOP + HEIGHT + 4 < b.top < TOP + HEIGHT + 12 for b in numbers)


def test_one_recipient_the_elected_and_the_ending(long_facts: ElectionFacts) -> None:
    text = pdfcheck.compact(official.request_pdf(long_facts))
    assert text.count("中共梅园新村街道工作委员会：") == 1
    assert "当否，请批示。" in text
    secretary = long_facts.elected("secretary")[0]
    assert f"拟请批准{secretary}任书记" in text
    filing = pdfcheck.compact(official.filing_pdf(long_facts))
    assert "特此报告。" in filing and "请批示" not in filing
    for name in long_facts.elected("member"):
        assert name in filing


def test_same_facts_same_bytes(long_facts: ElectionFacts) -> None:
    assert official.request_pdf(long_facts) == official.request_pdf(long_facts)
    assert isinstance(io.BytesIO(official.filing_pdf(long_facts)).read(4), bytes)


def test_no_line_starts_with_closing_punctuation() -> None:
    lines = official.break_lines("一" * 27 + "，二三", indent=0)
    assert not lines[1][1].startswith("，")
    assert all(sum(official.units(c) for c in t) <= 28 for _, t in lines)
