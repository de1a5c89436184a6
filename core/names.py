"""A person's name as it is compared, sorted and stored: normalized once, where it enters.

Two names that look alike on paper are the same name here: NFKC folds full-width and
compatibility forms (``Ｗａｎｇ`` → ``Wang``, the compatibility ideograph U+F900 → U+8C48), format
characters (Unicode category Cf: zero-width space, joiners, BOM, bidi marks) are dropped, and
whitespace is trimmed with inner runs collapsed to one space.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

__all__ = ["duplicates", "normalize_name"]


def normalize_name(raw: str) -> str:
    """The canonical form of a name typed, pasted or imported anywhere."""
    text = unicodedata.normalize("NFKC", raw)
    # NFKC first: it can produce no Cf, but the removal of a Cf can join two spaces
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return " ".join(text.split())


def duplicates(names: Iterable[tuple[str, int]]) -> list[tuple[str, list[int]]]:
    """Names that occur more than once as ``(name, [rows...])``, each in the order first seen.

    ``names`` pairs an already normalized name with the row (or index) it came from."""
    rows: dict[str, list[int]] = {}
    for name, row in names:
        rows.setdefault(name, []).append(row)
    return [(name, where) for name, where in rows.items() if len(where) > 1]
