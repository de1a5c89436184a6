"""M rows: quorum, ballots, majority, ties, rounds, shortlist, committee vote."""

import pytest

import rules
from rules import Mark


@pytest.mark.parametrize(
    "present,expected,ok",
    [
        pytest.param(80, 100, False, id="M1-80of100-fails"),
        pytest.param(81, 100, True, id="M1-81of100-passes"),
        pytest.param(4, 5, False, id="M1-4of5-fails"),
        pytest.param(5, 5, True, id="M1-5of5-passes"),
        pytest.param(6, 7, True, id="M1-6of7-passes"),
        pytest.param(5, 7, False, id="M1-5of7-fails"),
        pytest.param(0, 0, False, id="M1-0of0-fails"),
    ],
)
def test_m1_quorum(nanjing, present, expected, ok):
    v = rules.congress_quorum(nanjing, present, expected)
    assert v.ok is ok and v.rule == "M1"
    assert v.ok == (present * 5 > expected * 4)


@pytest.mark.parametrize(
    "issued,returned,ok",
    [
        pytest.param(100, 100, True, id="M2-equal-valid"),
        pytest.param(100, 99, True, id="M2-fewer-valid"),
        pytest.param(100, 101, False, id="M2-more-void"),
    ],
)
def test_m2_round_void(issued, returned, ok):
    v = rules.round_void(issued, returned)
    assert v.ok is ok and v.rule == "M2"


@pytest.mark.parametrize(
    "seats,marks,ok,rule",
    [
        pytest.param(2, [Mark("a", "for"), Mark("b", "for")], True, "M3", id="M3-equal-valid"),
        pytest.param(2, [Mark("a", "for")], True, "M3", id="M3-fewer-valid"),
        pytest.param(
            2, [Mark("a", "for"), Mark("b", "for"), Mark("c", "for")], False, "M3",
            id="M3-more-invalid",
        ),
        pytest.param(
            2, [Mark("a", "for"), Mark("b", "against", write_in="x"), Mark("c", "for")],
            False, "M3", id="M3-writein-counts-as-for",
        ),
        pytest.param(
            2, [Mark("a", "against", write_in="x"), Mark("b", "abstain")], True, "M3",
            id="M4-writein-beside-against-valid",
        ),
        pytest.param(2, [Mark("a", "for", write_in="x")], False, "M4", id="M4-writein-beside-for"),
        pytest.param(2, [Mark(None, "for", write_in="x")], False, "M4", id="M4-writein-alone"),
        pytest.param(2, [Mark("a", "for"), Mark("a", "against")], False, "M4", id="M4-marked-twice"),
        pytest.param(2, [Mark("a", "maybe")], False, "M4", id="M4-unknown-choice"),
    ],
)
def test_m3_m4_ballot_section(seats, marks, ok, rule):
    v = rules.ballot_section_valid(seats, marks)
    assert (v.ok, v.rule) == (ok, rule)


@pytest.mark.parametrize(
    "seats,present,votes,elected,tied,unfilled,rule_ids",
    [
        pytest.param(1, 10, {"a": 5, "b": 4}, [], [], 1, ["M5", "M7"], id="M5-exactly-half-fails"),
        pytest.param(1, 10, {"a": 6, "b": 4}, ["a"], [], 0, ["M5"], id="M5-more-than-half"),
        pytest.param(
            2, 10, {"a": 9, "b": 8, "c": 7}, ["a", "b"], [], 0, ["M5", "M6"],
            id="M6-more-passing-by-votes",
        ),
        pytest.param(
            2, 10, {"a": 9, "b": 7, "c": 7}, ["a"], ["b", "c"], 1, ["M5", "M6"],
            id="M6-tie-at-last-seat",
        ),
        pytest.param(
            3, 10, {"a": 9, "b": 6, "c": 2, "d": 1}, ["a", "b"], [], 1, ["M5", "M7"],
            id="M7-fewer-passing-unfilled",
        ),
        pytest.param(
            2, 10, {"a": 8, "b": 8, "c": 8}, [], ["a", "b", "c"], 2, ["M5", "M6"],
            id="M6-three-way-tie-two-seats",
        ),
    ],
)
def test_m5_m6_m7_count_round(seats, present, votes, elected, tied, unfilled, rule_ids):
    out = rules.count_round(seats, present, votes, sorted(votes))
    assert out.elected == elected
    assert out.tied == tied
    assert out.unfilled == unfilled
    assert out.rules == rule_ids


def test_m6_equal_votes_listed_in_stroke_order():
    out = rules.count_round(3, 10, {"李四": 8, "王五": 8, "丁一": 8}, ["丁一", "王五", "李四"])
    assert out.elected == ["丁一", "王五", "李四"]


@pytest.mark.parametrize(
    "held,ok",
    [
        pytest.param(0, True, id="M7-first-additional-allowed"),
        pytest.param(1, True, id="M7-second-additional-allowed"),
        pytest.param(2, False, id="M7-after-max-back-to-street"),
    ],
)
def test_m7_additional_rounds(nanjing, held, ok):
    v = rules.additional_round_allowed(nanjing, held)
    assert (v.ok, v.rule) == (ok, "M7")


def test_m7_limit_is_a_parameter():
    p = rules.load_profile("nanjing", {"max_additional_rounds": 3})
    assert rules.additional_round_allowed(p, 2).ok


