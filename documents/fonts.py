"""The one CJK font of every document and chart: Noto Sans SC (SIL OFL 1.1) from the PyPI
package ``justmytype-intl-cjk``, a variable TrueType font.

Its default instance is the thinnest weight, and fpdf2 instantiating the weight on every
``add_font`` costs seconds; so the two weights used (regular, bold) are instantiated once with
fontTools' instancer and kept in a cache directory, named by the source font's digest, the
weight and the fontTools version (the same inputs give the same file, so documents stay
byte-identical). TrueType outlines (not CFF) because fpdf2 writes CFF fonts with an embedded
encoding CMap that pypdf misreads; glyf subsets go in as FontFile2 and read back everywhere.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import threading
from functools import lru_cache
from pathlib import Path

REGULAR = 400
BOLD = 700
FAMILY = "NotoSansSC"
log = logging.getLogger(__name__)
# One instancing at a time in a process: the warm-up thread and a first document would
# otherwise both spend the seconds on the same weight.
_MAKING = threading.Lock()


class FontMissing(RuntimeError):
    """The font package is not installed."""


def source_font() -> Path:
    try:
        import justmytype_intl_cjk
    except ModuleNotFoundError as exc:
        raise FontMissing("documents need the font package: pip install justmytype-intl-cjk"
                          ) from exc
    path = (Path(justmytype_intl_cjk.__file__).parent / "fonts" / "ofl" / "notosanssc"
            / "NotoSansSC[wght].ttf")
    if not path.exists():
        raise FontMissing(f"{path} is missing from justmytype-intl-cjk")
    return path


def cache_dir() -> Path:
    base = os.environ.get("GONGTUI_FONT_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache"), "gongtui",
        "fonts")
    path = Path(base)
    path.mkdir(parents=True, exist_ok=True)
    return path


@lru_cache(maxsize=1)
def _source_digest() -> str:
    h = hashlib.sha256()
    with source_font().open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()[:16]


@lru_cache(maxsize=4)
def font_path(weight: int = REGULAR) -> Path:
    """A static TrueType instance of the font at ``weight``, made on first use."""
    import fontTools

    target = cache_dir() / f"{FAMILY}-{weight}-{_source_digest()}-ft{fontTools.version}.ttf"
    if target.exists():
        return target
    with _MAKING:
        if not target.exists():
            _instantiate(weight, target)
    return target


def _instantiate(weight: int, target: Path) -> None:
    from fontTools.ttLib import TTFont
    from fontTools.varLib import instancer

    font = TTFont(str(source_font()), recalcTimestamp=False)
    static = instancer.instantiateVariableFont(font, {"wght": weight}, optimize=False,
                                               updateFontNames=False)
    # Written to a temporary name first: a second process making the same instance never
    # reads a half-written file.
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".part")
    os.close(fd)
    os.chmod(tmp, 0o644)
    static.save(tmp)
    os.replace(tmp, target)


def warm() -> None:
    """Both weights made now (a fresh machine's first document would wait seconds for them —
    tens of seconds on a busy one): the API starts this in a thread as it starts."""
    try:
        for weight in (REGULAR, BOLD):
            font_path(weight)
    except FontMissing as exc:  # documents are refused with the reason when asked for
        log.warning("documents' font: %s", exc)


# Marks the codec maps elsewhere (the middle dot of 买买提·艾力 is U+00B7, not U+30FB) or that
# documents print (ballot boxes, check marks, the GB/T 9704 page number dashes).
EXTRA = "\u00b7\u2014\u2015\u2013\u2018\u2019\u201c\u201d\u2026\u2022\u221a\u25a1\u25a0\u25cb\u25cf\u3007\uff5e"


# Cuts of the font, smallest first: a document takes the first whose characters cover its
# facts. GB 2312's first level holds its 3,755 most frequent hanzi (rows 16-55), with the
# punctuation and symbol rows 1-9; the whole of GB 2312 adds its 3,008 second-level hanzi.
CUTS: dict[str, tuple[range, ...]] = {
    "gb2312-1": (range(0xA1, 0xAA), range(0xB0, 0xD8)),
    "gb2312": (range(0xA1, 0xF8),),
}
FULL = "full"


@lru_cache(maxsize=4)
def repertoire(cut: str) -> frozenset[int]:
    """Printable ASCII, the marks above and the GB 2312 rows of ``cut``, enumerated through
    Python's own gb2312 codec."""
    chars = set(range(0x20, 0x7F)) | {ord(c) for c in EXTRA}
    for rows in CUTS[cut]:
        for hi in rows:
            for lo in range(0xA1, 0xFF):
                try:
                    chars.add(ord(bytes((hi, lo)).decode("gb2312")))
                except UnicodeDecodeError:
                    continue
    return frozenset(chars)


def cut_for(chars: set[int]) -> str:
    """The smallest cut holding every one of ``chars``."""
    for cut in CUTS:
        if chars <= repertoire(cut):
            return cut
    return FULL


@lru_cache(maxsize=8)
def cut_path(weight: int, cut: str) -> Path:
    """The instance cut down to ``cut``'s repertoire: a fraction of the glyphs, so a document
    within it loads and subsets its font several times faster."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    full = font_path(weight)
    if cut == FULL:
        return full
    target = full.with_name(f"{full.stem}-{cut}.ttf")
    if target.exists():
        return target
    font = TTFont(str(full), recalcTimestamp=False)
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(repertoire(cut) & covered(weight, FULL)))
    subsetter.subset(font)
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".part")
    os.close(fd)
    os.chmod(tmp, 0o644)
    font.save(tmp)
    os.replace(tmp, target)
    return target


@lru_cache(maxsize=8)
def covered(weight: int = REGULAR, cut: str = FULL) -> frozenset[int]:
    """The code points the font (or its cut) has a glyph for."""
    from fontTools.ttLib import TTFont

    path = font_path(weight) if cut == FULL else cut_path(weight, cut)
    return frozenset(TTFont(str(path), lazy=True).getBestCmap())


def use_in_matplotlib() -> str:
    """Registers the font with matplotlib and makes it the default; returns its family name."""
    from matplotlib import font_manager, rcParams

    for weight in (REGULAR, BOLD):
        font_manager.fontManager.addfont(str(font_path(weight)))
    name = font_manager.FontProperties(fname=str(font_path(REGULAR))).get_name()
    rcParams["font.family"] = [name]
    rcParams["axes.unicode_minus"] = False
    return name
