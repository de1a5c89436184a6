"""CommunityElectionWorkflow: the eight steps of one community's election.

The workflow decides order and waiting; it never does I/O, reads no clock but Temporal's and
runs no rule engine. People act through the services; a service stores the fact and sends a
``wake`` signal; the workflow treats the signal as a wake-up only and reads the authoritative
state back through an activity, so a duplicated or lost-and-retried signal does no harm.

Every update and signal takes one dataclass. ``await_turn``, ``await_change``,
``decide_unfilled`` and ``wake`` also accept the positional arguments they took before
(committed histories and older clients send them); both forms do the same, so no patch is needed.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace

from temporalio import workflow
from temporalio.converter import value_to_type
from temporalio.exceptions import ActivityError, ApplicationError

from core.errors import RULE_VIOLATION
from workflows.election import control
from workflows.election.base import CONTROL_RECORDED, ElectionStopped
from workflows.election.state import STEPS
from workflows.election.steps import ElectionSteps
from workflows.election.types import (
    WAKE_SIGNAL,
    ActorRef,
    ChangeQuery,
    ControlAct,
    ElectionInput,
    ElectionRef,
    ElectionStatus,
    NoticeInput,
    NoticeRelease,
    PauseInput,
    ReduceInput,
    TurnQuery,
    UnfilledDecision,
    Waiting,
    Wake,
)
from workflows.refusal import refusal

with workflow.unsafe.imports_passed_through():
    from workflows.election.activities import ElectionActivities

__all__ = ["STEPS", "CommunityElectionWorkflow", "ElectionStopped"]

# Elections started since this patch call their (short) activities as local activities: run in
# the worker inside the workflow task, their results recorded in history as markers, no server
# round trip per call. Elections whose history lacks the marker keep regular activities.
LOCAL_ACTIVITIES = "local-activities-1"


# A handler that also takes the older positional form has more parameters than the one
# dataclass sent; Temporal then applies no type hints and hands over the decoded JSON (a dict),
# which these turn into the dataclass.
def _turn(inp: TurnQuery | int, skip: list[str] | None,
          hold_notices: list[str] | None) -> TurnQuery:
    if isinstance(inp, TurnQuery):
        return inp
    if isinstance(inp, dict):
        return value_to_type(TurnQuery, inp)  # type: ignore[no-any-return]
    return TurnQuery(int(inp), list(skip or ()), list(hold_notices or ()))


def _unfilled(inp: UnfilledDecision | str, decision: str) -> UnfilledDecision:
    if isinstance(inp, UnfilledDecision):
        return inp
    if isinstance(inp, dict):
        return value_to_type(UnfilledDecision, inp)  # type: ignore[no-any-return]
    return UnfilledDecision(str(inp), decision)


@workflow.defn
class CommunityElectionWorkflow(ElectionSteps):
    # ---- messages -------------------------------------------------------------------------
    @workflow.signal(name=WAKE_SIGNAL)
    def wake(self, inp: Wake | str | None = None) -> None:
        self.s.wakes += 1

    @workflow.signal
    def pause(self, inp: PauseInput) -> None:
        if not self.s.paused:
            self._apply_control("pause", inp.reason, inp.by)
            self._record_signalled("pause", inp)

    @workflow.signal
    def resume(self, inp: PauseInput) -> None:
        if self.s.paused:
            # CTL2 holds for a signal too (a signal cannot be refused: it is not applied);
            # elections before the patch knew no one who paused
            role = inp.by.role if inp.by is not None else ""
            if role and workflow.patched(CONTROL_RECORDED) and control.refused(
                    "resume", role, self.s.paused_by)[0]:
                return
            self._apply_control("resume", inp.reason, inp.by)
            self._record_signalled("resume", inp)

    @workflow.signal
    def abort(self, inp: PauseInput) -> None:
        self._apply_control("abort", inp.reason, inp.by)
        self._record_signalled("abort", inp)

    def _apply_control(self, action: str, reason: str, by: ActorRef | None) -> None:
        s = self.s
        if action == "pause":
            s.paused = True
            s.pause_reason = reason
            s.paused_by = by.role if by is not None else ""
            s.bump()
            self._tell_parent()
        elif action == "resume":
            s.paused = False
            s.pause_reason = ""
            s.paused_by = ""
            s.bump()
            self._tell_parent()
        else:
            s.aborted = reason or "aborted"
            s.wakes += 1
            s.bump()

    def _record_signalled(self, action: str, inp: PauseInput) -> None:
        """A signalled act into the chain (unless its sender recorded it: the district)."""
        if inp.recorded or not workflow.patched(CONTROL_RECORDED):
            return
        self._parent_signals.append(asyncio.ensure_future(self._record_control(
            action, inp.by, {"reason": inp.reason, "actor": inp.actor})))

    @workflow.update
    async def control(self, act: ControlAct) -> ElectionStatus:
        """Pause, resume or abort, by whom and why: checked against the role table
        (workflows/election/control.py: CTL1, CTL2), recorded in the election's chain, then
        applied. An act that changes nothing (a second pause) is neither recorded nor applied,
        but a pause whose lifting the new pauser restricts further (a supervisor's halt over
        a street's pause) takes over the standing one."""
        s = self.s
        if act.action == "pause" and s.paused and not self._stricter(act.by.role):
            return self.status()
        if (act.action == "resume" and not s.paused) or (act.action == "abort" and s.aborted):
            return self.status()
        await self._record_control(act.action, act.by, {"reason": act.reason,
                                                        "paused_by": s.paused_by})
        if act.action == "resume" and not s.paused:
            return self.status()  # lifted meanwhile
        if act.action == "pause" and s.paused:
            s.paused_by = act.by.role
            s.pause_reason = act.reason
            s.bump()
        else:
            self._apply_control(act.action, act.reason, act.by)
        return self.status()

    @control.validator
    def _validate_control(self, act: ControlAct) -> None:
        if not act.reason.strip():
            raise refusal("reason: a pause, resume or abort needs a reason", "reason")
        message, field, rule = control.refused(act.action, act.by.role,
                                               self.s.paused_by if self.s.paused else "")
        if message:
            raise refusal(message, field, rule)
        if self.s.status != "running":
            raise refusal(f"election_id: the election has ended ({self.s.status})",
                          "election_id")

    def _stricter(self, role: str) -> bool:
        """Would a pause by ``role`` be lifted by fewer roles than the standing one?"""
        now = set(control.MAY_LIFT.get(self.s.paused_by, control.MAY_LIFT["district_admin"]))
        new = set(control.MAY_LIFT.get(role, control.MAY_LIFT["district_admin"]))
        return new < now

    @workflow.query
    def status(self) -> ElectionStatus:
        return self.s.snapshot()

    @workflow.update
    async def await_change(self, inp: ChangeQuery | int) -> ElectionStatus:
        """Long-poll for clients: returns once the status version differs from the one seen."""
        seen = inp.seen_version if isinstance(inp, ChangeQuery) else inp
        await workflow.wait_condition(lambda: self.s.version != seen)
        return self.status()

    @workflow.update
    async def await_turn(self, inp: TurnQuery | int, skip: list[str] | None = None,
                         hold_notices: list[str] | None = None) -> ElectionStatus:
        """Long-poll for the people's clients: returns once the election has ended, or waits
        unpaused on something newer than wait number ``acted_seq`` (what a person may act on)
        whose kind is not in ``skip`` (what this client has nothing to do for); the changes in
        between are not reported, which saves an update per change.

        ``hold_notices``: a simulation whose days last a fraction of a second files objections
        in no simulated time; when the wait returned is the period of one of these notices, the
        period's clock stops, in the same workflow task, until the client sends
        ``release_notice`` (once per notice period). Without it a slow client could miss a
        one-second period and its objection be refused as late (O2)."""
        q = _turn(inp, skip, hold_notices)
        s = self.s
        skipped = set(q.skip)
        await workflow.wait_condition(
            lambda: s.status != "running" or (
                s.waiting is not None and not s.paused
                and s.waiting.seq > q.acted_seq and s.waiting.kind not in skipped))
        w = s.waiting
        if (s.status == "running" and w is not None and w.kind == "notice"
                and w.notice in q.hold_notices and s.notice_hold_used != s.notices):
            s.notice_held = s.notice_hold_used = s.notices
        return self.status()

    @workflow.signal
    def release_notice(self, inp: NoticeRelease) -> None:
        """The client that held a notice period (``await_turn``) has acted: the clock runs on."""
        if self.s.notice_held and (self.s.waiting is None or self.s.waiting.notice == inp.notice):
            self.s.notice_held = 0

    @workflow.update
    async def decide_unfilled(self, inp: UnfilledDecision | str, decision: str = "") -> str:
        """The street committee's answer for a post that stayed unfilled (M7): reduce | reelect.
        ``reduce`` is refused where the committee would fall below P1's minimum size."""
        d = _unfilled(inp, decision)
        s = self.s
        if d.decision == "reduce":
            filled = len(s.elected.get(d.post, [])) + len(s.elected_partial.get(d.post, []))
            posts = [replace(p, seats=filled) if p.post == d.post else p for p in s.posts]
            verdict = await self._act(ElectionActivities.check_reduce,
                                      ReduceInput(s.require_input().election_id, posts))
            if not verdict.ok:
                raise refusal(f"[{verdict.rule}] decision: {verdict.reason}", "decision",
                              verdict.rule, type=RULE_VIOLATION)
        if workflow.patched(CONTROL_RECORDED):
            await self._record_control("unfilled", d.by, {"post": d.post,
                                                          "decision": d.decision, "rule": "M7"})
        s.unfilled_decisions[d.post] = d.decision
        s.wakes += 1
        return d.decision

    @decide_unfilled.validator
    def _validate_unfilled(self, inp: UnfilledDecision | str, decision: str = "") -> None:
        d = _unfilled(inp, decision)
        if d.decision not in ("reduce", "reelect"):
            raise refusal(f"decision: must be reduce or reelect, not {d.decision!r} (M7)",
                          "decision", "M7")
        w = self.s.waiting
        if w is None or w.kind != "unfilled" or w.post != d.post:
            raise refusal(f"post: no unfilled decision is awaited for {d.post!r} (M7)", "post",
                          "M7")

    # ---- the eight steps ------------------------------------------------------------------
    @workflow.run
    async def run(self, inp: ElectionInput) -> ElectionStatus:
        s = self.s
        s.inp = inp
        s.local = workflow.patched(LOCAL_ACTIVITIES)
        try:
            await self._run_steps(inp)
            s.status = "completed"
        except ElectionStopped as exc:
            s.status = "aborted" if s.aborted else "failed"
            s.error = str(exc)
        except ActivityError as exc:
            s.status = "failed"
            cause = exc.cause
            s.error = str(cause.message if isinstance(cause, ApplicationError) else cause or exc)
        s.waiting = None
        s.bump()
        self._tell_parent(final=True)
        await workflow.wait_condition(workflow.all_handlers_finished)
        if self._parent_signals:
            await asyncio.gather(*self._parent_signals, return_exceptions=True)
        return self.status()

    async def _run_steps(self, inp: ElectionInput) -> None:
        ref = ElectionRef(inp.election_id, workflow.info().workflow_id)
        await self._act(ElectionActivities.register_election, inp)

        # 1 制订方案: the office drafts, the street committee approves (P1-P5 checked on submit).
        self._begin(1)
        plan = await self._until(Waiting("plan", "plan approval"),
                                 lambda: self._plan_if_approved(ref))
        self.s.params = plan.params
        self.s.posts = plan.posts
        self._finish(1)

        # 2 发布信息
        self._begin(2)
        await self._act(ElectionActivities.publish_notice, NoticeInput(
            inp.election_id, "announcement", f"{inp.community_name}换届选举公告",
            "选举工作方案已批准，报名开始。/ The plan is approved; nominations are open."))
        await self._act(ElectionActivities.open_nominations, ref)
        self._finish(2)

        # 3 报名 + 资格审查
        self._begin(3)
        await self._until(Waiting("nominations", "nominations"),
                          lambda: self._when(self._act(ElectionActivities.nomination_state, ref),
                                             lambda n: n.window_status == "closed"))
        await self._act(ElectionActivities.run_automatic_review, ref)
        await self._until(Waiting("review", "qualification review"),
                          lambda: self._when(self._act(ElectionActivities.nomination_state, ref),
                                             lambda n: n.pending_reviews == 0))
        qualified = await self._stage_lists("qualified", self.s.posts)
        await self._notice(ref, "registrants", "报名人选公示 / registrants", qualified)
        qualified = await self._stage_lists("qualified", self.s.posts)
        self._finish(3)

        funnel_posts = [p for p in self.s.posts if not self._by_plenary(p.post)]
        self._begin(4)
        shortlisted = await self._recommend(ref, funnel_posts, qualified, "qualified")
        self._finish(4)
        self._begin(5)
        inspected = await self._inspect(funnel_posts, shortlisted)
        self._finish(5)
        self._begin(6)
        candidates = await self._committee_vote(ref, funnel_posts, inspected, "inspected")
        self._finish(6)
        self._begin(7)
        await self._elect(ref, funnel_posts, candidates)
        self._finish(7)
        self._begin(8)
        await self._report(ref)
        self._finish(8)
