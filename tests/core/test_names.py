"""Names normalized at entry: what looks the same on paper is the same name."""

from __future__ import annotations

from core.names import duplicates, normalize_name


def test_a_zero_width_character_is_not_part_of_the_name() -> None:
    for hidden in ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u200e"):
        assert normalize_name(f"{hidden}王五") == "王五"
        assert normalize_name(f"王{hidden}五") == "王五"


def test_width_forms_and_spaces_fold() -> None:
    assert normalize_name("  Ｌｉ\u3000 \t Ming  ") == "Li Ming"
    assert normalize_name("\uf900") == "\u8c48"  # compatibility ideograph → unified
    assert normalize_name("欧阳  修") == "欧阳 修"
    assert normalize_name("张伟") == "张伟"


def test_duplicates_keep_every_row() -> None:
    got = duplicates([("王五", 2), ("李四", 3), ("王五", 7), ("王五", 9)])
    assert got == [("王五", [2, 7, 9])]
    assert duplicates([("王五", 2), ("王六", 3)]) == []
