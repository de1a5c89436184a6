"""Every edge path's history, as the fast tier just recorded it, replays on the workflow code
(Temporal's Replayer fails on any non-deterministic branch, e.g. a message form or a patch
that changes the commands). The paths ran in the sandbox; the replay compares commands only, so
it runs without one (a third of the time)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer, UnsandboxedWorkflowRunner

from tests.workflows.unit.people import Played
from workflows.election.workflows import CommunityElectionWorkflow


async def test_every_path_replays(played: dict[str, Played]) -> None:
    async def histories() -> AsyncIterator[WorkflowHistory]:
        for name, path in played.items():
            assert path.people is not None, name
            yield await path.people.handle.fetch_history()

    results = await Replayer(workflows=[CommunityElectionWorkflow],
                             workflow_runner=UnsandboxedWorkflowRunner()).replay_workflows(
        histories(), raise_on_replay_failure=False)
    assert dict(results.replay_failures) == {}
    assert len(played) >= 19
