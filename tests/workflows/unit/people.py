"""The people of a unit-tested election: they answer each wait the workflow announces by
changing the fake services' facts, then wake the workflow, the way the scenario player does
through the real services."""

from __future__ import annotations

import asyncio
import copy
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from temporalio.client import (
    Client,
    WorkflowHandle,
    WorkflowUpdateFailedError,
    WorkflowUpdateHandle,
    WorkflowUpdateStage,
)
from temporalio.service import RPCError
from temporalio.worker import Worker

from core.ids import election_workflow_id
from tests.workflows.unit.fake import ACTIVITIES, FAKES, FakeServices
from workflows.election.types import (
    ApprovalState,
    ElectionInput,
    ElectionStatus,
    NoticeRelease,
    TurnQuery,
    UnfilledDecision,
    Waiting,
    Wake,
)
from workflows.election.workflows import CommunityElectionWorkflow

DAY = 0.02  # seconds: a one-day notice period lasts 20 ms
#: before the people answer a wait: "act" (answer it), "skip" (leave it), "stop" (go home)
Hook = Callable[["People", Waiting], Awaitable[str]]


@dataclass
class Script:
    """What the people decide; anything not named is decided the plain way (a quorum, the
    first candidates elected, every objection upheld, every approval given)."""

    quorum: dict[str, list[bool]] = field(default_factory=dict)     # meeting kind -> sessions
    counts: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    objections: dict[str, list[str]] = field(default_factory=dict)  # notice -> names
    objection_decision: str = "upheld"                              # upheld | dismissed | undecided
    unfilled: dict[str, list[str]] = field(default_factory=dict)    # post -> decisions tried
    approvals: dict[str, list[str]] = field(default_factory=dict)   # post -> approved | rejected
    hooks: dict[str, Hook] = field(default_factory=dict)            # wait kind -> before acting
    hold: list[str] = field(default_factory=list)  # notice periods held, with no objection
    old_forms: bool = False  # send the positional arguments older clients send, not dataclasses


class People:
    def __init__(self, fake: FakeServices, script: Script, handle: WorkflowHandle[Any, Any]):
        self.fake = fake
        self.script = copy.deepcopy(script)  # its lists are consumed as the people decide
        self.handle = handle
        self.seen: list[Waiting] = []
        self.refused: list[str] = []
        self.refused_details: list[object] = []  # each refusal's field and rule, as sent
        self.stopped_at: Waiting | None = None
        self.notes: dict[str, Any] = {}  # what hooks observed

    async def wake(self, reason: str) -> None:
        if self.script.old_forms:
            await self.handle.signal("wake", reason)
        else:
            await self.handle.signal(CommunityElectionWorkflow.wake, Wake(reason))

    async def _turn(self, seq: int) -> WorkflowUpdateHandle[ElectionStatus] | None:
        """Ask for the next wait after ``seq``; returns once the workflow has accepted the
        question, so it is answered in the very workflow task that announces the wait (a
        notice period to hold cannot end before the people see it). None: it has ended."""
        hold = sorted({*self.script.objections, *self.script.hold})
        try:
            if self.script.old_forms:  # as the scenario player sends it: (seq, skip[, hold])
                return await self.handle.start_update(
                    "await_turn", args=[seq, [], hold] if hold else [seq, []],
                    result_type=ElectionStatus, wait_for_stage=WorkflowUpdateStage.ACCEPTED)
            return await self.handle.start_update(
                CommunityElectionWorkflow.await_turn, TurnQuery(seq, hold_notices=hold),
                wait_for_stage=WorkflowUpdateStage.ACCEPTED)
        except RPCError:
            if not await _ended(self.handle):
                raise
            return None

    async def run(self) -> ElectionStatus:
        turn = await self._turn(0)
        while True:
            try:
                st = await turn.result() if turn is not None else None
            except RPCError:  # the update was pending as the election ended
                if not await _ended(self.handle):
                    raise
                st = None
            if st is None:
                return await self.handle.result()  # type: ignore[no-any-return]
            if st.status != "running":
                # ended: its last acts (an abort's record) finish before the run returns
                return await self.handle.result()  # type: ignore[no-any-return]
            if st.waiting is None:
                return st
            w = st.waiting
            self.seen.append(w)
            turn = await self._turn(w.seq)  # before acting: see _turn
            hook = self.script.hooks.get(w.kind)
            what = await hook(self, w) if hook is not None else "act"
            if what == "skip":
                continue
            if what == "stop" or not await self.act(w):
                self.stopped_at = w
                return await self.handle.query(CommunityElectionWorkflow.status)

    async def act(self, w: Waiting) -> bool:
        """Answer one wait; False: the people do nothing more (the election stays waiting)."""
        f, s = self.fake, self.script
        kind = w.kind
        if kind == "plan":
            f.plan_status = "approved"
        elif kind == "nominations":
            f.window = "closed"
        elif kind == "review":
            f.pending_reviews = 0
        elif kind == "notice":
            if w.notice in s.objections:  # the period is held while the objections are filed
                for name in s.objections.pop(w.notice):  # once: not on a later notice of the kind
                    f.file_objection(w.notice, name)
                await self.release(w.notice)
            elif w.notice in s.hold:
                await self.release(w.notice)
            return True
        elif kind == "objections":
            if s.objection_decision == "undecided":
                return False
            f.decide_objections(s.objection_decision == "upheld")
        elif kind == "recommendation_checkin":
            f.sit(w.meeting_id, True)
        elif kind == "recommendation":
            f.meetings[w.meeting_id].state.status = "closed"
        elif kind == "inspection":
            for r in f.registrations:
                if r.stage == "shortlisted":
                    f.inspections[(r.post, r.who.person_id)] = True
        elif kind.endswith("_session"):
            sessions = s.quorum.get(kind.removesuffix("_session"), [])
            quorum = sessions.pop(0) if sessions else True
            f.sit(w.meeting_id, quorum)
        elif kind.endswith("_round"):
            outcomes = s.counts.get((kind.removesuffix("_round"), w.post), [])
            f.count(w.round_id, **(outcomes.pop(0) if outcomes else {}))
        elif kind == "unfilled":
            return await self.decide_unfilled(w)
        elif kind == "approval":
            f.decide_approvals(self._approve)
        else:
            raise AssertionError(f"no one answers a {kind!r} wait")
        await self.wake(kind)
        return True

    async def release(self, notice: str) -> None:
        await self.handle.signal(CommunityElectionWorkflow.release_notice, NoticeRelease(notice))

    async def decide_unfilled(self, w: Waiting) -> bool:
        decisions = self.script.unfilled.get(w.post, [])
        while decisions:
            decision = decisions.pop(0)
            try:
                if self.script.old_forms:
                    await self.handle.execute_update("decide_unfilled", args=[w.post, decision])
                else:
                    await self.handle.execute_update(CommunityElectionWorkflow.decide_unfilled,
                                                     UnfilledDecision(w.post, decision))
                return True
            except WorkflowUpdateFailedError as exc:
                self.refused.append(str(getattr(exc.cause, "message", exc.cause)))
                details = getattr(exc.cause, "details", ())
                self.refused_details.append(details[0] if details else None)
        return False

    def _approve(self, a: ApprovalState) -> str:
        decisions = self.script.approvals.get(a.post, [])
        decision = decisions.pop(0) if decisions else "approved"
        if decision == "approved" and a.kind == "filing":
            return "filed"
        return decision


