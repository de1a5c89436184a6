"""M12 stroke order from Unihan kTotalStrokes, ties by the first differing stroke."""

from __future__ import annotations

import random
import unicodedata

from typer.testing import CliRunner

from gongtui.cli import app
from rules.strokes import stroke_key, stroke_sequence, stroke_sorted, strokes

# Thirty surnames of the national surname list in 姓氏笔画 order: by stroke count, equal
# counts by the first differing stroke in the order 横 竖 撇 点 折. Each step checked by hand:
#   2 丁 | 3 于 (一一丨) < 万 (一乛) < 马 (乛) | 4 王 (一) < 毛 (丿) < 方 (丶) < 尹 (乛一) <
#   孔 (乛丨) < 邓 (乛丶) | 5 石 (一丿丨) < 龙 (一丿乛) < 卢 (丨一) < 叶 (丨乛一一) <
#   田 (丨乛一丨) < 史 (丨乛一丿) < 白 (丿) < 冯 (丶) | 6 朱 (丿) < 刘 (丶一) < 许 (丶乛) <
#   孙 (乛) | 7 李 (一丨丿丶乛丨) < 杨 (一丨丿丶乛丿) < 吴 (丨) < 何 (丿) < 宋 (丶) <
#   张 (乛一) < 陈 (乛丨) | 8 林
# which is how national lists in stroke order begin (丁, 于, 万, 马, 王, ...).
SURNAMES = ("丁 于 万 马 王 毛 方 尹 孔 邓 石 龙 卢 叶 田 史 白 冯 朱 刘 许 孙 李 杨 吴 何 宋 张 陈 "
            "林").split()


def test_traditional_and_simplified_forms_have_their_own_counts() -> None:
    assert strokes("張") == 11 and strokes("张") == 7
    assert strokes("劉") == 15 and strokes("刘") == 6
    assert strokes("范") == 8  # zh-Hans count first (Taiwan counts 艹 as four: 9)
    assert strokes("A") is None
    # 張 sorts among the 11-stroke names, not after everything
    order = stroke_sorted(["張三", "黄一", "韩二", "张四", "Zhang"])
    assert order == ["张四", "黄一", "張三", "韩二", "Zhang"]


def test_every_han_character_has_a_count() -> None:
    missing = [cp for cp in range(0x3400, 0x323B0)
               if unicodedata.name(chr(cp), "").startswith("CJK UNIFIED IDEOGRAPH")
               and strokes(chr(cp)) is None]
    assert missing == []


def test_thirty_surnames_in_published_stroke_order() -> None:
    shuffled = SURNAMES[:]
    random.Random(12).shuffle(shuffled)
    assert stroke_sorted(shuffled) == SURNAMES
    assert stroke_sequence("万") == "153" and stroke_sequence("于") == "112"


def test_a_hidden_character_does_not_move_a_name() -> None:
    assert stroke_key("\u200b王五") == stroke_key("王五")
    assert stroke_sorted(["\u200b王五", "丁一", "李四"]) == ["丁一", "\u200b王五", "李四"]


def test_cli_prints_keys_then_ballot_order() -> None:
    shuffled = SURNAMES[::-1]
    res = CliRunner().invoke(app, ["rules", "strokes", *shuffled])
    assert res.exit_code == 0, res.output
    lines = res.output.rstrip("\n").split("\n")
    assert len(lines) == len(SURNAMES) + 1
    assert lines[-1] == " ".join(SURNAMES)
    assert lines[0].startswith("林\t林 8 一丨丿丶一丨丿丶")
