"""CommunityElectionWorkflow: the eight steps of one community's election.

The workflow decides order and waiting; it never does I/O, reads no clock but Temporal's and
runs no rule engine. People act through the services; a service stores the fact and sends a
``wake`` signal; the workflow treats the signal as a wake-up only and reads the authoritative
state back through an activity, so a duplicated or lost-and-retried signal does no harm.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any, TypeVar

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

from core.errors import NOT_RETRYABLE
from core.vocabulary import POSTS
from core.vocabulary import STEPS as STEP_TABLE
from workflows.election.types import (
    WAKE_SIGNAL,
    ApprovalInput,
    ApprovalsState,
    ApprovalState,
    Candidate,
    CloseMeeting,
    CloseNoticeInput,
    ElectionInput,
    ElectionRef,
    ElectionStatus,
    Funnel,
    InspectionInput,
    InspectionState,
    MeetingState,
    NominationState,
    NoticeInput,
    NoticeRelease,
    ObjectionState,
    OpenMeetingInput,
    OpenRoundInput,
    ParentSignal,
    PauseInput,
    PlanState,
    PostPlan,
    ReduceInput,
    RoundState,
    ShortlistInput,
    StageInput,
    StageQuery,
    StepRecord,
    Verdict,
    Waiting,
)

T = TypeVar("T")

STEPS = tuple((n, name) for n, name, _ in STEP_TABLE)
RETRY = RetryPolicy(initial_interval=timedelta(milliseconds=200),
                    maximum_interval=timedelta(seconds=5),
                    non_retryable_error_types=list(NOT_RETRYABLE))
# Elections started since this patch call their (short) activities as local activities: run in
# the worker inside the workflow task, their results recorded in history as markers, no server
# round trip per call. Elections whose history lacks the marker keep regular activities.
LOCAL_ACTIVITIES = "local-activities-1"
# A notice is closed at the end of its period, so that an objection cannot slip in after the
# workflow read the objections (O2). Elections whose history lacks the marker do not close.
NOTICE_CLOSES = "notice-closes-1"


def _checked_in(m: MeetingState) -> bool:
    return m.status != "checking_in"


def _counted(r: RoundState) -> bool:
    return r.status == "counted"


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
        self._sessions: dict[str, int] = {}
        self._wait_seq = 0
        self._parent_signals: list[asyncio.Future[None]] = []
        self._inspected: dict[str, list[Candidate]] = {}
        self._excluded: dict[str, set[str]] = {}
        self._attempts: dict[str, int] = {}
        self._plenary_elected: set[str] = set()
        self._elected_partial: dict[str, list[Candidate]] = {}
        self._local = False
        self._notices = 0          # notice periods begun; a client holds each one at most once
        self._notice_held = 0      # the notice period a client holds (0: none)
        self._notice_hold_used = 0

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
            self._tell_parent()

    @workflow.signal
    def resume(self, inp: PauseInput) -> None:
        if self._paused:
            self._paused = False
            self._pause_reason = ""
            self._bump()
            self._tell_parent()

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
    async def await_turn(self, acted_seq: int, skip: list[str] | None = None,
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
        skipped = set(skip or ())
        await workflow.wait_condition(
            lambda: self._status != "running" or (
                self._waiting is not None and not self._paused
                and self._waiting.seq > acted_seq and self._waiting.kind not in skipped))
        w = self._waiting
        if (self._status == "running" and w is not None and w.kind == "notice"
                and w.notice in (hold_notices or ()) and self._notice_hold_used != self._notices):
            self._notice_held = self._notice_hold_used = self._notices
        return self.status()

    @workflow.signal
    def release_notice(self, inp: NoticeRelease) -> None:
        """The client that held a notice period (``await_turn``) has acted: the clock runs on."""
        if self._notice_held and (self._waiting is None or self._waiting.notice == inp.notice):
            self._notice_held = 0

    @workflow.update
    async def decide_unfilled(self, post: str, decision: str) -> str:
        """The street committee's answer for a post that stayed unfilled (M7): reduce | reelect.
        ``reduce`` is refused where the committee would fall below P1's minimum size."""
        if decision == "reduce":
            filled = len(self._elected.get(post, [])) + len(self._elected_partial.get(post, []))
            posts = [replace(p, seats=filled) if p.post == post else p for p in self._posts]
            verdict: Verdict = await self._call(
                "check_reduce", ReduceInput(self._require_input().election_id, posts), Verdict)
            if not verdict.ok:
                raise ApplicationError(f"[{verdict.rule}] decision: {verdict.reason}",
                                       type="RuleViolation")
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
        self._local = workflow.patched(LOCAL_ACTIVITIES)
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
        self._tell_parent(final=True)
        await workflow.wait_condition(workflow.all_handlers_finished)
        if self._parent_signals:
            await asyncio.gather(*self._parent_signals, return_exceptions=True)
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
        qualified = await self._stage_lists("qualified", self._posts)
        await self._notice(ref, "registrants", "报名人选公示 / registrants", qualified)
        qualified = await self._stage_lists("qualified", self._posts)
        self._finish(3)

        funnel_posts = [p for p in self._posts if not self._by_plenary(p.post)]
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

    # ---- step bodies ----------------------------------------------------------------------
    async def _plan_if_approved(self, ref: ElectionRef) -> PlanState | None:
        plan: PlanState = await self._call("plan_state", ref, PlanState)
        return plan if plan.status == "approved" else None

    def _by_plenary(self, post: str) -> bool:
        """P7 national: the new committee's first plenary elects the secretary and deputies."""
        return self._params.get("congress_order") == "plenary" and post != "member"

    async def _stage_lists(self, stage: str, posts: list[PostPlan]) -> Funnel:
        funnel: Funnel = await self._call(
            "funnel", StageQuery(self._require_input().election_id, stage), Funnel)
        wanted = {p.post for p in posts}
        return Funnel({p: people for p, people in funnel.lists.items() if p in wanted})

    def _session(self, kind: str) -> int:
        self._sessions[kind] = self._sessions.get(kind, 0) + 1
        return self._sessions[kind]

    async def _recommend(self, ref: ElectionRef, posts: list[PostPlan], qualified: Funnel,
                         from_stage: str) -> Funnel:
        """Step 4: the recommendation meeting, the shortlist (M8-M10) and its notice (O1, O2)."""
        inp = self._require_input()
        before = self._wakes
        meeting: MeetingState = await self._call("open_meeting", OpenMeetingInput(
            inp.election_id, ref.workflow_id, "recommendation", self._session("recommendation"),
            inp.profile, inp.overrides), MeetingState)
        mid = meeting.meeting_id
        await self._until(Waiting("recommendation_checkin", "recommendation meeting check-in",
                                  meeting_id=mid),
                          lambda: self._meeting_when(mid, _checked_in),
                          self._known(before, meeting, _checked_in))
        for post in posts:
            people = qualified.lists.get(post.post, [])
            if not people:
                continue
            await self._open_round(mid, post.post, "recommendation", post.seats, people)
            await self._open_round(mid, post.post, "trust", len(people), people)
        await self._until(Waiting("recommendation", "recommendation meeting", meeting_id=mid),
                          lambda: self._meeting_when(mid, lambda m: m.status == "closed"))
        shortlist: Funnel = await self._call("decide_shortlist", ShortlistInput(
            inp.election_id, mid, inp.profile, inp.overrides, posts, from_stage), Funnel)
        await self._notice(ref, "shortlist", "初步推荐人选公示 / shortlist", shortlist)
        return await self._stage_lists("shortlisted", posts)

    async def _inspect(self, posts: list[PostPlan], shortlisted: Funnel) -> Funnel:
        """Step 5: an inspection record per shortlisted person; the list narrowed (P4)."""
        inp = self._require_input()
        state: InspectionState = await self._until(
            Waiting("inspection", "inspection"),
            lambda: self._when(self._call("inspection_state", InspectionInput(
                inp.election_id, posts, shortlisted.lists), InspectionState),
                lambda s: s.missing == 0))
        for post, people in state.inspected.items():
            self._inspected[post] = list(people)
        return Funnel(state.inspected)

    async def _committee_vote(self, ref: ElectionRef, posts: list[PostPlan], inspected: Funnel,
                              from_stage: str) -> Funnel:
        """Step 6: the street committee's competitive vote (M11) and the candidate notice."""
        inp = self._require_input()
        while True:
            before = self._wakes
            meeting: MeetingState = await self._call("open_meeting", OpenMeetingInput(
                inp.election_id, ref.workflow_id, "committee", self._session("committee"),
                inp.profile, inp.overrides), MeetingState)
            mid = meeting.meeting_id
            meeting = await self._until(
                Waiting("committee_session", "committee session", meeting_id=mid),
                functools.partial(self._meeting_when, mid, _checked_in),
                self._known(before, meeting, _checked_in))
            if meeting.quorum_met:
                break
        for post in posts:
            pool = inspected.lists.get(post.post, [])
            by_id = {c.person_id: c for c in pool}
            selected: list[Candidate] = []
            kind, seats = "regular", post.candidates
            while pool and seats > 0:
                rnd = await self._vote(mid, post.post, kind, seats, pool, "committee_round",
                                       f"committee round for {post.post}")
                if rnd.void:
                    kind = "repeat"
                    continue
                selected += [by_id[p] for p in rnd.elected if p in by_id]
                if rnd.tied:  # M11: a tie at the cut is voted again among the tied
                    pool = [by_id[p] for p in rnd.tied if p in by_id]
                    seats = post.candidates - len(selected)
                    kind = "tie"
                    continue
                break
            await self._call("advance_stage", StageInput(
                inp.election_id, post.post, "candidate", [c.person_id for c in selected],
                ["M11"], from_stage, self._key("stage-candidate-" + post.post)))
        await self._call("close_meeting", CloseMeeting(mid, self._key("close")))
        candidates = await self._stage_lists("candidate", posts)
        await self._notice(ref, "candidates", "候选人预备人选公示 / prospective candidates",
                           candidates)
        return await self._stage_lists("candidate", posts)

    async def _elect(self, ref: ElectionRef, posts: list[PostPlan], candidates: Funnel) -> None:
        """Step 7: the congress (M1-M7) in the P7 order, the plenary where the profile says so,
        the results announced; a post sent back (M7 reelect, O2 on the results) is elected again."""
        pending = self._congress_order(posts)
        reelect: list[PostPlan] = []
        max_additional = int(self._params.get("max_additional_rounds", 2))
        while pending:
            mid = await self._convene("congress", "congress session")
            while pending:
                post = pending.pop(0)
                taken = {c.person_id for cs in self._elected.values() for c in cs}
                pool = [c for c in candidates.lists.get(post.post, []) if c.person_id not in taken]
                elected, again = await self._elect_post(mid, post, pool, max_additional,
                                                        "congress_round", "congress round")
                await self._record_elected(post, elected)
                if again:
                    reelect.append(post)
            await self._call("close_meeting", CloseMeeting(mid, self._key("close")))
        plenary_posts = [p for p in self._congress_order(self._posts) if self._by_plenary(p.post)
                         and len(self._elected.get(p.post, [])) < p.seats]
        if plenary_posts:
            await self._plenary(ref, plenary_posts)
        await self._results_notice(ref)
        for post in reelect:
            await self._rerun(ref, post)

    async def _convene(self, kind: str, label: str, electorate: list[Candidate] | None = None) -> str:
        """M1: a session below quorum cannot elect; a new one is convened until one sits."""
        inp = self._require_input()
        while True:
            before = self._wakes
            meeting: MeetingState = await self._call("open_meeting", OpenMeetingInput(
                inp.election_id, workflow.info().workflow_id, kind, self._session(kind),
                inp.profile, inp.overrides, list(electorate or [])), MeetingState)
            mid = meeting.meeting_id
            meeting = await self._until(
                Waiting(f"{kind}_session", label, meeting_id=mid),
                functools.partial(self._meeting_when, mid, _checked_in),
                self._known(before, meeting, _checked_in))
            if meeting.quorum_met:
                return mid

    async def _plenary(self, ref: ElectionRef, posts: list[PostPlan]) -> None:
        members = list(self._elected.get("member", []))
        mid = await self._convene("plenary", "plenary session", members)
        for post in posts:
            taken = {c.person_id for p, cs in self._elected.items() if p != "member" for c in cs}
            pool = [c for c in members if c.person_id not in taken]
            elected, _ = await self._elect_post(mid, post, pool, 0, "plenary_round",
                                                "plenary round")
            self._elected[post.post] = elected
            self._plenary_elected.add(post.post)
            self._bump()
        await self._call("close_meeting", CloseMeeting(mid, self._key("close")))

    async def _record_elected(self, post: PostPlan, elected: list[Candidate]) -> None:
        self._elected[post.post] = self._elected.get(post.post, []) + elected
        self._bump()
        await self._call("advance_stage", StageInput(
            self._require_input().election_id, post.post, "elected",
            [c.person_id for c in self._elected[post.post]], ["M5"], "",
            self._key("stage-elected-" + post.post)))

    async def _elect_post(self, meeting_id: str, post: PostPlan, candidates: list[Candidate],
                          max_additional: int, wait_kind: str,
                          label: str) -> tuple[list[Candidate], bool]:
        """Rounds for one post until its seats are filled or the street committee decides.
        Returns the elected and whether the post goes back for a new election (reelect)."""
        by_id = {c.person_id: c for c in candidates}
        seats_total = post.seats - len(self._elected.get(post.post, []))
        elected: list[Candidate] = []
        pool, seats, kind = list(candidates), seats_total, "regular"
        additional = 0
        while pool and seats > 0:
            rnd = await self._vote(meeting_id, post.post, kind, seats, pool, wait_kind,
                                   f"{label} for {post.post}")
            if rnd.void:  # M2: held again
                kind = "repeat"
                continue
            elected += [by_id[p] for p in rnd.elected if p in by_id]
            if rnd.tied:  # M6: a new round among the tied only
                pool = [by_id[p] for p in rnd.tied if p in by_id]
                seats = seats_total - len(elected)
                kind = "tie"
                continue
            remaining = seats_total - len(elected)
            if remaining <= 0:
                break
            chosen = {c.person_id for c in elected}
            if additional < max_additional:  # M7: an additional round for the unfilled seats
                additional += 1
                pool = [c for c in candidates if c.person_id not in chosen]
                seats, kind = remaining, "additional"
                continue
            self._elected_partial = {post.post: elected}
            decision = await self._until(
                Waiting("unfilled", f"unfilled decision for {post.post}", post=post.post),
                lambda: self._ready(self._unfilled_decisions.pop(post.post, None)))
            self._elected_partial = {}
            if decision == "reduce":
                self._posts = [replace(p, seats=len(self._elected.get(p.post, [])) + len(elected))
                               if p.post == post.post else p for p in self._posts]
                return elected, False
            return elected, True
        return elected, False

    async def _results_notice(self, ref: ElectionRef) -> None:
        """O1: the results are published too; an upheld objection (O2) sends the post back."""
        before = {p: list(cs) for p, cs in self._elected.items()}
        names = Funnel({p: cs for p, cs in self._elected.items()})
        await self._notice(ref, "results", "选举结果公示 / results", names)
        removed = await self._call("funnel", StageQuery(ref.election_id, "rejected"), Funnel)
        gone = {(p, c.person_id) for p, cs in removed.lists.items() for c in cs}
        for post, people in before.items():
            kept = [c for c in people if (post, c.person_id) not in gone]
            if len(kept) != len(people):
                self._elected[post] = kept
                self._bump()
                plan = next(p for p in self._posts if p.post == post)
                await self._rerun(ref, plan)

    async def _report(self, ref: ElectionRef) -> None:
        """Step 8: approvals (批准) and filings (备案), A1; a rejected post is elected again, A2."""
        inp = self._require_input()
        committee = inp.committee_id or inp.street_id
        while True:
            for post, people in self._elected.items():
                for person in people:
                    await self._call("request_approval", ApprovalInput(
                        inp.election_id, ref.workflow_id, inp.community_id, inp.street_id,
                        committee, post, person, self._attempts.get(post, 1)), ApprovalState)
            state: ApprovalsState = await self._until(
                Waiting("approval", "approval"),
                lambda: self._when(self._call("approvals_state", ref, ApprovalsState),
                                   lambda s: all(a.status != "pending" for a in s.approvals)))
            current = {(p, c.person_id) for p, cs in self._elected.items() for c in cs}
            rejected = [a for a in state.approvals
                        if a.status == "rejected" and (a.post, a.person_id) in current]
            if not rejected:
                break
            self._begin(8)
            for plan in self._congress_order(self._posts):
                out = [a.person_id for a in rejected if a.post == plan.post]
                if not out:
                    continue
                self._excluded.setdefault(plan.post, set()).update(out)
                self._elected[plan.post] = [c for c in self._elected[plan.post]
                                            if c.person_id not in out]
                self._attempts[plan.post] = self._attempts.get(plan.post, 1) + 1
                self._bump()
                await self._rerun(ref, plan)
            self._step = 8
            self._bump()
        for post, people in self._elected.items():
            if post in self._plenary_elected:
                continue
            stage = "filed" if post == "member" else "approved"
            await self._call("advance_stage", StageInput(
                inp.election_id, post, stage, [c.person_id for c in people], ["A1"], "elected",
                self._key("stage-" + stage + "-" + post)))

    async def _rerun(self, ref: ElectionRef, post: PostPlan) -> None:
        """A2: the post is elected again without the persons sent back: from the committee vote
        when enough inspected persons remain, otherwise from the recommendation meeting; a new
        congress session elects it."""
        seats = post.seats - len(self._elected.get(post.post, []))
        if seats <= 0:
            return
        if self._by_plenary(post.post):
            await self._plenary(ref, [post])
            return
        need = PostPlan(post.post, seats,
                        shortlist=max(seats + 3, -(-post.shortlist * seats // post.seats)),
                        inspected=max(seats + 2, -(-post.inspected * seats // post.seats)),
                        candidates=max(seats + 1, -(-post.candidates * seats // post.seats)))
        excluded = set(self._excluded.get(post.post, set()))
        excluded |= {c.person_id for cs in self._elected.values() for c in cs}
        remaining = [c for c in self._inspected.get(post.post, []) if c.person_id not in excluded]
        resume_step = self._step
        if len(remaining) < need.candidates:
            qualified = await self._stage_lists("", [post])
            pool = [c for c in qualified.lists.get(post.post, []) if c.person_id not in excluded]
            self._begin(4)
            shortlisted = await self._recommend(ref, [need], Funnel({post.post: pool}), "")
            self._finish(4)
            self._begin(5)
            remaining = (await self._inspect([need], shortlisted)).lists.get(post.post, [])
            self._finish(5)
        self._begin(6)
        candidates = await self._committee_vote(ref, [need], Funnel({post.post: remaining}), "")
        self._finish(6)
        self._begin(7)
        await self._elect(ref, [post], candidates)
        self._finish(7)
        self._step = resume_step
        self._bump()

    # ---- helpers --------------------------------------------------------------------------
    def _congress_order(self, posts: list[PostPlan]) -> list[PostPlan]:
        return sorted(posts, key=lambda p: POSTS.index(p.post) if p.post in POSTS else 9)

    async def _vote(self, meeting_id: str, post: str, kind: str, seats: int,
                    pool: list[Candidate], wait_kind: str, label: str) -> RoundState:
        before = self._wakes
        rnd = await self._open_round(meeting_id, post, kind, seats, pool)
        return await self._until(
            Waiting(wait_kind, label, post=post, meeting_id=meeting_id, round_id=rnd.round_id),
            lambda: self._when(self._call("round_state", rnd.round_id, RoundState), _counted),
            self._known(before, rnd, _counted))

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
        self._notices += 1
        released = False
        while remaining > 0:
            await self._unpaused()
            if self._notice_held:  # a simulation's client acts in no simulated time
                await workflow.wait_condition(lambda: not self._notice_held or bool(self._aborted))
                self._check_aborted()
                released = True
                continue
            started = workflow.time()
            ends = workflow.now() + timedelta(seconds=remaining)
            if released and self._waiting is not None and self._waiting.notice == kind:
                # the same wait, its deadline moved: the client that held it is not asked again
                self._waiting = replace(self._waiting, deadline=ends.isoformat())
                self._bump()
            else:
                self._set_waiting(Waiting("notice", f"{kind} notice period", notice=kind,
                                          deadline=ends.isoformat()))
            released = False
            try:
                await workflow.wait_condition(
                    lambda: self._paused or bool(self._notice_held) or bool(self._aborted),
                    timeout=remaining)
            except TimeoutError:
                break
            self._check_aborted()
            remaining -= workflow.time() - started
        # a hold asked for in the same workflow task as the period ended holds nothing more:
        # left set, it would stop the next notice's clock for a release that may never come
        self._notice_held = 0
        self._set_waiting(None)
        if workflow.patched(NOTICE_CLOSES):
            await self._call("close_notice", CloseNoticeInput(ref.election_id, kind))
        await self._until(Waiting("objections", f"objection decisions on the {kind} notice",
                                  notice=kind),
                          lambda: self._when(self._call("objection_state", ref, ObjectionState),
                                             lambda s: s.pending == 0))

    async def _until(self, waiting: Waiting, check: Callable[[], Awaitable[T | None]],
                     known: tuple[int, T | None] | None = None) -> T:
        """Wait for people: read the facts, and if not there yet sleep until a wake-up.
        ``known`` (see ``_known``) stands for the first read while no wake-up came since."""
        announced = False
        while True:
            await self._unpaused()
            if known is not None and known[0] == self._wakes:
                seen, result = known
            else:
                seen = self._wakes
                result = await check()
            known = None
            if result is not None:
                if announced:
                    self._set_waiting(None)
                return result
            if not announced:  # only what is really awaited is shown as waiting
                self._set_waiting(waiting)
                announced = True
            await workflow.wait_condition(self._woken_since(seen))
            self._check_aborted()

    def _woken_since(self, seen: int) -> Callable[[], bool]:
        return lambda: self._wakes != seen

    def _known(self, before: int, value: T, accept: Callable[[Any], bool]
               ) -> tuple[int, T | None] | None:
        """What the call that opened a meeting or round answered, as the first read of the wait
        that follows: valid while no wake-up has come since ``before`` (taken before the call),
        since every change made after the opening sends one. Saves a read per meeting and round
        (elections on local activities only: the others keep their recorded commands)."""
        if not self._local:
            return None
        return before, (value if accept(value) else None)

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
        if self._local:
            return await workflow.execute_local_activity(
                name, arg, result_type=result_type,
                start_to_close_timeout=timedelta(seconds=60), retry_policy=RETRY)
        return await workflow.execute_activity(
            name, arg, result_type=result_type,
            start_to_close_timeout=timedelta(seconds=60), retry_policy=RETRY)

    def _key(self, purpose: str) -> str:
        self._keys += 1
        return f"{workflow.info().workflow_id}/{self._keys}/{purpose}"

    def _require_input(self) -> ElectionInput:
        assert self._inp is not None
        return self._inp

    def _set_waiting(self, waiting: Waiting | None) -> None:
        if waiting is not None:
            self._wait_seq += 1
            waiting = replace(waiting, seq=self._wait_seq)
        self._waiting = waiting
        self._bump()

    def _bump(self) -> None:
        self._version += 1

    def _begin(self, step: int) -> None:
        self._step = step
        self._timeline[step - 1] = replace(self._timeline[step - 1], status="active",
                                           started_at=workflow.now().isoformat())
        self._bump()
        self._tell_parent()

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
        if parent is None or self._inp is None:
            return
        if self._local and not final:
            self._parent_signals.append(asyncio.ensure_future(workflow.execute_local_activity(
                "tell_parent", ParentSignal(parent.workflow_id, self._summary()),
                start_to_close_timeout=timedelta(seconds=30), retry_policy=RETRY)))
            return
        handle = workflow.get_external_workflow_handle(parent.workflow_id, run_id=None)
        self._parent_signals.append(asyncio.ensure_future(
            handle.signal("child_progress", self._summary())))

    def _summary(self) -> dict[str, Any]:
        assert self._inp is not None
        started = [t.started_at for t in self._timeline if t.started_at]
        ended = [t.ended_at for t in self._timeline if t.ended_at]
        summary = {
            "election_id": self._inp.election_id, "community_id": self._inp.community_id,
            "street_id": self._inp.street_id, "status": self._status, "step": self._step,
            "paused": self._paused, "waiting": self._waiting.kind if self._waiting else "",
            "deadline": self._waiting.deadline if self._waiting else "", "error": self._error,
            "started_at": started[0] if started else "",
            "ended_at": ended[-1] if ended and self._status != "running" else "",
            "version": self._version}
        return summary

    def _finish(self, step: int) -> None:
        self._timeline[step - 1] = replace(self._timeline[step - 1], status="done",
                                           ended_at=workflow.now().isoformat())
        self._bump()

