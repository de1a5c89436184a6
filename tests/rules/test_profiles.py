"""Profiles as data: extends, overrides, unknown parameters, district files, the rule table."""

import re
from pathlib import Path

import pytest

import rules

RULES_MD = Path(__file__).resolve().parents[2] / "docs" / "rules.md"

#: every rule ID of the rule table, written out here so that a row lost or renamed in
#: rules/table.py fails this test
RULE_IDS = (
    "E1", "E2", "E3", "E4",
    "NM1", "NM2", "NM3", "NM4",
    "P1", "P2", "P3", "P4", "P5", "P6", "P7",
    "M1", "M2", "M3", "M4", "M5", "M6", "M7", "M8", "M9", "M10", "M11", "M12",
    "A1", "A2", "A3",
    "O1", "O2",
)


def test_builtin_profiles():
    assert rules.list_profiles() == ["nanjing", "nanjing-xuanwu", "national"]


def test_extends_chain_and_override(national, nanjing, xuanwu):
    assert xuanwu.chain == ("nanjing-xuanwu", "nanjing", "national")
    assert national.get("congress_order") == "plenary"
    assert nanjing.get("congress_order") == "direct"
    assert xuanwu.get("trust_threshold") is True and nanjing.get("trust_threshold") is False
    assert xuanwu.get("funnel") == nanjing.get("funnel")
    assert national.get("funnel_minimum_posts") == [] and national.get("contested_stages") is False


def test_nanjing_defaults(nanjing):
    expected = {
        "joint_min_cosigners": 10, "joint_min_member_cosigners": 5, "notice_days": 5,
        "nomination_days": 7, "max_additional_rounds": 2, "trust_threshold": False,
        "congress_order": "direct", "min_party_years": 0, "min_age": None, "max_age": None,
        "require_residence": False, "committee_quorum_num": 2, "committee_quorum_den": 3,
        "delegates_min_members": 500, "term_years": 5,
    }
    assert {k: nanjing.get(k) for k in expected} == expected
    assert nanjing.get("exclusion_reasons") == [
        "mentally_unable", "abroad", "sentence", "bedridden", "away_untransferred"]


def test_overrides_including_dotted(nanjing):
    p = rules.load_profile("nanjing", {"notice_days": 7, "funnel.secretary.shortlist": 5})
    assert p.get("notice_days") == 7
    assert p.get("funnel")["secretary"] == {"shortlist": 5, "inspected": 3, "candidates": 2}
    assert nanjing.get("notice_days") == 5  # the loaded profile is not changed


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({"quorum": 3}, id="PROFILE-unknown-param"),
        pytest.param({"funnel.treasurer.shortlist": 3}, id="PROFILE-unknown-funnel-post"),
        pytest.param({"notice_days": "five"}, id="PROFILE-bad-type"),
        pytest.param({"congress_order": "random"}, id="PROFILE-bad-order"),
    ],
)
def test_bad_overrides(overrides):
    with pytest.raises(rules.RuleViolation) as exc:
        rules.load_profile("nanjing", overrides)
    assert exc.value.rule_id == "PROFILE"
    assert str(exc.value).startswith("PROFILE: ")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        pytest.param({"notice_days": -5}, "params.notice_days", id="O1-negative-notice"),
        pytest.param({"joint_min_cosigners": -1}, "params.joint_min_cosigners", id="NM2-negative"),
        pytest.param({"max_additional_rounds": 10**9}, "params.max_additional_rounds",
                     id="M7-huge"),
        pytest.param({"funnel.member.shortlist": -1}, "params.funnel.member.shortlist",
                     id="P4-negative-per-seat"),
        pytest.param({"committee_size.branch": [0, 7]}, "params.committee_size.branch[0]",
                     id="P1-zero-size"),
        pytest.param({"min_party_years": float("nan")}, "params.min_party_years", id="E3-nan"),
        pytest.param({"joint_min_member_cosigners": 11}, "params.joint_min_member_cosigners",
                     id="NM2-more-members-than-cosigners"),
        pytest.param({"committee_quorum_num": 4}, "params.committee_quorum_num",
                     id="M11-ratio-above-one"),
    ],
)
def test_parameters_out_of_range_are_refused(overrides, field):
    with pytest.raises(rules.RuleViolation) as exc:
        rules.load_profile("nanjing", overrides)
    assert exc.value.rule_id == "PROFILE" and exc.value.field == field


