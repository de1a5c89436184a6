"""The rule table as Markdown: the checked-in docs/rules.md is exactly the generated document."""

from __future__ import annotations

from pathlib import Path

import pytest

import rules
from rules.markdown import builtin_profiles, explained_profiles, rule_table_markdown

RULES_MD = Path(__file__).resolve().parents[2] / "docs" / "rules.md"


def _row(doc: str, rule_id: str) -> list[str]:
    line = next(x for x in doc.splitlines() if x.startswith(f"| {rule_id} |"))
    return [c.strip() for c in line.strip("|").split(" | ")]


def test_checked_in_docs_are_the_generated_table() -> None:
    generated = rule_table_markdown(explained_profiles())
    assert RULES_MD.read_text(encoding="utf-8") == generated, (
        "docs/rules.md is stale: run `gongtui rules explain --markdown > docs/rules.md`")


def test_builtins_come_after_the_profiles_they_extend() -> None:
    assert [p.name for p in builtin_profiles()] == ["national", "nanjing", "nanjing-xuanwu"]
    nanjing = rules.load_profile("nanjing")
    assert [p.name for p in explained_profiles(nanjing)] == ["national", "nanjing",
                                                             "nanjing-xuanwu"]


def test_values_and_off_per_profile() -> None:
    doc = rule_table_markdown(builtin_profiles())
    m10 = _row(doc, "M10")
    assert m10[:3] == ["M10", rules.rule_text("M10"), "L"]
    assert m10[4:] == ["off<br>`trust_threshold = false`", "off<br>`trust_threshold = false`",
                       "`trust_threshold = true`"]
    p7 = _row(doc, "P7")
    assert p7[4:] == ['`congress_order = "plenary"`', '`congress_order = "direct"`',
                      '`congress_order = "direct"`']
    assert _row(doc, "M1")[4:] == ["on", "on", "on"]
    assert _row(doc, "NM4")[4] == "off"  # an L row without parameters, under national
    # a "|" inside a cell would split it: it is escaped
    assert "| `congress_order` | P7 | 选举顺序 direct\\|plenary / congress order |" in doc


def test_a_district_file_gets_its_own_column(tmp_path: Path) -> None:
    f = tmp_path / "gulou.yaml"
    f.write_text("name: gulou\nextends: nanjing\nparams:\n  notice_days: 7\n", encoding="utf-8")
    gulou = rules.load_profile(str(f))
    doc = rule_table_markdown(explained_profiles(gulou))
    assert "| ID | rule | kind | source | national | nanjing | nanjing-xuanwu | gulou (file) |" \
        in doc
    assert _row(doc, "O1")[4:] == ["off<br>`notice_days = 5`", "`notice_days = 5`",
                                   "`notice_days = 5`", "`notice_days = 7`"]


def test_every_rule_and_parameter_is_in_the_document() -> None:
    doc = rule_table_markdown(builtin_profiles())
    assert all(f"| {rule_id} |" in doc for rule_id in rules.RULE_IDS)
    assert all(f"| `{name}` |" in doc for name in rules.PARAMS)


def test_no_profile_is_an_error() -> None:
    with pytest.raises(ValueError):
        rule_table_markdown([])


def test_the_documented_district_profile_loads(tmp_path: Path) -> None:
    text = RULES_MD.read_text(encoding="utf-8")
    example = text.split("```yaml\n", 1)[1].split("```", 1)[0]
    f = tmp_path / "xuanwu-2026.yaml"
    f.write_text(example, encoding="utf-8")
    p = rules.load_profile(str(f))
    assert p.chain == ("xuanwu-2026", "nanjing-xuanwu", "nanjing", "national")
    assert (p.get("notice_days"), p.get("joint_min_cosigners"), p.get("max_additional_rounds")) \
        == (7, 12, 1)
    assert p.get("funnel")["secretary"] == {"shortlist": 5, "inspected": 3, "candidates": 2}
