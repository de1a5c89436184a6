"""CommunityElectionWorkflow: the eight steps of one community's election.

The workflow decides order and waiting; it never does I/O, reads no clock but Temporal's and
runs no rule engine. People act through the services; a service stores the fact and sends a
``wake`` signal; the workflow treats the signal as a wake-up only and reads the authoritative
state back through an activity, so a duplicated or lost-and-retried signal does no harm.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any, TypeVar

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

from workflows.election.types import (
    WAKE_SIGNAL,
    ApprovalInput,
    ApprovalsState,
    ApprovalState,
    Candidate,
    CloseMeeting,
    ElectionInput,
    ElectionRef,
    ElectionStatus,
    Funnel,
    InspectionInput,
    InspectionState,
    MeetingState,
    NominationState,
    NoticeInput,
    ObjectionState,
    OpenMeetingInput,
    OpenRoundInput,
    PauseInput,
    PlanState,
    PostPlan,
    RoundState,
    ShortlistInput,
    StageInput,
    StageQuery,
    StepRecord,
    Waiting,
)

T = TypeVar("T")

STEPS = ((1, "plan"), (2, "publish"), (3, "nominate"), (4, "recommend"), (5, "inspect"),
         (6, "committee"), (7, "elect"), (8, "report"))
POST_ZH = {"secretary": "书记", "deputy_secretary": "副书记", "member": "委员"}
NOT_RETRYABLE = ["InvalidArgument", "FailedPrecondition", "NotFound", "PermissionDenied",
                 "RuleViolation"]


class ElectionStopped(Exception):
    """The election cannot go on (aborted, or a rule stops it)."""


@workflow.defn
class CommunityElectionWorkflow:
    def __init__(self) -> None:
        self._inp: ElectionInput | None = None
        self._wakes = 0
        self._version = 0
        self._paused = False
        self._pause_reason = ""
        self._aborted = ""
        self._status = "running"
        self._error = ""
        self._step = 0
        self._waiting: Waiting | None = None
        self._timeline = [StepRecord(step=n, name=name) for n, name in STEPS]
        self._elected: dict[str, list[Candidate]] = {}
        self._unfilled_decisions: dict[str, str] = {}
        self._keys = 0
        self._params: dict[str, Any] = {}
        self._posts: list[PostPlan] = []

    # ---- messages -------------------------------------------------------------------------
    @workflow.signal(name=WAKE_SIGNAL)
    def wake(self, reason: str) -> None:
        self._wakes += 1

    @workflow.signal
    def pause(self, inp: PauseInput) -> None:
        if not self._paused:
            self._paused = True
            self._pause_reason = inp.reason
            self._bump()

    @workflow.signal
    def resume(self, inp: PauseInput) -> None:
        if self._paused:
            self._paused = False
            self._pause_reason = ""
            self._bump()

    @workflow.signal
    def abort(self, inp: PauseInput) -> None:
        self._aborted = inp.reason or "aborted"
        self._wakes += 1
        self._bump()

    @workflow.query
    def status(self) -> ElectionStatus:
        return ElectionStatus(
            election_id=self._inp.election_id if self._inp else "",
            status=self._status, step=self._step,
            step_name=STEPS[self._step - 1][1] if self._step else "",
            paused=self._paused, waiting=self._waiting, timeline=list(self._timeline),
            version=self._version, error=self._error, pause_reason=self._pause_reason,
            elected=dict(self._elected))

    @workflow.update
    async def await_change(self, seen_version: int) -> ElectionStatus:
        """Long-poll for clients: returns once the status differs from ``seen_version``."""
        await workflow.wait_condition(lambda: self._version != seen_version)
        return self.status()

    @workflow.update
    async def decide_unfilled(self, post: str, decision: str) -> str:
        """The street committee's answer for a post that stayed unfilled (M7): reduce | reelect."""
        self._unfilled_decisions[post] = decision
        self._wakes += 1
        return decision

    @decide_unfilled.validator
    def _validate_unfilled(self, post: str, decision: str) -> None:
        if decision not in ("reduce", "reelect"):
            raise ApplicationError(f"decision: must be reduce or reelect, not {decision!r} (M7)")
        if self._waiting is None or self._waiting.kind != "unfilled" or self._waiting.post != post:
            raise ApplicationError(f"post: no unfilled decision is awaited for {post!r} (M7)")

    # ---- the eight steps ------------------------------------------------------------------
    @workflow.run
    async def run(self, inp: ElectionInput) -> ElectionStatus:
        self._inp = inp
        try:
            await self._run_steps(inp)
            self._status = "completed"
        except ElectionStopped as exc:
            self._status = "aborted" if self._aborted else "failed"
            self._error = str(exc)
        except ActivityError as exc:
            self._status = "failed"
            cause = exc.cause
            self._error = str(cause.message if isinstance(cause, ApplicationError) else cause or exc)
        self._waiting = None
        self._bump()
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self.status()

    async def _run_steps(self, inp: ElectionInput) -> None:
        ref = ElectionRef(inp.election_id, workflow.info().workflow_id)
        await self._call("register_election", inp)

        # 1 制订方案: the office drafts, the street committee approves (P1-P5 checked on submit).
        self._begin(1)
        plan: PlanState = await self._until(
            Waiting("plan", "plan approval"),
            lambda: self._plan_if_approved(ref))
        self._params = plan.params
        self._posts = plan.posts
        self._finish(1)

        # 2 发布信息
        self._begin(2)
        await self._call("publish_notice", NoticeInput(
            inp.election_id, "announcement", f"{inp.community_name}换届选举公告",
            "选举工作方案已批准，报名开始。/ The plan is approved; nominations are open."))
        await self._call("open_nominations", ref)
        self._finish(2)

        # 3 报名 + 资格审查
        self._begin(3)
        await self._until(Waiting("nominations", "nominations"),
                          lambda: self._when(self._call("nomination_state", ref, NominationState),
                                             lambda s: s.window_status == "closed"))
        await self._call("run_automatic_review", ref, NominationState)
        await self._until(Waiting("review", "qualification review"),
                          lambda: self._when(self._call("nomination_state", ref, NominationState),
                                             lambda s: s.pending_reviews == 0))
        qualified: Funnel = await self._call("funnel", StageQuery(inp.election_id, "qualified"), Funnel)
        await self._notice(ref, "registrants", "报名人选公示 / registrants", qualified)
        qualified = await self._call("funnel", StageQuery(inp.election_id, "qualified"), Funnel)
        self._finish(3)

        # 4 公推 + 信任投票
        self._begin(4)
        shortlist = await self._recommendation(ref, qualified)
        await self._notice(ref, "shortlist", "初步推荐人选公示 / shortlist", shortlist)
        shortlist = await self._call("funnel", StageQuery(inp.election_id, "shortlisted"), Funnel)
        self._finish(4)

        # 5 组织考察
        self._begin(5)
        inspected: InspectionState = await self._until(
            Waiting("inspection", "inspection"),
            lambda: self._when(self._call("inspection_state", InspectionInput(
                inp.election_id, self._posts, shortlist.lists), InspectionState),
                lambda s: s.missing == 0))
        self._finish(5)

        # 6 差额票决
        self._begin(6)
        candidates = await self._committee(ref, inspected.inspected)
        await self._notice(ref, "candidates", "候选人预备人选公示 / prospective candidates",
                           candidates)
        candidates = await self._call("funnel", StageQuery(inp.election_id, "candidate"), Funnel)
        self._finish(6)

        # 7 差额选举
        self._begin(7)
        await self._congress(ref, candidates)
        await self._call("publish_notice", NoticeInput(
            inp.election_id, "results", "选举结果公告 / results", "当场宣布 / announced on the spot",
            [f"{POST_ZH.get(p, p)} {c.name}" for p, cs in self._elected.items() for c in cs]))
        self._finish(7)

        # 8 报批 / 备案
        self._begin(8)
        await self._report(ref)
        self._finish(8)

    # ---- step bodies ----------------------------------------------------------------------
    async def _plan_if_approved(self, ref: ElectionRef) -> PlanState | None:
        plan: PlanState = await self._call("plan_state", ref, PlanState)
        return plan if plan.status == "approved" else None

    async def _recommendation(self, ref: ElectionRef, qualified: Funnel) -> Funnel:
        inp = self._require_input()
        meeting: MeetingState = await self._call("open_meeting", OpenMeetingInput(
            inp.election_id, ref.workflow_id, "recommendation", 1, inp.profile, inp.overrides),
            MeetingState)
        await self._until(Waiting("recommendation_checkin", "recommendation meeting check-in",
                                  meeting_id=meeting.meeting_id),
                          lambda: self._meeting_when(meeting.meeting_id,
                                                     lambda m: m.status != "checking_in"))
        for post in self._posts:
            people = qualified.lists.get(post.post, [])
            if not people:
                continue
            await self._open_round(meeting.meeting_id, post.post, "recommendation", post.seats, people)
            await self._open_round(meeting.meeting_id, post.post, "trust", len(people), people)
        await self._until(Waiting("recommendation", "recommendation meeting",
                                  meeting_id=meeting.meeting_id),
                          lambda: self._meeting_when(meeting.meeting_id,
                                                     lambda m: m.status == "closed"))
        return await self._call("decide_shortlist", ShortlistInput(
            inp.election_id, meeting.meeting_id, inp.profile, inp.overrides, self._posts), Funnel)

    async def _committee(self, ref: ElectionRef, inspected: dict[str, list[Candidate]]) -> Funnel:
        inp = self._require_input()
        session = 0
        while True:
            session += 1
            meeting: MeetingState = await self._call("open_meeting", OpenMeetingInput(
                inp.election_id, ref.workflow_id, "committee", session, inp.profile,
                inp.overrides), MeetingState)
            mid = meeting.meeting_id
            meeting = await self._until(
                Waiting("committee_session", "committee session", meeting_id=mid),
                lambda mid=mid: self._meeting_when(mid, lambda m: m.status != "checking_in"))
            if meeting.quorum_met:
                break
        result = Funnel()
        for post in self._posts:
            pool = inspected.get(post.post, [])
            selected: list[Candidate] = []
            kind, seats = "regular", post.candidates
            while pool and seats > 0:
                rnd = await self._vote(meeting.meeting_id, post.post, kind, seats, pool,
                                       "committee_round", f"committee round for {post.post}")
                by_id = {c.person_id: c for c in pool}
                selected += [by_id[p] for p in rnd.elected if p in by_id]
                if rnd.void:
                    kind = "repeat"
                    continue
                if rnd.tied:
                    pool = [by_id[p] for p in rnd.tied if p in by_id]
                    seats = post.candidates - len(selected)
                    kind = "tie"
                    continue
                break
            result.lists[post.post] = selected
            await self._call("advance_stage", StageInput(
                inp.election_id, post.post, "candidate", [c.person_id for c in selected],
                ["M11"], "inspected", self._key("stage-candidate-" + post.post)))
        await self._call("close_meeting", CloseMeeting(meeting.meeting_id, self._key("close")))
        return result

    async def _congress(self, ref: ElectionRef, candidates: Funnel) -> None:
        inp = self._require_input()
        session = 0
        meeting: MeetingState | None = None
        posts = self._congress_order()
        max_additional = int(self._params.get("max_additional_rounds", 2))
        pending = list(posts)
        while pending:
            session += 1
            meeting = await self._call("open_meeting", OpenMeetingInput(
                inp.election_id, ref.workflow_id, "congress", session, inp.profile,
                inp.overrides), MeetingState)
            mid = meeting.meeting_id
            meeting = await self._until(
                Waiting("congress_session", "congress session", meeting_id=mid),
                lambda mid=mid: self._meeting_when(mid, lambda m: m.status != "checking_in"))
            if not meeting.quorum_met:
                continue  # M1: this session cannot elect; convene a new one
            while pending:
                post = pending[0]
                taken = {c.person_id for cs in self._elected.values() for c in cs}
                pool = [c for c in candidates.lists.get(post.post, []) if c.person_id not in taken]
                elected = await self._elect_post(mid, post, pool, max_additional)
                self._elected[post.post] = elected
                self._bump()
                await self._call("advance_stage", StageInput(
                    inp.election_id, post.post, "elected", [c.person_id for c in elected],
                    ["M5"], "candidate", self._key("stage-elected-" + post.post)))
                pending.pop(0)
            await self._call("close_meeting", CloseMeeting(mid, self._key("close")))

    async def _elect_post(self, meeting_id: str, post: PostPlan, candidates: list[Candidate],
                          max_additional: int) -> list[Candidate]:
        by_id = {c.person_id: c for c in candidates}
        elected: list[Candidate] = []
        pool, seats, kind = list(candidates), post.seats, "regular"
        additional = 0
        while True:
            if not pool or seats <= 0:
                break
            rnd = await self._vote(meeting_id, post.post, kind, seats, pool, "congress_round",
                                   f"congress round for {post.post}")
            if rnd.void:  # M2: held again
                kind = "repeat"
                continue
            elected += [by_id[p] for p in rnd.elected if p in by_id]
            if rnd.tied:  # M6: a new round among the tied only
                pool = [by_id[p] for p in rnd.tied if p in by_id]
                seats = post.seats - len(elected)
                kind = "tie"
                continue
            remaining = post.seats - len(elected)
            if remaining <= 0:
                break
            chosen = {c.person_id for c in elected}
            if additional < max_additional:  # M7: an additional round for the unfilled seats
                additional += 1
                pool = [c for c in candidates if c.person_id not in chosen]
                seats, kind = remaining, "additional"
                continue
            decision = await self._until(
                Waiting("unfilled", f"unfilled decision for {post.post}", post=post.post),
                lambda: self._ready(self._unfilled_decisions.pop(post.post, None)))
            if decision == "reduce":
                break
            additional = 0  # reelect: a fresh set of rounds among those not elected
            pool = [c for c in candidates if c.person_id not in chosen]
            seats, kind = remaining, "additional"
        return elected

    async def _report(self, ref: ElectionRef) -> None:
        inp = self._require_input()
        committee = inp.committee_id or inp.street_id
        for post, people in self._elected.items():
            for person in people:
                await self._call("request_approval", ApprovalInput(
                    inp.election_id, ref.workflow_id, inp.community_id, inp.street_id, committee,
                    post, person, 1), ApprovalState)
        state: ApprovalsState = await self._until(
            Waiting("approval", "approval"),
            lambda: self._when(self._call("approvals_state", ref, ApprovalsState),
                               lambda s: all(a.status != "pending" for a in s.approvals)))
        rejected = [a for a in state.approvals if a.status == "rejected"]
        if rejected:
            raise ElectionStopped("A2: re-election after a rejected approval is not available yet: "
                                  + ", ".join(f"{a.post} {a.name}" for a in rejected))
        for post in self._elected:
            approved = [a.person_id for a in state.approvals
                        if a.post == post and a.status in ("approved", "filed")]
            stage = "filed" if post == "member" else "approved"
            await self._call("advance_stage", StageInput(
                inp.election_id, post, stage, approved, ["A1"], "elected",
                self._key("stage-" + stage + "-" + post)))

    # ---- helpers --------------------------------------------------------------------------
    def _congress_order(self) -> list[PostPlan]:
        order = ["secretary", "deputy_secretary", "member"]
        return sorted(self._posts, key=lambda p: order.index(p.post) if p.post in order else 9)

    async def _vote(self, meeting_id: str, post: str, kind: str, seats: int,
                    pool: list[Candidate], wait_kind: str, label: str) -> RoundState:
        rnd = await self._open_round(meeting_id, post, kind, seats, pool)
        return await self._until(
            Waiting(wait_kind, label, post=post, meeting_id=meeting_id, round_id=rnd.round_id),
            lambda: self._when(self._call("round_state", rnd.round_id, RoundState),
                               lambda r: r.status == "counted"))

    async def _open_round(self, meeting_id: str, post: str, kind: str, seats: int,
                          pool: list[Candidate]) -> RoundState:
        inp = self._require_input()
        return await self._call("open_round", OpenRoundInput(
            inp.election_id, meeting_id, post, kind, seats, pool,
            self._key(f"round-{post}-{kind}")), RoundState)

    async def _notice(self, ref: ElectionRef, kind: str, title: str, funnel: Funnel) -> None:
        """O1: publish, then let the period run; paused time does not count. O2: objections
        filed meanwhile hold the step until the street committee decides them."""
        days = int(self._params.get("notice_days", 5))
        names = [c.name for cs in funnel.lists.values() for c in cs]
        await self._call("publish_notice", NoticeInput(ref.election_id, kind, title,
                                                       f"公示期{days}天 / {days} days", names, days))
        remaining = days * self._require_input().day_seconds
        while remaining > 0:
            await self._unpaused()
            started = workflow.time()
            ends = workflow.now() + timedelta(seconds=remaining)
            self._set_waiting(Waiting("notice", f"{kind} notice period", notice=kind,
                                      deadline=ends.isoformat()))
            try:
                await workflow.wait_condition(lambda: self._paused or bool(self._aborted),
                                              timeout=remaining)
            except TimeoutError:
                break
            self._check_aborted()
            remaining -= workflow.time() - started
        self._set_waiting(None)
        await self._until(Waiting("objections", f"objection decisions on the {kind} notice",
                                  notice=kind),
                          lambda: self._when(self._call("objection_state", ref, ObjectionState),
                                             lambda s: s.pending == 0))

    async def _until(self, waiting: Waiting, check: Callable[[], Awaitable[T | None]]) -> T:
        """Wait for people: read the facts, and if not there yet sleep until a wake-up."""
        announced = False
        while True:
            await self._unpaused()
            seen = self._wakes
            result = await check()
            if result is not None:
                if announced:
                    self._set_waiting(None)
                return result
            if not announced:  # only what is really awaited is shown as waiting
                self._set_waiting(waiting)
                announced = True
            await workflow.wait_condition(lambda seen=seen: self._wakes != seen)
            self._check_aborted()

    async def _when(self, value: Awaitable[T], accept: Callable[[T], bool]) -> T | None:
        result = await value
        return result if accept(result) else None

    async def _ready(self, value: T | None) -> T | None:
        return value

    async def _meeting_when(self, meeting_id: str,
                            accept: Callable[[MeetingState], bool]) -> MeetingState | None:
        return await self._when(self._call("meeting_state", meeting_id, MeetingState), accept)

    async def _unpaused(self) -> None:
        self._check_aborted()
        if self._paused:
            await workflow.wait_condition(lambda: not self._paused or bool(self._aborted))
            self._check_aborted()

    def _check_aborted(self) -> None:
        if self._aborted:
            raise ElectionStopped(f"aborted: {self._aborted}")

    async def _call(self, name: str, arg: Any, result_type: type[T] | None = None) -> T:
        self._check_aborted()
        return await workflow.execute_activity(
            name, arg, result_type=result_type,
            start_to_close_timeout=timedelta(seconds=60),
            retry_policy=RetryPolicy(initial_interval=timedelta(milliseconds=200),
                                     maximum_interval=timedelta(seconds=5),
                                     non_retryable_error_types=NOT_RETRYABLE))

    def _key(self, purpose: str) -> str:
        self._keys += 1
        return f"{workflow.info().workflow_id}/{self._keys}/{purpose}"

    def _require_input(self) -> ElectionInput:
        assert self._inp is not None
        return self._inp

    def _set_waiting(self, waiting: Waiting | None) -> None:
        self._waiting = waiting
        self._bump()

    def _bump(self) -> None:
        self._version += 1

    def _begin(self, step: int) -> None:
        self._step = step
        self._timeline[step - 1] = replace(self._timeline[step - 1], status="active",
                                           started_at=workflow.now().isoformat())
        self._bump()

    def _finish(self, step: int) -> None:
        self._timeline[step - 1] = replace(self._timeline[step - 1], status="done",
                                           ended_at=workflow.now().isoformat())
        self._bump()