def test_ranges_hold_for_every_builtin_profile_and_a_drill():
    from rules.profile import RANGES, param_range

    for name in rules.list_profiles():
        rules.load_profile(name)
    assert rules.load_profile("nanjing", {"notice_days": 0}).get("notice_days") == 0
    assert set(RANGES) <= set(rules.PARAMS) and param_range("notice_days") == "0–60"


def test_a_district_file_with_a_negative_value_is_refused(tmp_path):
    f = tmp_path / "bad.yaml"
    f.write_text("extends: nanjing\nparams:\n  nomination_days: -1\n", encoding="utf-8")
    with pytest.raises(rules.RuleViolation) as exc:
        rules.load_profile(str(f))
    assert exc.value.field == "params.nomination_days"


def test_unknown_profile_name():
    with pytest.raises(rules.RuleViolation) as exc:
        rules.load_profile("atlantis")
    assert exc.value.rule_id == "PROFILE" and exc.value.value == "atlantis"


def test_district_file_extends_nanjing(tmp_path):
    f = tmp_path / "gulou.yaml"
    f.write_text(
        "name: nanjing-gulou\nextends: nanjing\nparams:\n  joint_min_cosigners: 15\n"
        "  min_party_years: 2\n  funnel:\n    secretary: {shortlist: 5}\n",
        encoding="utf-8",
    )
    p = rules.load_profile(str(f))
    assert p.name == "nanjing-gulou"
    assert p.chain == ("nanjing-gulou", "nanjing", "national")
    assert p.get("joint_min_cosigners") == 15 and p.get("congress_order") == "direct"
    assert p.get("funnel")["secretary"] == {"shortlist": 5, "inspected": 3, "candidates": 2}
    assert rules.default_funnel(p, "secretary", 1).shortlist == 5
    # a file extending another district file by relative path
    g = tmp_path / "street.yaml"
    g.write_text("extends: ./gulou.yaml\nparams:\n  notice_days: 6\n", encoding="utf-8")
    q = rules.load_profile(str(g))
    assert q.name == "street" and q.get("notice_days") == 6 and q.get("joint_min_cosigners") == 15


def test_district_file_unknown_param(tmp_path):
    f = tmp_path / "bad.yaml"
    f.write_text("extends: nanjing\nparams:\n  secret_ballot_colour: red\n", encoding="utf-8")
    with pytest.raises(rules.RuleViolation) as exc:
        rules.load_profile(str(f))
    assert exc.value.rule_id == "PROFILE" and exc.value.field == "params.secret_ballot_colour"


def test_district_file_cycle(tmp_path):
    (tmp_path / "a.yaml").write_text("extends: ./b.yaml\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("extends: ./a.yaml\n", encoding="utf-8")
    with pytest.raises(rules.RuleViolation) as exc:
        rules.load_profile(str(tmp_path / "a.yaml"))
    assert exc.value.rule_id == "PROFILE"


def test_rule_table_has_every_rule_id(national, nanjing, xuanwu):
    assert rules.RULE_IDS == RULE_IDS
    assert tuple(r.id for r in rules.rule_table(nanjing)) == RULE_IDS
    documented = re.findall(r"^\| ([A-Z]+\d+) \|", RULES_MD.read_text(encoding="utf-8"), re.M)
    assert tuple(documented) == RULE_IDS
    by_id = {r.id: r for r in rules.rule_table(xuanwu)}
    assert by_id["M10"].active and by_id["M10"].params == {"trust_threshold": True}
    nat = {r.id: r for r in rules.rule_table(national)}
    assert not nat["M10"].active and not nat["P3"].active and not nat["P4"].active
    assert not nat["M8"].active and nat["M1"].active and nat["NM2"].active
    assert all(" / " in r.text and r.kind and r.source for r in by_id.values())
    assert by_id["NM2"].params == {"joint_min_cosigners": 10, "joint_min_member_cosigners": 5}


def test_violation_str_and_pickle():
    import pickle

    v = rules.RuleViolation("M1", "present", 3, "不足 / short")
    assert str(v) == "M1: present=3 — 不足 / short"
    assert pickle.loads(pickle.dumps(v)) == v
