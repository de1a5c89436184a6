"""The benchmark's no-op baseline: the same number of workflows and activities as a district
run, with empty activity bodies and no people to wait for (``gongtui bench district``). Local
activities are mirrored as local no-op activities, regular ones as regular ones.

These workflows run only in the bench's own worker (on :data:`NOOP_TASK_QUEUE`, inside the
bench's process: gongtui/bench/district.py), never in the production worker."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import timedelta

from temporalio import activity, workflow
from temporalio.workflow import ParentClosePolicy

#: the bench worker's task queue: the production worker never sees these workflows
NOOP_TASK_QUEUE = "gongtui-bench-noop"


@activity.defn(name="noop")
async def noop(_: int) -> None:
    """The baseline's activity: an empty body."""


@dataclass
class NoopDistrictInput:
    district_id: str
    activities: list[int] = field(default_factory=list)   # activities per child, in order
    parent_activities: int = 0                            # the district's own activities
    local_activities: list[int] = field(default_factory=list)  # local ones per child, in order


@dataclass
class NoopChildResult:
    started_at: str
    ended_at: str
    activities: int
    local_activities: int = 0


@workflow.defn(name="NoopCommunityWorkflow")
class NoopCommunityWorkflow:
    @workflow.run
    async def run(self, activities: int, local_activities: int = 0) -> NoopChildResult:
        started = workflow.now().isoformat()
        for i in range(activities):
            await workflow.execute_activity(noop, i, start_to_close_timeout=timedelta(seconds=60))
        for i in range(local_activities):
            await workflow.execute_local_activity(noop, i,
                                                  start_to_close_timeout=timedelta(seconds=60))
        return NoopChildResult(started, workflow.now().isoformat(), activities, local_activities)


@workflow.defn(name="NoopDistrictWorkflow")
class NoopDistrictWorkflow:
    @workflow.run
    async def run(self, inp: NoopDistrictInput) -> list[NoopChildResult]:
        async def own() -> None:
            for i in range(inp.parent_activities):
                await workflow.execute_activity(noop, i,
                                                start_to_close_timeout=timedelta(seconds=60))

        mine = asyncio.create_task(own())
        results = list(await asyncio.gather(*(
            workflow.execute_child_workflow(
                NoopCommunityWorkflow.run,
                args=[n, inp.local_activities[i] if i < len(inp.local_activities) else 0],
                id=f"noop-{inp.district_id}-{i:04d}",
                parent_close_policy=ParentClosePolicy.ABANDON)
            for i, n in enumerate(inp.activities))))
        await mine
        return results

