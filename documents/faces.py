"""The font parsed once per process and shared by every document it draws.

fpdf2's ``add_font`` parses a TrueType file for each document (cmap, metrics, the glyph names,
which this font derives from its cmap), and at output subsets that parsed font in place, so a
parsed font serves one document only. That was four fifths of the time of a document. Here
each face (a font file: weight and cut) is parsed once per process into a template; a
document gets a fresh ``TTFFont`` that shares the template's read-only tables (cmap, widths,
glyph ids) and owns what fpdf2 changes while drawing (the subset map, the font descriptor).
At output the document's font is a clone of the file holding only the glyphs the document
used (and their components) over the template's raw tables; fpdf2 then subsets and embeds that
clone exactly as it would the whole file. The clone is built from the same bytes whatever was
drawn before, so a document's bytes depend on its facts alone.
"""

from __future__ import annotations

import copy
import threading
from io import BytesIO
from pathlib import Path

from fontTools.ttLib import TTFont, newTable
from fontTools.ttLib.tables._g_l_y_f import Glyph
from fpdf import FPDF
from fpdf.enums import TextEmphasis
from fpdf.fonts import SubsetMap, TTFFont
from fpdf.output import OutputProducer

# Tables fpdf2's output drops before subsetting (GDEF, GPOS, GSUB and the colour/bitmap ones;
# fontTools drops BASE by default): the clone goes without them, so they are never parsed.
_DROPPED = ("BASE", "GDEF", "GPOS", "GSUB", "MATH", "hdmx", "meta", "FFTM", "sbix", "CBDT",
            "CBLC", "EBDT", "EBLC", "EBSC", "SVG ", "CPAL", "COLR")
_lock = threading.Lock()
_faces: dict[str, Face] = {}


class Face:
    """One font file parsed once: fpdf2's template ``TTFFont`` and the raw tables a
    document's clone is cut from."""

    def __init__(self, path: Path) -> None:
        probe = FPDF()
        probe.add_font("face", "", str(path))
        template = probe.fonts["face"]
        assert isinstance(template, TTFFont)
        if template.is_cff or "glyf" not in template.ttfont:
            raise ValueError(f"{path}: only TrueType (glyf) outlines are shared")
        self.path = path
        self.template = template
        self.data = path.read_bytes()
        tt = template.ttfont
        self.order: list[str] = list(tt.getGlyphOrder())
        loca = tt["loca"]
        glyf = tt.reader["glyf"]
        # Raw glyph records by name (slices of the file's glyf table; nothing expanded).
        self.raw: dict[str, bytes] = {
            name: bytes(glyf[int(loca[i]):int(loca[i + 1])])
            for i, name in enumerate(self.order)}
        self.hmtx: dict[str, tuple[int, int]] = dict(tt["hmtx"].metrics)
        self.vmtx: dict[str, tuple[int, int]] | None = (
            dict(tt["vmtx"].metrics) if "vmtx" in tt else None)
        self.cmap_tables = list(tt["cmap"].tables)
        self.cmap_version = tt["cmap"].tableVersion
        self.dropped = tuple(t for t in _DROPPED if t in tt)
        tt.close()
        self._glyf_order = newTable("glyf")  # names the component ids of raw records
        self._glyf_order.glyphOrder = self.order

    def font_for(self, doc: FPDF, fontkey: str, style: str) -> TTFFont:
        """A ``TTFFont`` for ``doc``: the template's read-only parts shared, its own subset map
        and descriptor (fpdf2 assigns the descriptor an object id at output)."""
        t = self.template
        font = TTFFont.__new__(TTFFont)
        for attr in ("type", "ttffile", "scale", "name", "up", "ut", "sp", "ss", "is_compressed",
                     "is_cff", "is_cid_keyed", "is_symbol", "cff_ros", "collection_font_number",
                     "cmap", "glyph_ids", "cw", "color_font", "palette_index"):
            setattr(font, attr, getattr(t, attr))
        font.i = len(doc.fonts) + 1
        font.fontkey = fontkey
        font.emphasis = TextEmphasis.coerce(style)
        font.desc = copy.copy(t.desc)
        font.biggest_size_pt = 0
        font.missing_glyphs = []
        font._hbfont = None
        font.ttfont = None  # set by the output (Producer) to the clone of the used glyphs
        font.subset = SubsetMap(font)
        return font

    def closure(self, names: set[str]) -> set[str]:
        """``names``, the first four glyphs fontTools keeps with them, and every component."""
        todo = set(names) | set(self.order[:4])
        done: set[str] = set()
        while todo:
            name = todo.pop()
            done.add(name)
            todo |= set(Glyph(self.raw[name]).getComponentNames(self._glyf_order)) - done
        return done

    def clone(self, names: set[str]) -> TTFont:
        """The font file with the glyphs ``names`` (and their closure) only: the small
        tables read from the bytes as fontTools would, the big ones built from the template."""
        keep = self.closure(names)
        font = TTFont(BytesIO(self.data), lazy=True, recalcBBoxes=False,
                      recalcTimestamp=False)
        for tag in self.dropped:
            del font[tag]
        font.setGlyphOrder(list(self.order))
        glyf = newTable("glyf")
        glyf.glyphOrder = list(self.order)
        glyf.glyphs = {name: Glyph(self.raw[name]) for name in keep}
        glyf._reverseGlyphOrder = {}
        font["glyf"] = glyf
        loca = newTable("loca")
        loca.set([])
        font["loca"] = loca
        hmtx = newTable("hmtx")
        hmtx.metrics = {name: self.hmtx[name] for name in keep}
        font["hmtx"] = hmtx
        if self.vmtx is not None:
            vmtx = newTable("vmtx")
            vmtx.metrics = {name: self.vmtx[name] for name in keep}
            font["vmtx"] = vmtx
        cmap = newTable("cmap")
        cmap.tableVersion = self.cmap_version
        cmap.tables = []
        for table in self.cmap_tables:
            sub = copy.copy(table)
            if hasattr(table, "cmap"):
                sub.cmap = {u: g for u, g in table.cmap.items() if g in keep}
            if hasattr(table, "uvsDict"):
                sub.uvsDict = {v: list(pairs) for v, pairs in table.uvsDict.items()}
            cmap.tables.append(sub)
        font["cmap"] = cmap
        return font


def face(path: Path) -> Face:
    """The process's parsed ``path`` (made on first use; threads share it)."""
    key = str(path)
    found = _faces.get(key)
    if found is None:
        with _lock:
            found = _faces.get(key)
            if found is None:
                found = _faces[key] = Face(path)
    return found


class Producer(OutputProducer):
    """fpdf2's output with each shared font's clone put in just before the fonts are
    embedded (everything is drawn by then, footers included)."""

    def bufferize(self) -> bytearray:
        for font in self.fpdf.fonts.values():
            if isinstance(font, TTFFont) and font.ttfont is None:
                shared = face(Path(font.ttffile))
                font.ttfont = shared.clone(set(font.subset.get_all_glyph_names()))
        return super().bufferize()
