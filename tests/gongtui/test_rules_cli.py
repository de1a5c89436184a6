"""`gongtui rules explain` and `gongtui rules check`."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from gongtui.cli import app
from tests.paths import SCENARIOS

runner = CliRunner()


def test_explain_lists_every_rule_with_parameters() -> None:
    res = runner.invoke(app, ["rules", "explain", "nanjing-xuanwu", "--json"])
    assert res.exit_code == 0, res.output
    rows = {r["id"]: r for r in json.loads(res.output)}
    for rule in ("E1", "NM2", "P1", "P7", "M1", "M10", "M11", "A2", "O1"):
        assert rule in rows
    assert rows["M10"]["active"] is True
    assert rows["NM2"]["params"]["joint_min_cosigners"] == 10


def test_explain_unknown_profile_is_an_error() -> None:
    res = runner.invoke(app, ["rules", "explain", "no-such-profile"])
    assert res.exit_code == 2


def test_check_names_each_violation(tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text("org_type: branch\nfull_members: 40\nposts:\n"
                    "  secretary: {seats: 1, shortlist: 4, inspected: 3, candidates: 2}\n"
                    "  member: {seats: 3, shortlist: 4, inspected: 3, candidates: 3}\n")
    res = runner.invoke(app, ["rules", "check", str(plan)])
    assert res.exit_code == 1
    assert "P2" in res.output and "posts.member.candidates" in res.output


def test_check_accepts_a_valid_scenario_plan() -> None:
    res = runner.invoke(app, ["rules", "check", str(SCENARIOS / "foundation.yaml")])
    assert res.exit_code == 0, res.output
    assert "plan valid" in res.output


def test_explain_shows_each_parameter_range() -> None:
    res = runner.invoke(app, ["rules", "explain", "nanjing", "--json"])
    rows = {r["id"]: r for r in json.loads(res.output)}
    assert rows["O1"]["ranges"]["notice_days"] == "0–60"
    assert rows["NM2"]["ranges"]["joint_min_cosigners"] == "1–1000"
    res = runner.invoke(app, ["rules", "explain", "nanjing"], env={"COLUMNS": "200"})
    assert "notice_days = 5  [0–60]" in res.output


def test_check_warns_on_a_drill_and_names_a_bad_parameter(tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    body = ("org_type: branch\nfull_members: 40\nposts:\n"
            "  secretary: {seats: 1, shortlist: 4, inspected: 3, candidates: 2}\n"
            "  member: {seats: 2, shortlist: 5, inspected: 4, candidates: 3}\n")
    plan.write_text(body + "overrides: {notice_days: 0}\n")
    res = runner.invoke(app, ["rules", "check", str(plan)])
    assert res.exit_code == 0, res.output
    assert "warning" in res.output and "notice period" in res.output
    plan.write_text(body + "overrides: {notice_days: -5}\n")
    res = runner.invoke(app, ["rules", "check", str(plan)])
    assert res.exit_code == 2 and "params.notice_days" in res.output
