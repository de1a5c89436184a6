"""The dashboard's alerts (unit): read from the workflow's status alone."""

from __future__ import annotations

from api.console.dashboard import Line
from api.db import ElectionRow
from workflows.election.types import ElectionStatus, StepRecord, Waiting

ROW = ElectionRow(election_id="e1", cycle_id="c", community_id="c1", community_name="社区",
                  street_id="s1", district_id="d1", workflow_id="w1")


def status(waiting: Waiting | None, state: str = "running", error: str = "") -> ElectionStatus:
    return ElectionStatus(election_id="e1", status=state, step=3, step_name="nominate",
                          paused=False, waiting=waiting, version=1, error=error,
                          timeline=[StepRecord(3, "nominate", "active", "2026-01-01T00:00:00")])


def test_alerts_follow_what_the_workflow_waits_for() -> None:
    assert Line(ROW, status(Waiting("objections", "objection decisions"))).alerts == [
        "alert.objections"]
    assert Line(ROW, status(Waiting("notice", "registrants notice period",
                                    notice="registrants"))).alerts == ["alert.notice"]
    assert Line(ROW, status(Waiting("approval", "approval"))).alerts == ["alert.approval"]
    assert Line(ROW, status(Waiting("review", "qualification review"))).alerts == []
    assert Line(ROW, status(None, "failed", "boom")).alerts == ["alert.failed"]
    assert Line(ROW, None).alerts == []
    assert Line(ROW, status(None)).since == "2026-01-01T00:00:00"
