"""Ballots: every candidate once, in ballot order, on as many columns and pages as it takes,
nothing outside the page, no page blank, every copy of a round's ballot identical."""

from __future__ import annotations

import pytest

from documents import ballots
from documents.facts import Meeting, Round
from tests.documents import pdfcheck
from tests.documents.conftest import candidates, election

MEETINGS = {
    "recommendation": Meeting("m-r", "recommendation", 1, "closed", 118, 112, 95, True, "M1"),
    "trust": Meeting("m-r", "recommendation", 1, "closed", 118, 112, 95, True, "M1"),
    "committee": Meeting("m-c", "committee", 1, "closed", 9, 8, 0, True, "M11"),
    "regular": Meeting("m-g", "congress", 1, "closed", 118, 110, 0, True, "M1"),
    "repeat": Meeting("m-g", "congress", 1, "closed", 118, 110, 0, True, "M1"),
    "tie": Meeting("m-g", "congress", 1, "closed", 118, 110, 0, True, "M1"),
    "additional": Meeting("m-g", "congress", 2, "closed", 118, 110, 0, True, "M1"),
}


def _round(kind: str, n: int) -> tuple[Meeting, Round]:
    meeting = MEETINGS[kind]
    round_kind = "regular" if kind == "committee" else kind
    return meeting, Round(f"rd-{kind}-{n}", "member", round_kind, 1, min(n, 5), candidates(n))


@pytest.mark.parametrize("n", [1, 8, 30, 60])
@pytest.mark.parametrize("kind", list(MEETINGS))
def test_every_candidate_once_in_order_nothing_clipped(kind: str, n: int) -> None:
    facts = election()
    meeting, rnd = _round(kind, n)
    pdf = ballots.ballot_pdf(facts, meeting, rnd)
    text = pdfcheck.compact(pdf)
    order = [c.name for c in rnd.candidates]
    positions = []
    for name in order:
        assert text.count(name) == 1, (name, kind, n)
        positions.append(text.index(name))
    assert positions == sorted(positions), "names out of ballot order"
    sizes = pdfcheck.page_size_mm(pdf)
    for box in pdfcheck.char_boxes(pdf):
        width, height = sizes[box.page]
        assert 5 <= box.left and box.right <= width - 5, box
        assert 5 <= box.top and box.bottom <= height - 5, box
    for page in range(len(sizes)):
        assert pdfcheck.ink_ratio(pdf, page) > 0.01, f"page {page + 1} looks blank"
    assert not pdfcheck.missing_glyphs(pdf)


def test_sixty_candidates_take_pages_and_say_so() -> None:
    meeting, rnd = _round("regular", 60)
    pdf = ballots.ballot_pdf(election(), meeting, rnd)
    pages = len(pdfcheck.page_size_mm(pdf))
    assert pages >= 3
    assert f"第{pages}页共{pages}页" in pdfcheck.compact(pdf)


def test_title_instructions_and_write_in_where_m4_allows() -> None:
    facts = election()
    meeting, regular = _round("regular", 3)
    text = pdfcheck.compact(ballots.ballot_pdf(facts, meeting, regular))
    assert "中共梅园新村社区总支部委员会" in text and "委员选举票" in text
    assert "第1轮" in text and "应选3名" in text
    assert "赞成" in text and "不赞成" in text and "弃权" in text and "另选他人" in text
    _, tie = _round("tie", 3)
    tie_text = pdfcheck.compact(ballots.ballot_pdf(facts, meeting, tie))
    assert "另选他人”栏" not in tie_text and "不另选他人" in tie_text  # M6: among the tied only


def test_the_round_identifier_is_the_only_mark_and_copies_are_identical() -> None:
    facts = election()
    meeting, rnd = _round("regular", 8)
    first = ballots.ballot_pdf(facts, meeting, rnd)
    assert first == ballots.ballot_pdf(facts, meeting, rnd)
    assert rnd.round_id in pdfcheck.compact(first)


def test_a_tint_per_post() -> None:
    assert len(set(ballots.TINT.values())) == len(ballots.TINT)


def test_a_round_without_candidates_is_refused() -> None:
    meeting, rnd = _round("regular", 1)
    empty = Round(rnd.round_id, rnd.post, rnd.kind, 1, 1, ())
    with pytest.raises(ballots.DocumentError, match="candidates"):
        ballots.ballot_pdf(election(), meeting, empty)


def test_a_long_name_is_shrunk_to_fit_never_clipped() -> None:
    from documents.facts import Candidate

    long_name = "买买提·艾力克木·阿不都热合曼"
    meeting, rnd = _round("regular", 3)
    rnd = Round(rnd.round_id, rnd.post, rnd.kind, 1, 1,
                (Candidate("p-long", long_name),) + rnd.candidates)
    pdf = ballots.ballot_pdf(election(), meeting, rnd)
    assert long_name in pdfcheck.compact(pdf)
    name_cell = [b for b in pdfcheck.char_boxes(pdf) if b.char in "买艾阿曼"]
    left = min(b.left for b in name_cell)
    right = max(b.right for b in name_cell)
    assert right - left < 34  # inside the name column
