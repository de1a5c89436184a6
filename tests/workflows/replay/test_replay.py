"""Determinism: the committed histories of edge-path elections replay on today's workflow code
(Temporal's Replayer raises on any non-deterministic change)."""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from core.ids import election_workflow_id
from tests.paths import HISTORIES as HISTORY_DIR
from workflows.election.workflows import CommunityElectionWorkflow

HISTORIES = sorted(HISTORY_DIR.glob("*.json"))


@pytest.mark.parametrize("path", HISTORIES, ids=[p.stem for p in HISTORIES])
async def test_history_replays(path: Path) -> None:
    history = WorkflowHistory.from_json(election_workflow_id(path.stem), path.read_text(encoding="utf-8"))
    replayer = Replayer(workflows=[CommunityElectionWorkflow])
    await replayer.replay_workflow(history)


def test_histories_are_committed() -> None:
    assert len(HISTORIES) >= 6
