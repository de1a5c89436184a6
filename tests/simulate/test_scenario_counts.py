"""The scenario loader checks every count against what it counts, normalizes names, and loads
the profile with its overrides: each mistake named with file, key and line."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from gongtui.cli import app
from gongtui.simulate.scenario import ScenarioError, parse_text

BASE = """\
name: counts
profile: nanjing
community: {id: c-1}
roster:
  generate: {full: 100, probationary: 2, resident: 30}
  excluded_from_expected: 10
plan:
  posts:
    secretary: {seats: 1, shortlist: 4, inspected: 3, candidates: 2}
    member: {seats: 2, shortlist: 5, inspected: 4, candidates: 3}
nominations:
- {name: 张三, post: secretary, channel: self}
- {name: 李四, post: secretary, channel: self}
recommendation:
  attendance: {members: 90, others: 30}
  votes:
    secretary: {张三: 50, 李四: 20}
  trust:
    张三: {'yes': 25, 'no': 5}
committee:
  size: 9
  present: 8
  rounds:
  - post: secretary
    for: {张三: 7, 李四: 6}
congress:
- present: 90
  rounds:
  - post: secretary
    issued: 90
    returned: 90
    invalid: 2
    for: {张三: 60, 李四: 28}
    against: {张三: 20}
"""


def refused(text: str) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        parse_text(text, "s.yaml")
    return info.value


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)


def test_the_base_scenario_loads() -> None:
    data = parse_text(BASE, "s.yaml")
    assert data["congress"][0]["present"] == 90


@pytest.mark.parametrize(("old", "new", "key", "needle"), [
    # attendance against the electorate less the E2 exclusions (100 - 10)
    ("- present: 90", "- present: 130", "congress[0].present", "- present: 130"),
    ("- present: 90", "- present: 91", "congress[0].present", "- present: 91"),
    ("{members: 90, others: 30}", "{members: 91, others: 30}",
     "recommendation.attendance.members", "attendance:"),
    ("{members: 90, others: 30}", "{members: 90, others: 33}",
     "recommendation.attendance.others", "attendance:"),
    # trust ballots against the non-members present
    ("{'yes': 25, 'no': 5}", "{'yes': 25, 'no': 6}", "recommendation.trust.张三", "'yes': 25"),
    # votes against the ballots
    ("secretary: {张三: 50, 李四: 20}", "secretary: {张三: 91, 李四: 20}",
     "recommendation.votes.secretary.张三", "张三: 91"),
    ("    issued: 90\n", "    issued: 95\n", "congress[0].rounds[0].issued", "issued: 95"),
    # per-candidate marks against the valid ballots (returned 90 - invalid 2)
    ("against: {张三: 20}", "against: {张三: 29}", "congress[0].rounds[0].for.张三", "for: {张三: 60"),
    # invalid against returned: valid + invalid = returned
    ("invalid: 2", "invalid: 91", "congress[0].rounds[0].invalid", "invalid: 91"),
    ("  present: 8\n", "  present: 10\n", "committee.present", "present: 10"),
    ("for: {张三: 7, 李四: 6}", "for: {张三: 9, 李四: 6}", "committee.rounds[0].for.张三", "张三: 9"),
    ("excluded_from_expected: 10", "excluded_from_expected: 99",
     "roster.excluded_from_expected", "excluded_from_expected"),
])
def test_a_count_beyond_what_it_counts_is_refused(old: str, new: str, key: str,
                                                  needle: str) -> None:
    assert old in BASE
    text = BASE.replace(old, new, 1)
    err = refused(text)
    assert (err.file, err.key, err.line) == ("s.yaml", key, line_of(text, needle)), err
    assert "more than" in err.message


def test_130_present_for_100_members_is_named() -> None:
    text = BASE.replace("excluded_from_expected: 10", "excluded_from_expected: 0").replace(
        "- present: 90", "- present: 130")
    err = refused(text)
    assert err.key == "congress[0].present" and "130 is more than" in err.message
    assert err.message.endswith("(100 full, 0 excluded under E2): 100")


def test_a_void_round_may_return_more_than_issued() -> None:
    # M2 is played by returning more ballots than were issued
    parse_text(BASE.replace("returned: 90", "returned: 91").replace("invalid: 2", "invalid: 3"))


def test_names_are_normalized_and_a_person_twice_is_named_with_both_lines() -> None:
    text = BASE.replace("- {name: 李四,", "- {name: \u200b李四,")
    assert parse_text(text)["nominations"][1]["name"] == "李四"
    twice = BASE.replace("nominations:\n", "nominations:\n- {name: 张三\u200b, post: secretary,"
                                           " channel: organization}\n")
    err = refused(twice)
    assert err.key == "nominations[1].name" and "nominations[0]" in err.message
    assert f"line {line_of(twice, 'channel: organization')}" in err.message
    people = BASE.replace("roster:\n", "roster:\n  people:\n  - {name: 王五, status: full}\n"
                                       "  - {name: '\u2060王五', status: resident}\n")
    err = refused(people)
    assert err.key == "roster.people[1].name" and "roster.people[0]" in err.message
    # a vote key written twice alike is one key, refused as a duplicate
    keys = BASE.replace("secretary: {张三: 50, 李四: 20}", "secretary: {张三: 50, \u200b张三: 20}")
    err = refused(keys)
    assert "duplicate key" in err.message and "normalized" in err.message


def test_an_override_out_of_range_is_named(tmp_path: Path) -> None:
    text = BASE.replace("profile: nanjing\n", "profile: nanjing\noverrides: {notice_days: -5}\n")
    err = refused(text)
    assert (err.key, err.line) == ("overrides.notice_days", 3)
    assert "notice_days" in err.message and "0–60" in err.message
    f = tmp_path / "bad.yaml"
    f.write_text(text, encoding="utf-8")
    res = CliRunner().invoke(app, ["simulate", str(f)])
    assert res.exit_code == 2, res.output
    assert "overrides.notice_days" in res.output and "Traceback" not in res.output