@dataclass
class Played:
    """One election played: the fake's facts, the people, and how it ended (or what failed)."""

    fake: FakeServices
    people: People | None = None
    status: ElectionStatus | None = None
    failure: BaseException | None = None

    def result(self) -> tuple[ElectionStatus, People]:
        if self.failure is not None:
            raise self.failure
        assert self.status is not None and self.people is not None
        return self.status, self.people


#: one edge path: the fake services it starts from and what its people decide
EdgePath = Callable[[], tuple[FakeServices, Script]]


async def play_all(client: Client, paths: dict[str, EdgePath],
                   timeout: float = 45.0) -> dict[str, Played]:
    """Every path's election at once on one worker whose activities are the fakes': the people
    answer until the election ends or they stop; an election left waiting is terminated."""
    queue = f"unit-{uuid.uuid4().hex[:12]}"
    played: dict[str, Played] = {}

    async def one(name: str, path: EdgePath) -> None:
        fake, script = path()
        election_id = f"unit-{name}-{uuid.uuid4().hex[:8]}"
        workflow_id = election_workflow_id(election_id)
        FAKES[workflow_id] = fake
        out = played[name] = Played(fake)
        handle = await client.start_workflow(
            CommunityElectionWorkflow.run,
            ElectionInput(election_id, "c-1", "测试社区", "branch", street_id="st-1",
                          day_seconds=DAY),
            id=workflow_id, task_queue=queue)
        out.people = People(fake, script, handle)
        try:
            out.status = await asyncio.wait_for(out.people.run(), timeout)
        except Exception as exc:
            out.failure = exc
        finally:
            if not await _ended(handle):
                await handle.terminate("the unit test is over")
            del FAKES[workflow_id]

    async with Worker(client, task_queue=queue, workflows=[CommunityElectionWorkflow],
                      activities=ACTIVITIES):
        await asyncio.gather(*(one(n, p) for n, p in paths.items()))
    return played


async def _ended(handle: WorkflowHandle[Any, Any]) -> bool:
    desc = await handle.describe()
    return desc.status is not None and desc.status.name != "RUNNING"