@pytest.mark.parametrize(
    "seats,marks,ok",
    [
        pytest.param(1, 1, True, id="M8-one-of-one"),
        pytest.param(1, 0, True, id="M8-blank"),
        pytest.param(1, 2, False, id="M8-two-of-one-invalid"),
        pytest.param(5, 5, True, id="M8-five-of-five"),
    ],
)
def test_m8_recommendation_ballot(seats, marks, ok):
    assert rules.recommendation_ballot_valid(seats, marks).ok is ok


@pytest.mark.parametrize(
    "n,votes,expected",
    [
        pytest.param(2, {"a": 9, "b": 8, "c": 7}, ["a", "b"], id="M9-top-n"),
        pytest.param(2, {"a": 9, "b": 8, "c": 8, "d": 2}, ["a", "b", "c"], id="M9-tie-at-cut-keeps-all"),
        pytest.param(4, {"a": 9, "b": 8}, ["a", "b"], id="M9-fewer-than-n"),
        pytest.param(1, {"a": 5, "b": 5}, ["a", "b"], id="M9-tie-for-single-place"),
    ],
)
def test_m9_shortlist(nanjing, n, votes, expected):
    out = rules.shortlist(nanjing, n, votes, None, sorted(votes))
    assert out.shortlist == expected
    assert out.dropped == [] and out.rules == ["M9"]


def test_m10_drop_and_next_moves_up(xuanwu):
    votes = {"a": 10, "b": 9, "c": 8, "d": 7}
    trust = {"a": (3, 3), "b": (4, 2), "c": (5, 1), "d": (1, 0)}  # a: exactly half fails
    out = rules.shortlist(xuanwu, 2, votes, trust, sorted(votes))
    assert out.shortlist == ["b", "c"]
    assert out.dropped == [("a", "M10")]
    assert out.rules == ["M9", "M10"]


def test_m10_inactive_in_nanjing(nanjing):
    out = rules.shortlist(nanjing, 1, {"a": 10, "b": 9}, {"a": (0, 9), "b": (9, 0)}, ["a", "b"])
    assert out.shortlist == ["a"]


def test_m10_needs_trust_counts(xuanwu):
    with pytest.raises(rules.RuleViolation) as exc:
        rules.shortlist(xuanwu, 1, {"a": 1}, None, [])
    assert exc.value.rule_id == "M10"


@pytest.mark.parametrize(
    "size,present,votes,n,quorum,passed,selected,tied",
    [
        pytest.param(9, 6, {"a": 6}, 1, False, [], [], [], id="M11-quorum-6of9-fails"),
        pytest.param(9, 7, {"a": 7}, 1, True, ["a"], ["a"], [], id="M11-quorum-7of9-passes"),
        pytest.param(6, 4, {"a": 4}, 1, False, [], [], [], id="M11-quorum-exactly-two-thirds-fails"),
        pytest.param(
            9, 9, {"a": 5, "b": 4}, 2, True, ["a"], ["a"], [], id="M11-pass-needs-majority-of-size"
        ),
        pytest.param(
            8, 8, {"a": 4, "b": 5}, 2, True, ["b"], ["b"], [], id="M11-half-of-size-fails"
        ),
        pytest.param(
            9, 9, {"a": 8, "b": 6, "c": 6, "d": 5}, 2, True, ["a", "b", "c", "d"], ["a"],
            ["b", "c"], id="M11-tie-at-cut",
        ),
        pytest.param(
            9, 9, {"a": 8, "b": 7, "c": 6}, 2, True, ["a", "b", "c"], ["a", "b"], [],
            id="M11-top-n",
        ),
    ],
)
def test_m11_committee_vote(nanjing, size, present, votes, n, quorum, passed, selected, tied):
    out = rules.committee_vote(nanjing, size, present, votes, n, sorted(votes))
    assert out.quorum_met is quorum
    assert out.passed == passed
    assert out.selected == selected
    assert out.tied == tied
    assert out.rules == ["M11"]


def test_narrow_after_inspection():
    assert rules.narrow_after_inspection(2, ["a", "b", "c", "d"], {"a": True, "b": False,
                                                                   "c": True, "d": True}) == ["a", "c"]


@pytest.mark.parametrize(
    "person,candidates,ok",
    [
        pytest.param("x", ["a", "b"], True, id="M12-scrutineer-not-candidate"),
        pytest.param("a", ["a", "b"], False, id="M12-candidate-cannot-scrutinise"),
    ],
)
def test_m12_scrutineer(person, candidates, ok):
    assert rules.scrutineer_allowed(person, candidates).ok is ok


def test_m12_stroke_order():
    names = ["王五", "丁一", "赵六", "马三", "刘备", "王一"]
    assert rules.stroke_sorted(names) == ["丁一", "马三", "王一", "王五", "刘备", "赵六"]
    assert rules.stroke_key("王") < rules.stroke_key("张")
    # characters that are not Han sort after every Han one (extension B included)
    assert rules.stroke_key("王") < rules.stroke_key("Wang")
    assert rules.stroke_key("𠀀") < rules.stroke_key("Wang")
    assert rules.ballot_order(["b", "a"], approved_order=["b", "a"]) == ["b", "a"]
