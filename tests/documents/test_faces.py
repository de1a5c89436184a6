"""The font parsed once per process (documents.faces): a document's bytes depend on its facts
alone — not on what the process drew before, nor on another thread drawing at the same time —
and it reads, embeds and covers exactly as with fpdf2's own per-document ``add_font``."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from documents import ballots, faces, fonts, minutes, official, results
from documents.facts import ElectionFacts
from documents.pdf import Doc
from tests.documents import pdfcheck
from tests.documents.conftest import election
from tests.paths import ROOT


def report(facts: ElectionFacts) -> bytes:
    m = facts.meetings[-1]
    return results.round_report_pdf(facts, m, m.rounds[0])


def rare(facts: ElectionFacts) -> ElectionFacts:
    """The facts with a name outside GB 2312 (堃, 喆): the document takes the full font."""
    m = facts.meetings[-1]
    r = m.rounds[0]
    cands = (dataclasses.replace(r.candidates[0], name="王堃喆"), *r.candidates[1:])
    tally = (dataclasses.replace(r.tally[0], name="王堃喆"), *r.tally[1:])
    r2 = dataclasses.replace(r, candidates=cands, tally=tally)
    return dataclasses.replace(facts, meetings=(*facts.meetings[:-1], dataclasses.replace(
        m, rounds=(r2, *m.rounds[1:]))))


def test_bytes_do_not_depend_on_what_the_process_drew_before() -> None:
    facts = election()
    first = report(facts)
    others = [official.request_pdf(facts), report(rare(facts)),
              ballots.ballot_pdf(facts, facts.meetings[-1], facts.meetings[-1].rounds[2])]
    assert report(facts) == first
    assert all(o != first for o in others)
    # and in a fresh process, where the font is parsed for this document first
    code = ("import sys; from tests.documents.conftest import election; "
            "from tests.documents.test_faces import report; "
            "sys.stdout.buffer.write(report(election()))")
    fresh = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                           timeout=240, check=True).stdout
    assert fresh == first


def test_threads_drawing_at_once_give_the_same_bytes() -> None:
    facts, other = election(), rare(election())
    alone = [report(facts), report(other)]
    with ThreadPoolExecutor(4) as pool:
        together = list(pool.map(report, [facts, other] * 4))
    assert together == alone * 4


@pytest.mark.parametrize("make", [lambda: election(), lambda: rare(election())],
                         ids=["gb2312-1", "full"])
def test_shared_face_reads_and_covers_like_fpdf2s_own(make, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    facts = make()
    shared = report(facts)
    monkeypatch.setattr(Doc, "shared_fonts", False)
    own = report(facts)
    assert pdfcheck.text(shared) == pdfcheck.text(own)
    for pdf in (shared, own):
        embedded = pdfcheck.embedded_fonts(pdf)
        assert embedded and all(key == "/FontFile2" and base.startswith("/MPDFAA+")
                                for base, key, _ in embedded)
        assert pdfcheck.missing_glyphs(pdf) == set()
    # a subset: the used glyphs, not the face
    for _, _, cmap in pdfcheck.embedded_fonts(shared):
        assert 0 < len(cmap) < 300


def test_the_clone_holds_the_used_glyphs_only() -> None:
    face = faces.face(fonts.cut_path(fonts.REGULAR, "gb2312-1"))
    wanted = {face.template.cmap[ord(ch)] for ch in "选举结果报告单"}
    clone = face.clone(wanted)
    assert set(clone["glyf"].glyphs) == wanted | set(face.order[:4])
    assert set(clone["hmtx"].metrics) == set(clone["glyf"].glyphs)
    assert {g for t in clone["cmap"].tables for g in t.cmap.values()} <= set(clone["glyf"].glyphs)
    assert all(t not in clone for t in ("GSUB", "GPOS", "GDEF"))
    # the face itself is untouched: a second clone is the same
    assert set(face.clone(wanted)["glyf"].glyphs) == set(clone["glyf"].glyphs)
    assert len(face.raw) == len(face.order)


def test_minutes_print_the_recorded_details() -> None:
    facts = election()
    m = dataclasses.replace(facts.meetings[-1], presided_by="李明", recorded_by="王芳",
                            place="社区党群服务中心", held_at="2026-03-08T09:00")
    doc = Doc("minutes", facts.date, facts)
    minutes.draw(doc, facts, m)
    text = pdfcheck.compact(doc.output_bytes())
    assert "主持人李明" in text and "记录人王芳" in text and "地点社区党群服务中心" in text
    assert "时间2026年3月8日9:00" in text


def test_the_request_names_the_street_and_the_term() -> None:
    facts = dataclasses.replace(election(), street_name="梅园新村街道", term_years=5)
    text = pdfcheck.compact(official.request_pdf(facts))
    assert "中共梅园新村街道工作委员会" in text and "st-meiyuan" not in text
    assert "任期5年" in text


def test_a_composite_glyph_brings_its_components(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Noto Sans SC has no composite glyph; a small font with one (Ä = A + dieresis) shows the
    clone keeps a used glyph's components, so the subset never loses an outline."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib.tables._g_l_y_f import Glyph, GlyphComponent

    def box(x0: int, y0: int, x1: int, y1: int) -> Glyph:
        pen = TTGlyphPen(None)
        pen.moveTo((x0, y0))
        pen.lineTo((x0, y1))
        pen.lineTo((x1, y1))
        pen.lineTo((x1, y0))
        pen.closePath()
        return pen.glyph()

    order = [".notdef", "space", "A", "dieresis", "Adieresis", "B"]
    fb = FontBuilder(1000, isTTF=True)
    fb.setupGlyphOrder(order)
    fb.setupCharacterMap({0x20: "space", 0x41: "A", 0xC4: "Adieresis", 0x42: "B"})
    composite = Glyph()
    composite.numberOfContours = -1
    composite.components = []
    for name, dy in (("A", 0), ("dieresis", 0)):
        c = GlyphComponent()
        c.glyphName, c.x, c.y, c.flags = name, 0, dy, 0x4
        composite.components.append(c)
    glyphs = {".notdef": box(0, 0, 500, 700), "space": Glyph(), "A": box(0, 0, 600, 700),
              "dieresis": box(100, 800, 500, 900), "Adieresis": composite,
              "B": box(0, 0, 600, 700)}
    fb.setupGlyf(glyphs)
    fb.setupHorizontalMetrics({n: (600, 0) for n in order})
    fb.setupHorizontalHeader(ascent=900, descent=-100)
    fb.setupNameTable({"familyName": "Probe", "styleName": "Regular"})
    fb.setupOS2()
    fb.setupPost()
    path = tmp_path / "probe.ttf"
    fb.save(str(path))

    face = faces.Face(path)
    clone = face.clone({"Adieresis"})
    assert {"Adieresis", "A", "dieresis"} <= set(clone["glyf"].glyphs)
    assert "B" not in clone["glyf"].glyphs

    doc = Doc("probe", election().date)
    doc.fonts["probe"] = face.font_for(doc, "probe", "")
    faces._faces[str(path)] = face  # the Producer finds the face by the font's file
    doc._covered = frozenset(face.template.cmap)  # the probe's characters, not Noto's
    doc.add_page()
    doc.set_font("probe", size=20)
    doc.text(20, 20, "ÄA")
    pdf = doc.output_bytes()
    assert "ÄA" in pdfcheck.text(pdf)
    (_, key, cmap), *_ = [f for f in pdfcheck.embedded_fonts(pdf) if "Probe" in f[0]]
    assert key == "/FontFile2" and {0xC4, 0x41} <= cmap and 0x42 not in cmap
