"""M12: surname stroke order (姓氏笔画) for names on ballots and equal-vote listings."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

_UNKNOWN = 999  # characters missing from the table sort after every listed one


@lru_cache(maxsize=1)
def _table() -> dict[str, int]:
    path = Path(__file__).with_name("data") / "strokes.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    return {k: int(v) for k, v in data["strokes"].items()}


def strokes(char: str) -> int | None:
    """Stroke count of one character, or None when the bundled table does not know it."""
    return _table().get(char)


def stroke_key(name: str) -> tuple:
    """Sort key: surname strokes first, then each next character's strokes; code point breaks
    ties between different characters of equal strokes (so one surname stays together)."""
    table = _table()
    text = name.strip()
    return tuple((table.get(ch, _UNKNOWN), ord(ch)) for ch in text)


def stroke_sorted(names: Iterable[str]) -> list[str]:
    """Names in surname stroke order (stable for equal keys)."""
    return sorted(names, key=stroke_key)


def order_index(order: Sequence[str]) -> dict[str, int]:
    return {name: i for i, name in enumerate(order)}


def tie_key(name: str, index: dict[str, int]) -> tuple:
    """Position in the caller's stroke-order list; names not in it after, by stroke_key."""
    pos = index.get(name)
    return (0, pos, ()) if pos is not None else (1, 0, stroke_key(name))
