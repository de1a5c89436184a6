"""A profile from its stored form: a name and the overrides' JSON text."""

from __future__ import annotations

import json

import pytest

import rules
from rules.loading import overrides_from_json, profile_from_json


def test_no_overrides_is_the_profile_itself() -> None:
    for text in ("", "  ", "{}"):
        assert profile_from_json("nanjing", text).params == rules.load_profile("nanjing").params


def test_overrides_apply_as_load_profile_applies_them() -> None:
    overrides = {"funnel.secretary.shortlist": 5, "min_age": 20}
    got = profile_from_json("nanjing", json.dumps(overrides))
    assert got.params == rules.load_profile("nanjing", overrides).params
    assert got["funnel"]["secretary"]["shortlist"] == 5 and got["min_age"] == 20


def test_the_same_text_is_loaded_once() -> None:
    text = json.dumps({"min_age": 19})
    assert profile_from_json("national", text) is profile_from_json("national", text)


@pytest.mark.parametrize(("text", "says"), [
    ("{not json", "not valid JSON"),
    ("[1, 2]", "must be a JSON object"),
    ('"nanjing"', "must be a JSON object"),
])
def test_text_that_is_not_a_json_object_is_refused_naming_the_field(text: str, says: str) -> None:
    with pytest.raises(rules.RuleViolation) as caught:
        profile_from_json("nanjing", text)
    assert (caught.value.rule_id, caught.value.field, caught.value.value) == (
        "PROFILE", "overrides_json", text)
    assert says in caught.value.message


def test_unknown_overrides_and_profiles_are_refused_as_load_profile_refuses_them() -> None:
    with pytest.raises(rules.RuleViolation) as caught:
        profile_from_json("nanjing", json.dumps({"no_such_parameter": 1}))
    with pytest.raises(rules.RuleViolation) as direct:
        rules.load_profile("nanjing", {"no_such_parameter": 1})
    assert caught.value == direct.value
    with pytest.raises(rules.RuleViolation):
        profile_from_json("no-such-profile", "")


def test_the_stored_text_is_read_once_for_every_caller() -> None:
    assert overrides_from_json("") is None and overrides_from_json("  ") is None
    assert overrides_from_json("{}") == {}
    assert overrides_from_json('{"min_age": 19}') == {"min_age": 19}
    with pytest.raises(rules.RuleViolation) as caught:
        overrides_from_json("[1]")
    assert (caught.value.rule_id, caught.value.field) == ("PROFILE", "overrides_json")
