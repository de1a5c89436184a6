"""The console's web font: Noto Sans SC (SIL OFL 1.1, from the ``pylopdf-fonts-zh-cn`` wheel)
cut with fontTools into WOFF2 slices, each with an exact ``unicode-range``, so Chinese renders
on a machine with no Chinese font and a page loads only the slices its text needs.

* slice ``core``: ASCII, CJK punctuation and every character of the message catalogue and the
  templates: the labels of every page (one download, cached);
* slices ``l1a`` … ``l1d``: GB 2312's 3,755 common hanzi (level 1) not in ``core``, and
  ``l2a`` … ``l2c``: its 3,008 rarer ones (level 2): the names of people and places. Few,
  large slices, since the characters of a page's names spread over the whole range; a
  character outside GB 2312 falls back to the system's fonts.

A slice is cut on its first request (1-2 s) and kept in the user's cache directory
(``$GONGTUI_FONT_CACHE``, else ``$XDG_CACHE_HOME/gongtui/fonts``, else the data directory),
named by the hash of its characters and of the source font, so a new catalogue text cuts a
new one; after the first request the other slices are cut in the background, one at a time."""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
from functools import cache
from pathlib import Path

from api.console import messages

LEVEL1 = 4  # slices of the common hanzi: a page of names loads a few of them, not forty
LEVEL2 = 3
FAMILY = "Gongtui Sans SC"
_lock = asyncio.Lock()


def source() -> Path:
    import pylopdf_fonts_zh_cn

    return Path(pylopdf_fonts_zh_cn.__file__).parent / "NotoSansSC-Regular.otf"


def _gb2312_hanzi(first: int, last: int) -> list[str]:
    """The hanzi of GB 2312 rows ``first``..``last`` (level 1, the 3,755 common ones, is rows
    0xB0-0xD7; level 2 is 0xD8-0xF7)."""
    out = []
    for hi in range(first, last + 1):
        for lo in range(0xA1, 0xFF):
            try:
                out.append(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return out


def template_text() -> str:
    folder = Path(__file__).parent / "templates"
    return "".join(p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.html")))


@cache
def slices() -> dict[str, str]:
    """slice name → its characters, in codepoint order."""
    ascii_ = "".join(chr(c) for c in range(0x20, 0x7F))
    punct = "，。、；：？！“”‘’（）《》【】—…·～「」『』〔〕　"
    wanted = set(ascii_ + punct + messages.all_text() + template_text())
    core = "".join(sorted(c for c in wanted if c.isprintable()))
    out = {"core": core}
    for level, (first, last, parts) in enumerate(((0xB0, 0xD7, LEVEL1), (0xD8, 0xF7, LEVEL2))):
        rest = sorted(c for c in _gb2312_hanzi(first, last) if c not in wanted)
        size = -(-len(rest) // parts)
        for i in range(parts):
            out[f"l{level + 1}{chr(ord('a') + i)}"] = "".join(rest[i * size:(i + 1) * size])
    return out


def unicode_range(chars: str) -> str:
    points = sorted({ord(c) for c in chars})
    ranges: list[str] = []
    start = prev = points[0]
    for p in points[1:] + [-1]:
        if p == prev + 1:
            prev = p
            continue
        ranges.append(f"U+{start:X}" if start == prev else f"U+{start:X}-{prev:X}")
        start = prev = p
    return ", ".join(ranges)


@cache
def _source_digest() -> str:
    return hashlib.sha256(source().read_bytes()).hexdigest()[:12]


def file_name(name: str) -> str:
    digest = hashlib.sha256((_source_digest() + slices()[name]).encode()).hexdigest()[:12]
    return f"{name}-{digest}.woff2"


def stylesheet(base: str = "/console") -> str:
    faces = []
    for name, chars in slices().items():
        url = f"{base}/static/fonts/{file_name(name)}"
        faces.append(
            f"@font-face{{font-family:'{FAMILY}';font-style:normal;font-weight:400;"
            f"font-display:swap;src:url({url}) format('woff2');"
            f"unicode-range:{unicode_range(chars)}}}")
    return "\n".join(faces) + "\n"


def cut(chars: str) -> bytes:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(source(), lazy=True)
    options = subset.Options()
    options.layout_features = ["*"]
    options.hinting = False
    options.desubroutinize = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=chars)
    subsetter.subset(font)
    font.flavor = "woff2"
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def cache_dir(data_dir: Path) -> Path:
    named = os.environ.get("GONGTUI_FONT_CACHE")
    if named:
        return Path(named)
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    folder = base / "gongtui" / "fonts"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        return folder
    except OSError:
        return Path(data_dir) / "console-fonts"


_warming: set[Path] = set()
_tasks: set[asyncio.Task[None]] = set()  # kept, so the loop does not drop a warming task


async def _warm(folder: Path) -> None:
    for name in slices():
        await font_file(folder, file_name(name), warm=False)


async def font_file(folder: Path, requested: str, warm: bool = True) -> bytes | None:
    """The WOFF2 bytes of ``requested`` (a file name from :func:`stylesheet`), cut once."""
    names = {file_name(n): n for n in slices()}
    if requested not in names:
        return None
    if warm and folder not in _warming:
        _warming.add(folder)
        task = asyncio.get_running_loop().create_task(_warm(folder))
        _tasks.add(task)
        task.add_done_callback(_tasks.discard)
    path = folder / requested
    if path.exists():
        return path.read_bytes()
    async with _lock:
        if not path.exists():
            data = await asyncio.to_thread(cut, slices()[names[requested]])
            folder.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")  # several API processes may cut
            tmp.write_bytes(data)
            tmp.replace(path)
    return path.read_bytes()
