"""Reading the documents back: text (pypdf), embedded fonts and their glyph coverage
(fontTools on the embedded FontFile2), character boxes (pdfium), pages as PNG (pdfium)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import pypdf
import pypdfium2 as pdfium
from fontTools.ttLib import TTFont

MM = 72 / 25.4


def text(pdf: bytes) -> str:
    return "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def compact(pdf: bytes) -> str:
    """The text without whitespace: what a reader sees, whatever the line breaks."""
    return "".join(text(pdf).split())


def embedded_fonts(pdf: bytes) -> list[tuple[str, str, set[int]]]:
    """(base font, FontFile key, code points of its cmap) for every font of every page."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    found: dict[int, tuple[str, str, set[int]]] = {}
    for page in reader.pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        for ref in fonts.values():
            if ref.idnum in found:
                continue
            font = ref.get_object()
            descendants = font.get("/DescendantFonts")
            desc = (descendants[0].get_object() if descendants else font)["/FontDescriptor"]
            key = next((k for k in ("/FontFile2", "/FontFile3", "/FontFile") if k in desc), "")
            cmap: set[int] = set()
            if key:
                data = desc[key].get_object().get_data()
                cmap = set(TTFont(io.BytesIO(data)).getBestCmap() or {}) if key == "/FontFile2" \
                    else set()
            found[ref.idnum] = (str(font["/BaseFont"]), key, cmap)
    return list(found.values())


def missing_glyphs(pdf: bytes) -> set[str]:
    """Characters of the text that no embedded font has a glyph for."""
    covered: set[int] = set()
    for _, _, cmap in embedded_fonts(pdf):
        covered |= cmap
    return {ch for ch in text(pdf) if not ch.isspace() and ord(ch) not in covered}


@dataclass(frozen=True)
class Box:
    page: int
    char: str
    left: float  # mm from the page's left edge
    top: float  # mm from the page's top edge
    right: float
    bottom: float
    size: float = 0.0  # font size, points


def char_boxes(pdf: bytes) -> list[Box]:
    doc = pdfium.PdfDocument(pdf)
    boxes = []
    for i in range(len(doc)):
        page = doc[i]
        height = page.get_height()
        tp = page.get_textpage()
        for k in range(tp.count_chars()):
            ch = tp.get_text_range(k, 1)
            if not ch.strip():
                continue
            left, bottom, right, top = tp.get_charbox(k)
            boxes.append(Box(i, ch, left / MM, (height - top) / MM, right / MM,
                             (height - bottom) / MM,
                             round(pdfium.raw.FPDFText_GetFontSize(tp.raw, k), 1)))
    return boxes


def page_size_mm(pdf: bytes) -> list[tuple[float, float]]:
    doc = pdfium.PdfDocument(pdf)
    return [(doc[i].get_width() / MM, doc[i].get_height() / MM) for i in range(len(doc))]


def render_png(pdf: bytes, page: int, path: Path, scale: float = 1.0) -> Path:
    image = pdfium.PdfDocument(pdf)[page].render(scale=scale).to_pil()
    image.save(path)
    return path


def ink_ratio(pdf: bytes, page: int = 0) -> float:
    """Share of the page's pixels darker than mid grey (0: a blank page)."""
    image = pdfium.PdfDocument(pdf)[page].render(scale=0.5).to_pil().convert("L")
    histogram = image.histogram()
    return sum(histogram[:128]) / sum(histogram)


def bookmarks(pdf: bytes) -> list[tuple[int, str]]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    out: list[tuple[int, str]] = []

    def walk(items: list, level: int) -> None:  # type: ignore[type-arg]
        for it in items:
            if isinstance(it, list):
                walk(it, level + 1)
            else:
                out.append((level, str(it.title)))

    walk(reader.outline, 0)
    return out
