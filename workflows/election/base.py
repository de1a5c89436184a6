"""How the election workflow calls its activities and waits for people.

Activities are called by method reference (a renamed activity is a type error, not a
workflow stuck on an unknown name). A wait reads the facts through an activity, and if they
are not there yet sleeps until a ``wake`` signal; paused time and an abort are honoured at
every wait.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any, TypeVar

from temporalio import workflow
from temporalio.common import RetryPolicy

from core.errors import NOT_RETRYABLE
from workflows.district.types import PROGRESS_SIGNAL
from workflows.election.control import RECORDED_AS
from workflows.election.state import ElectionState
from workflows.election.types import (
    ActorRef,
    AnchorsQuery,
    CloseNoticeInput,
    ControlRecord,
    ElectionRef,
    Funnel,
    MeetingState,
    NoticeAnchors,
    NoticeInput,
    ParentSignal,
    PostPlan,
    RoundState,
    StageQuery,
    Waiting,
)

with workflow.unsafe.imports_passed_through():
    from workflows.district.activities import DistrictActivities
    from workflows.election.activities import ElectionActivities

A = TypeVar("A")
R = TypeVar("R")
T = TypeVar("T")

RETRY = RetryPolicy(initial_interval=timedelta(milliseconds=200),
                    maximum_interval=timedelta(seconds=5),
                    non_retryable_error_types=list(NOT_RETRYABLE))
CALL_TIMEOUT = timedelta(seconds=60)
# A notice is closed at the end of its period, so that an objection cannot slip in after the
# workflow read the objections (O2). Elections whose history lacks the marker do not close.
NOTICE_CLOSES = "notice-closes-1"
# Pause, resume, abort and an unfilled post's decision are recorded, with who and why, in the
# election's chain by the workflow that applies them (``record_control``). Elections whose
# history lacks the marker keep the acts as signals only.
CONTROL_RECORDED = "control-acts-recorded-1"
# A notice carries every service's signed chain head, and the results notice the rounds'
# ballot-box digests (docs/audit.md). Elections whose history lacks the marker publish none.
NOTICE_HEADS = "notice-heads-1"
# A hold granted (``await_turn``) in the same workflow task as the period ended is honoured:
# the client was handed the notice's wait and files its objections before it releases. Before
# the marker the hold was dropped there, and a loaded client's objection came in as late (O2).
HOLD_AT_END = "notice-hold-at-end-1"
# The heads a notice carries are read by a regular activity, recorded in the history before
# the notice is published. As a local activity, a workflow task lost under load (timed out
# before its markers were written) ran the read again after the first publish had moved the
# chain: the retried publish, under the same key, carried other heads and was refused as a
# different request (ALREADY_EXISTS, seen with 363 communities on 2 cores).
ANCHORS_RECORDED = "notice-anchors-recorded-1"


def checked_in(m: MeetingState) -> bool:
    return m.status != "checking_in"


def counted(r: RoundState) -> bool:
    return r.status == "counted"


class ElectionStopped(Exception):
    """The election cannot go on (aborted, or a rule stops it)."""


class ElectionBase:
    """The state and the means of the election workflow; the steps build on it."""

    def __init__(self) -> None:
        self.s = ElectionState()
        self._parent_signals: list[asyncio.Future[None]] = []

    # ---- activities -----------------------------------------------------------------------
    async def _act(self, activity: Callable[[ElectionActivities, A], Awaitable[R]], arg: A,
                   recorded: bool = False) -> R:
        """One activity call: a local activity for elections started since the local-activities
        patch, a regular one for those before it (their histories hold those commands), and
        where ``recorded`` (a result that must be in the history before the next call)."""
        self._check_aborted()
        if self.s.local and not recorded:
            return await workflow.execute_local_activity_method(
                activity, arg, start_to_close_timeout=CALL_TIMEOUT, retry_policy=RETRY)
        return await workflow.execute_activity_method(
            activity, arg, start_to_close_timeout=CALL_TIMEOUT, retry_policy=RETRY)

    async def _stage_lists(self, stage: str, posts: list[PostPlan]) -> Funnel:
        funnel = await self._act(ElectionActivities.funnel,
                                 StageQuery(self.s.require_input().election_id, stage))
        wanted = {p.post for p in posts}
        return Funnel({p: people for p, people in funnel.lists.items() if p in wanted})

    def _key(self, purpose: str) -> str:
        return self.s.key(workflow.info().workflow_id, purpose)

    # ---- waiting for people ---------------------------------------------------------------
    async def _until(self, waiting: Waiting, check: Callable[[], Awaitable[T | None]],
                     known: tuple[int, T | None] | None = None) -> T:
        """Wait for people: read the facts, and if not there yet sleep until a wake-up.
        ``known`` (see ``_known``) stands for the first read while no wake-up came since."""
        announced = False
        while True:
            await self._unpaused()
            if known is not None and known[0] == self.s.wakes:
                seen, result = known
            else:
                seen = self.s.wakes
                result = await check()
            known = None
            if result is not None:
                if announced:
                    self.s.set_waiting(None)
                return result
            if not announced:  # only what is really awaited is shown as waiting
                self.s.set_waiting(waiting)
                announced = True
            await workflow.wait_condition(self._woken_since(seen))
            self._check_aborted()

    def _woken_since(self, seen: int) -> Callable[[], bool]:
        return lambda: self.s.wakes != seen

    def _known(self, before: int, value: T, accept: Callable[[Any], bool]
               ) -> tuple[int, T | None] | None:
        """What the call that opened a meeting or round answered, as the first read of the wait
        that follows: valid while no wake-up has come since ``before`` (taken before the call),
        since every change made after the opening sends one. Saves a read per meeting and round
        (elections on local activities only: the others keep their recorded commands)."""
        if not self.s.local:
            return None
        return before, (value if accept(value) else None)

    async def _when(self, value: Awaitable[T], accept: Callable[[T], bool]) -> T | None:
        result = await value
        return result if accept(result) else None

    async def _ready(self, value: T | None) -> T | None:
        return value

    async def _meeting_when(self, meeting_id: str,
                            accept: Callable[[MeetingState], bool]) -> MeetingState | None:
        return await self._when(self._act(ElectionActivities.meeting_state, meeting_id), accept)

    async def _unpaused(self) -> None:
        self._check_aborted()
        if self.s.paused:
            await workflow.wait_condition(lambda: not self.s.paused or bool(self.s.aborted))
            self._check_aborted()

    async def _record_control(self, act: str, by: ActorRef | None,
                              payload: dict[str, Any]) -> None:
        """One control act into the election's chain (a regular activity: durable, retried,
        and called with a key of the workflow's own counter, so it records exactly once;
        not through ``_act``: an abort is recorded while the election stops)."""
        s = self.s
        s.controls += 1
        key = f"{workflow.info().workflow_id}/control/{s.controls}"
        await workflow.execute_activity_method(
            ElectionActivities.record_control,
            ControlRecord(s.require_input().election_id, RECORDED_AS[act], key,
                          by or ActorRef(), payload),
            start_to_close_timeout=CALL_TIMEOUT, retry_policy=RETRY)

    def _check_aborted(self) -> None:
        if self.s.aborted:
            raise ElectionStopped(f"aborted: {self.s.aborted}")

    # ---- notices (O1, O2) -----------------------------------------------------------------
    async def _notice(self, ref: ElectionRef, kind: str, title: str, funnel: Funnel) -> None:
        """O1: publish, then let the period run; paused time does not count. O2: objections
        filed meanwhile hold the step until the street committee decides them."""
        s = self.s
        days = int(s.params.get("notice_days", 5))
        names = [c.name for cs in funnel.lists.values() for c in cs]
        anchors = NoticeAnchors()
        if workflow.patched(NOTICE_HEADS):
            anchors = await self._act(
                ElectionActivities.notice_anchors, AnchorsQuery(ref.election_id, kind),
                recorded=self.s.local and workflow.patched(ANCHORS_RECORDED))
        await self._act(ElectionActivities.publish_notice, NoticeInput(
            ref.election_id, kind, title, f"公示期{days}天 / {days} days", names, days,
            anchors.heads, anchors.digests))
        remaining = days * s.require_input().day_seconds
        s.notices += 1
        released = False
        while remaining > 0:
            await self._unpaused()
            if s.notice_held:  # a simulation's client acts in no simulated time
                await workflow.wait_condition(lambda: not s.notice_held or bool(s.aborted))
                self._check_aborted()
                released = True
                continue
            started = workflow.time()
            ends = workflow.now() + timedelta(seconds=remaining)
            if released and s.waiting is not None and s.waiting.notice == kind:
                # the same wait, its deadline moved: the client that held it is not asked again
                s.waiting = replace(s.waiting, deadline=ends.isoformat())
                s.bump()
            else:
                s.set_waiting(Waiting("notice", f"{kind} notice period", notice=kind,
                                      deadline=ends.isoformat()))
            released = False
            try:
                await workflow.wait_condition(
                    lambda: s.paused or bool(s.notice_held) or bool(s.aborted),
                    timeout=remaining)
            except TimeoutError:
                if s.notice_held and workflow.patched(HOLD_AT_END):
                    await workflow.wait_condition(
                        lambda: not s.notice_held or bool(s.aborted))
                    self._check_aborted()
                break
            self._check_aborted()
            remaining -= workflow.time() - started
        # (before HOLD_AT_END) a hold asked for in the same workflow task as the period ended
        # holds nothing more: left set, it would stop the next notice's clock
        s.notice_held = 0
        s.set_waiting(None)
        if workflow.patched(NOTICE_CLOSES):
            await self._act(ElectionActivities.close_notice, CloseNoticeInput(ref.election_id, kind))
        await self._until(
            Waiting("objections", f"objection decisions on the {kind} notice", notice=kind),
            lambda: self._when(self._act(ElectionActivities.objection_state, ref),
                               lambda o: o.pending == 0))

    # ---- the timeline and the district parent ---------------------------------------------
    def _begin(self, step: int) -> None:
        self.s.begin(step, workflow.now().isoformat())
        self._tell_parent()

    def _finish(self, step: int) -> None:
        self.s.finish(step, workflow.now().isoformat())

    def _tell_parent(self, final: bool = False) -> None:
        """A district parent learns of each step, pause and end from its children (about ten
        signals per election, far below Temporal's per-workflow signal limit). Elections on
        local activities send it from a local activity (``tell_parent``): its result is a marker
        in the workflow task under way, where a signal command would bring the workflow a task
        of its own when the server reports the signal delivered. The parent keeps the newest
        version of a summary, so a repeated delivery does no harm. The last one stays a signal
        command: its delivery brings the task that ends the workflow, after the one that
        answers the clients' pending updates (answers and the end in one task with a local
        activity were seen to reach the clients as an unfinished update)."""
        parent = workflow.info().parent
        if parent is None or self.s.inp is None:
            return
        if self.s.local and not final:
            self._parent_signals.append(asyncio.ensure_future(
                workflow.execute_local_activity_method(
                    DistrictActivities.tell_parent,
                    ParentSignal(parent.workflow_id, self.s.summary()),
                    start_to_close_timeout=timedelta(seconds=30), retry_policy=RETRY)))
            return
        handle = workflow.get_external_workflow_handle(parent.workflow_id, run_id=None)
        self._parent_signals.append(asyncio.ensure_future(
            handle.signal(PROGRESS_SIGNAL, self.s.summary())))

