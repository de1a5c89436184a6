"""DistrictElectionWorkflow: one child CommunityElectionWorkflow per community of a district.

The district starts its children (workflow id ``election-{election_id}``, abandoned on close so
that continue-as-new does not end them), follows them, answers a progress query, applies pause /
resume / abort to one community, one street or the whole district (each recorded in every
affected election's audit chain, then signalled to the child), continues as new before its
history grows past Temporal's guidance, and assembles the district report when every child has
ended. Workflow code: no I/O, no clock but Temporal's.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ApplicationError, ChildWorkflowError
from temporalio.workflow import ParentClosePolicy

from core.ids import election_workflow_id
from workflows.district.types import (
    ACTIONS,
    COMMUNITY_WORKFLOW,
    DISTRICT_WORKFLOW,
    FINAL,
    PROGRESS_SIGNAL,
    SCOPES,
    ChildSummary,
    ControlBatch,
    ControlInput,
    ControlResult,
    ControlTarget,
    DistrictInput,
    DistrictProgress,
    DistrictResult,
    DistrictState,
    RefreshInput,
    ReportInput,
    StreetProgress,
    summarize,
)
from workflows.election.types import ElectionStatus
from workflows.refusal import refusal

with workflow.unsafe.imports_passed_through():
    from workflows.district.activities import DistrictActivities

RETRY = RetryPolicy(initial_interval=timedelta(milliseconds=200),
                    maximum_interval=timedelta(seconds=5))
# The district's activities heartbeat per child: a worker killed in the middle of one is
# noticed after this, not after the start-to-close timeout (a refresh lost that way held a
# district's progress for five minutes; seen in CI after a worker was SIGKILLed).
HEARTBEAT = timedelta(seconds=30)


@workflow.defn(name=DISTRICT_WORKFLOW)
class DistrictElectionWorkflow:
    def __init__(self) -> None:
        self._inp: DistrictInput | None = None
        self._st = DistrictState()
        self._lock = asyncio.Lock()
        self._phase = "starting"
        self._version = 0
        self._followers: list[asyncio.Task[None]] = []

    # ---- messages -------------------------------------------------------------------------
    @workflow.query
    def progress(self) -> DistrictProgress:
        streets: dict[str, StreetProgress] = {}
        reasons: dict[str, int] = {}
        totals = StreetProgress()
        for c in self._st.children.values():
            sp = streets.setdefault(c.street_id, StreetProgress())
            for agg in (sp, totals):
                agg.communities += 1
                if c.status == "completed":
                    agg.completed += 1
                elif c.status == "aborted":
                    agg.aborted += 1
                elif c.status in FINAL:
                    agg.failed += 1
                else:
                    if c.step:
                        agg.per_step[c.step] = agg.per_step.get(c.step, 0) + 1
                    if c.paused or c.community_id in self._st.paused:
                        agg.paused += 1
                    elif c.waiting:
                        agg.waiting += 1
            if c.status not in FINAL and c.community_id in self._st.paused:
                reason = self._st.paused[c.community_id]
                reasons[reason] = reasons.get(reason, 0) + 1
        per_step = dict(sorted(totals.per_step.items()))
        return DistrictProgress(
            district_id=self._inp.district_id if self._inp else "", status=self._phase,
            communities=totals.communities, per_step=per_step, paused=totals.paused,
            waiting=totals.waiting, completed=totals.completed, failed=totals.failed,
            aborted=totals.aborted, streets=dict(sorted(streets.items())),
            paused_reasons=reasons, runs=self._st.runs,
            history_events=workflow.info().get_current_history_length(), version=self._version)

    @workflow.query
    def directory(self) -> dict[str, str]:
        """community id -> street id, for the command line to find a community's district."""
        return {c.community_id: c.street_id for c in self._st.children.values()}

    @workflow.query
    def children(self) -> list[ChildSummary]:
        return list(self._st.children.values())

    @workflow.signal(name=PROGRESS_SIGNAL)
    def child_progress(self, summary: ChildSummary) -> None:
        """A child reporting its own progress (see the report: the child side is a proposed
        patch); newer versions replace older ones, so duplicates and reordering do no harm."""
        known = self._st.children.get(summary.election_id)
        if known is None or known.status in FINAL or summary.version <= known.version:
            return
        self._st.children[summary.election_id] = replace(
            summary, community_id=known.community_id, street_id=known.street_id)
        self._touch()

    @workflow.update
    async def control(self, cmd: ControlInput) -> ControlResult:
        await workflow.wait_condition(lambda: self._st.started)
        async with self._lock:
            return await self._apply(cmd)

    @control.validator
    def _validate_control(self, cmd: ControlInput) -> None:
        if cmd.action not in ACTIONS:
            raise refusal(f"action: one of {', '.join(ACTIONS)}, not {cmd.action!r}", "action")
        if cmd.scope not in SCOPES:
            raise refusal(f"scope: one of {', '.join(SCOPES)}, not {cmd.scope!r}", "scope")
        if not cmd.reason.strip():
            raise refusal("reason: a pause, resume or abort needs a reason", "reason")
        if self._inp is None:
            raise ApplicationError("the district has not started yet")
        if cmd.scope == "street" and cmd.target not in self._streets():
            raise refusal(f"target: no street {cmd.target!r} in this district", "target")
        if cmd.scope == "community" and cmd.target not in self._communities():
            raise refusal(f"target: no community {cmd.target!r} in this district", "target")

    # ---- the run --------------------------------------------------------------------------
    @workflow.run
    async def run(self, inp: DistrictInput) -> DistrictResult:
        self._inp = inp
        self._st = inp.state or DistrictState()
        if not self._st.children:
            for e in inp.elections:
                self._st.children[e.election_id] = ChildSummary(
                    election_id=e.election_id, community_id=e.community_id,
                    street_id=e.street_id or e.community_id)
        if not self._st.started:
            await self._start_children(inp)
        self._phase = "running"
        self._touch()
        interval = max(0.05, inp.refresh_seconds)
        next_refresh = workflow.time() + interval
        while not self._all_final():
            wait = next_refresh - workflow.time()
            if wait > 0:
                try:
                    await workflow.wait_condition(
                        lambda: self._all_final() or self._history_full(),
                        timeout=timedelta(seconds=wait))
                except TimeoutError:
                    pass
            if workflow.time() >= next_refresh and not self._all_final():
                await self._refresh()
                next_refresh = workflow.time() + interval
            if self._history_full() and not self._all_final():
                await self._continue_as_new(inp)
        self._phase = "reporting"
        self._touch()
        await workflow.wait_condition(lambda: not self._lock.locked())
        report = await workflow.execute_activity_method(
            DistrictActivities.district_report,
            ReportInput(inp.district_id, list(self._st.children.values())),
            start_to_close_timeout=timedelta(minutes=15),
            heartbeat_timeout=HEARTBEAT, retry_policy=RETRY)
        self._phase = "completed"
        self._touch()
        await workflow.wait_condition(workflow.all_handlers_finished)
        kids = list(self._st.children.values())
        return DistrictResult(
            district_id=inp.district_id, communities=len(kids),
            completed=sum(1 for c in kids if c.status == "completed"),
            failed=sum(1 for c in kids if c.status not in ("completed", "aborted")),
            aborted=sum(1 for c in kids if c.status == "aborted"),
            report=report, children=kids, runs=self._st.runs, controls=list(self._st.log))

    async def _start_children(self, inp: DistrictInput) -> None:
        batch = max(1, inp.start_batch)
        for i in range(0, len(inp.elections), batch):
            chunk = inp.elections[i:i + batch]
            results = await asyncio.gather(
                *(workflow.start_child_workflow(
                    COMMUNITY_WORKFLOW, e, id=election_workflow_id(e.election_id),
                    task_queue=workflow.info().task_queue, result_type=ElectionStatus,
                    parent_close_policy=ParentClosePolicy.ABANDON) for e in chunk),
                return_exceptions=True)
            for e, res in zip(chunk, results, strict=True):
                summary = self._st.children[e.election_id]
                if isinstance(res, BaseException):
                    self._st.children[e.election_id] = replace(
                        summary, status="failed", error=f"not started: {res}")
                    continue
                self._st.children[e.election_id] = replace(summary, status="running")
                self._followers.append(asyncio.create_task(self._follow(e.election_id, res)))
        self._st.started = True

    async def _follow(self, election_id: str, handle: Any) -> None:
        """Children started by this run: their end arrives with their result."""
        try:
            st: ElectionStatus = await handle
            self._st.children[election_id] = summarize(self._st.children[election_id], st)
        except ChildWorkflowError as exc:
            self._st.children[election_id] = replace(
                self._st.children[election_id], status="failed", error=str(exc.cause or exc))
        self._touch()

    async def _refresh(self) -> None:
        """Read the open children's state (and the end of those started by an earlier run)."""
        open_ = [c for c in self._st.children.values() if c.status not in FINAL]
        if not open_:
            return
        res = await workflow.execute_activity_method(
            DistrictActivities.district_refresh, RefreshInput(open_),
            start_to_close_timeout=timedelta(minutes=5), heartbeat_timeout=HEARTBEAT,
            retry_policy=RETRY)
        for c in res.children:
            known = self._st.children.get(c.election_id)
            if known is None or known.status in FINAL:
                continue
            if c.status in FINAL or c.version >= known.version:
                self._st.children[c.election_id] = c
        self._touch()

    async def _apply(self, cmd: ControlInput) -> ControlResult:
        inp = self._inp
        assert inp is not None
        in_scope = [c for c in self._st.children.values()
                    if cmd.scope == "district"
                    or (cmd.scope == "street" and c.street_id == cmd.target)
                    or (cmd.scope == "community" and c.community_id == cmd.target)]
        live = [c for c in in_scope if c.status not in FINAL
                and c.community_id not in self._st.aborted]
        if cmd.action == "pause":
            changed = [c for c in live if c.community_id not in self._st.paused]
        elif cmd.action == "resume":
            changed = [c for c in live if c.community_id in self._st.paused]
        else:
            changed = live
        self._st.controls += 1
        if changed:
            await workflow.execute_activity_method(
                DistrictActivities.district_control, ControlBatch(
                    inp.district_id, cmd.action, cmd.scope, cmd.target, cmd.reason, cmd.actor,
                    f"{workflow.info().workflow_id}/control/{self._st.controls}",
                    [ControlTarget(c.election_id, election_workflow_id(c.election_id),
                                   c.community_id) for c in changed], cmd.token_id),
                start_to_close_timeout=timedelta(minutes=5), heartbeat_timeout=HEARTBEAT,
                retry_policy=RETRY)
        for c in changed:
            if cmd.action == "pause":
                self._st.paused[c.community_id] = cmd.reason
            else:
                self._st.paused.pop(c.community_id, None)
            if cmd.action == "abort":
                self._st.aborted[c.community_id] = cmd.reason
            self._st.children[c.election_id] = replace(c, paused=cmd.action == "pause")
        self._st.log.append({"at": workflow.now().isoformat(), "action": cmd.action,
                             "scope": cmd.scope, "target": cmd.target, "reason": cmd.reason,
                             "actor": cmd.actor, "communities": len(changed)})
        self._touch()
        return ControlResult(cmd.action, cmd.scope, cmd.target,
                             [c.community_id for c in changed], len(self._st.paused))

    async def _continue_as_new(self, inp: DistrictInput) -> None:
        await workflow.wait_condition(
            lambda: workflow.all_handlers_finished() and not self._lock.locked())
        state = replace(self._st, runs=self._st.runs + 1)
        workflow.continue_as_new(replace(inp, elections=[], state=state))

    # ---- helpers --------------------------------------------------------------------------
    def _history_full(self) -> bool:
        info = workflow.info()
        limit = self._inp.max_history_events if self._inp else 4000
        return info.is_continue_as_new_suggested() or info.get_current_history_length() >= limit

    def _all_final(self) -> bool:
        return self._st.started and all(c.status in FINAL for c in self._st.children.values())

    def _streets(self) -> set[str]:
        return {c.street_id for c in self._st.children.values()}

    def _communities(self) -> set[str]:
        return {c.community_id for c in self._st.children.values()}

    def _touch(self) -> None:
        self._version += 1
