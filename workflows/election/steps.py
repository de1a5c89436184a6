"""The bodies of steps 4 to 8: the meetings and rounds, the notices between them, approvals,
and a post elected again (M7 reelect, O2 on the results, A2)."""

from __future__ import annotations

import functools
from dataclasses import replace

from temporalio import workflow

from core.vocabulary import POSTS
from workflows.election.base import ElectionBase, checked_in, counted
from workflows.election.types import (
    ApprovalInput,
    Candidate,
    CloseMeeting,
    ElectionRef,
    Funnel,
    InspectionInput,
    OpenMeetingInput,
    OpenRoundInput,
    PlanState,
    PostPlan,
    RoundState,
    ShortlistInput,
    StageInput,
    StageQuery,
    Waiting,
)

with workflow.unsafe.imports_passed_through():
    from workflows.election.activities import ElectionActivities

# A person an upheld objection on the results removed (O2) does not stand again when the post
# is elected anew. Elections whose history lacks the marker keep their recorded pools (they
# offered that person to the committee again).
RESULTS_OBJECTION_EXCLUDES = "results-objection-excludes-1"


class ElectionSteps(ElectionBase):
    async def _plan_if_approved(self, ref: ElectionRef) -> PlanState | None:
        plan = await self._act(ElectionActivities.plan_state, ref)
        return plan if plan.status == "approved" else None

    def _by_plenary(self, post: str) -> bool:
        """P7 national: the new committee's first plenary elects the secretary and deputies."""
        return self.s.params.get("congress_order") == "plenary" and post != "member"

    async def _recommend(self, ref: ElectionRef, posts: list[PostPlan], qualified: Funnel,
                         from_stage: str) -> Funnel:
        """Step 4: the recommendation meeting, the shortlist (M8-M10) and its notice (O1, O2)."""
        inp = self.s.require_input()
        before = self.s.wakes
        meeting = await self._act(ElectionActivities.open_meeting, OpenMeetingInput(
            inp.election_id, ref.workflow_id, "recommendation", self.s.session("recommendation"),
            inp.profile, inp.overrides))
        mid = meeting.meeting_id
        await self._until(Waiting("recommendation_checkin", "recommendation meeting check-in",
                                  meeting_id=mid),
                          lambda: self._meeting_when(mid, checked_in),
                          self._known(before, meeting, checked_in))
        for post in posts:
            people = qualified.lists.get(post.post, [])
            if not people:
                continue
            await self._open_round(mid, post.post, "recommendation", post.seats, people)
            await self._open_round(mid, post.post, "trust", len(people), people)
        await self._until(Waiting("recommendation", "recommendation meeting", meeting_id=mid),
                          lambda: self._meeting_when(mid, lambda m: m.status == "closed"))
        shortlist = await self._act(ElectionActivities.decide_shortlist, ShortlistInput(
            inp.election_id, mid, inp.profile, inp.overrides, posts, from_stage))
        await self._notice(ref, "shortlist", "初步推荐人选公示 / shortlist", shortlist)
        return await self._stage_lists("shortlisted", posts)

    async def _inspect(self, posts: list[PostPlan], shortlisted: Funnel) -> Funnel:
        """Step 5: an inspection record per shortlisted person; the list narrowed (P4)."""
        inp = self.s.require_input()
        state = await self._until(
            Waiting("inspection", "inspection"),
            lambda: self._when(self._act(ElectionActivities.inspection_state, InspectionInput(
                inp.election_id, posts, shortlisted.lists)), lambda s: s.missing == 0))
        for post, people in state.inspected.items():
            self.s.inspected[post] = list(people)
        return Funnel(state.inspected)

    async def _committee_vote(self, ref: ElectionRef, posts: list[PostPlan], inspected: Funnel,
                              from_stage: str) -> Funnel:
        """Step 6: the street committee's competitive vote (M11) and the candidate notice."""
        inp = self.s.require_input()
        while True:  # M11: a session below quorum is followed by a new one
            before = self.s.wakes
            meeting = await self._act(ElectionActivities.open_meeting, OpenMeetingInput(
                inp.election_id, ref.workflow_id, "committee", self.s.session("committee"),
                inp.profile, inp.overrides))
            mid = meeting.meeting_id
            meeting = await self._until(
                Waiting("committee_session", "committee session", meeting_id=mid),
                functools.partial(self._meeting_when, mid, checked_in),
                self._known(before, meeting, checked_in))
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
            await self._act(ElectionActivities.advance_stage, StageInput(
                inp.election_id, post.post, "candidate", [c.person_id for c in selected],
                ["M11"], from_stage, self._key("stage-candidate-" + post.post)))
        await self._act(ElectionActivities.close_meeting, CloseMeeting(mid, self._key("close")))
        candidates = await self._stage_lists("candidate", posts)
        await self._notice(ref, "candidates", "候选人预备人选公示 / prospective candidates",
                           candidates)
        return await self._stage_lists("candidate", posts)

    async def _elect(self, ref: ElectionRef, posts: list[PostPlan], candidates: Funnel) -> None:
        """Step 7: the congress (M1-M7) in the P7 order, the plenary where the profile says so,
        the results announced; a post sent back (M7 reelect, O2 on the results) is elected again."""
        pending = self._congress_order(posts)
        reelect: list[PostPlan] = []
        max_additional = int(self.s.params.get("max_additional_rounds", 2))
        while pending:
            mid = await self._convene("congress", "congress session")
            while pending:
                post = pending.pop(0)
                taken = self.s.taken()
                pool = [c for c in candidates.lists.get(post.post, []) if c.person_id not in taken]
                elected, again = await self._elect_post(mid, post, pool, max_additional,
                                                        "congress_round", "congress round")
                await self._record_elected(post, elected)
                if again:
                    reelect.append(post)
            await self._act(ElectionActivities.close_meeting, CloseMeeting(mid, self._key("close")))
        plenary_posts = [p for p in self._congress_order(self.s.posts) if self._by_plenary(p.post)
                         and len(self.s.elected.get(p.post, [])) < p.seats]
        if plenary_posts:
            await self._plenary(ref, plenary_posts)
        await self._results_notice(ref)
        for post in reelect:
            await self._rerun(ref, post)

    async def _convene(self, kind: str, label: str, electorate: list[Candidate] | None = None) -> str:
        """M1: a session below quorum cannot elect; a new one is convened until one sits."""
        inp = self.s.require_input()
        while True:
            before = self.s.wakes
            meeting = await self._act(ElectionActivities.open_meeting, OpenMeetingInput(
                inp.election_id, workflow.info().workflow_id, kind, self.s.session(kind),
                inp.profile, inp.overrides, list(electorate or [])))
            mid = meeting.meeting_id
            meeting = await self._until(
                Waiting(f"{kind}_session", label, meeting_id=mid),
                functools.partial(self._meeting_when, mid, checked_in),
                self._known(before, meeting, checked_in))
            if meeting.quorum_met:
                return mid

    async def _plenary(self, ref: ElectionRef, posts: list[PostPlan]) -> None:
        members = list(self.s.elected.get("member", []))
        mid = await self._convene("plenary", "plenary session", members)
        for post in posts:
            taken = self.s.taken(but="member")
            pool = [c for c in members if c.person_id not in taken]
            elected, _ = await self._elect_post(mid, post, pool, 0, "plenary_round",
                                                "plenary round")
            self.s.elected[post.post] = elected
            self.s.plenary_elected.add(post.post)
            self.s.bump()
        await self._act(ElectionActivities.close_meeting, CloseMeeting(mid, self._key("close")))

    async def _record_elected(self, post: PostPlan, elected: list[Candidate]) -> None:
        self.s.elected[post.post] = self.s.elected.get(post.post, []) + elected
        self.s.bump()
        await self._act(ElectionActivities.advance_stage, StageInput(
            self.s.require_input().election_id, post.post, "elected",
            [c.person_id for c in self.s.elected[post.post]], ["M5"], "",
            self._key("stage-elected-" + post.post)))

    async def _elect_post(self, meeting_id: str, post: PostPlan, candidates: list[Candidate],
                          max_additional: int, wait_kind: str,
                          label: str) -> tuple[list[Candidate], bool]:
        """Rounds for one post until its seats are filled or the street committee decides.
        Returns the elected and whether the post goes back for a new election (reelect)."""
        by_id = {c.person_id: c for c in candidates}
        seats_total = post.seats - len(self.s.elected.get(post.post, []))
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
            self.s.elected_partial = {post.post: elected}
            decision = await self._until(
                Waiting("unfilled", f"unfilled decision for {post.post}", post=post.post),
                lambda: self._ready(self.s.unfilled_decisions.pop(post.post, None)))
            self.s.elected_partial = {}
            if decision == "reduce":
                self.s.posts = [
                    replace(p, seats=len(self.s.elected.get(p.post, [])) + len(elected))
                    if p.post == post.post else p for p in self.s.posts]
                return elected, False
            return elected, True
        return elected, False

    async def _results_notice(self, ref: ElectionRef) -> None:
        """O1: the results are published too; an upheld objection (O2) sends the post back."""
        before = {p: list(cs) for p, cs in self.s.elected.items()}
        names = Funnel({p: cs for p, cs in self.s.elected.items()})
        await self._notice(ref, "results", "选举结果公示 / results", names)
        removed = await self._act(ElectionActivities.funnel,
                                  StageQuery(ref.election_id, "rejected"))
        gone = {(p, c.person_id) for p, cs in removed.lists.items() for c in cs}
        for post, people in before.items():
            kept = [c for c in people if (post, c.person_id) not in gone]
            if len(kept) != len(people):
                self.s.elected[post] = kept
                if workflow.patched(RESULTS_OBJECTION_EXCLUDES):
                    self.s.excluded.setdefault(post, set()).update(
                        c.person_id for c in people if (post, c.person_id) in gone)
                self.s.bump()
                plan = next(p for p in self.s.posts if p.post == post)
                await self._rerun(ref, plan)

    async def _report(self, ref: ElectionRef) -> None:
        """Step 8: approvals (批准) and filings (备案), A1; a rejected post is elected again, A2."""
        s = self.s
        inp = s.require_input()
        committee = inp.committee_id or inp.street_id
        while True:
            for post, people in s.elected.items():
                for person in people:
                    await self._act(ElectionActivities.request_approval, ApprovalInput(
                        inp.election_id, ref.workflow_id, inp.community_id, inp.street_id,
                        committee, post, person, s.attempts.get(post, 1)))
            state = await self._until(
                Waiting("approval", "approval"),
                lambda: self._when(self._act(ElectionActivities.approvals_state, ref),
                                   lambda st: all(x.status != "pending" for x in st.approvals)))
            current = {(p, c.person_id) for p, cs in s.elected.items() for c in cs}
            rejected = [a for a in state.approvals
                        if a.status == "rejected" and (a.post, a.person_id) in current]
            if not rejected:
                break
            self._begin(8)
            for plan in self._congress_order(s.posts):
                out = [a.person_id for a in rejected if a.post == plan.post]
                if not out:
                    continue
                s.excluded.setdefault(plan.post, set()).update(out)
                s.elected[plan.post] = [c for c in s.elected[plan.post]
                                        if c.person_id not in out]
                s.attempts[plan.post] = s.attempts.get(plan.post, 1) + 1
                s.bump()
                await self._rerun(ref, plan)
            s.step = 8
            s.bump()
        for post, people in s.elected.items():
            if post in s.plenary_elected:
                continue
            stage = "filed" if post == "member" else "approved"
            await self._act(ElectionActivities.advance_stage, StageInput(
                inp.election_id, post, stage, [c.person_id for c in people], ["A1"], "elected",
                self._key("stage-" + stage + "-" + post)))

    async def _rerun(self, ref: ElectionRef, post: PostPlan) -> None:
        """A2: the post is elected again without the persons sent back: from the committee vote
        when enough inspected persons remain, otherwise from the recommendation meeting; a new
        congress session elects it."""
        s = self.s
        seats = post.seats - len(s.elected.get(post.post, []))
        if seats <= 0:
            return
        if self._by_plenary(post.post):
            await self._plenary(ref, [post])
            return
        need = PostPlan(post.post, seats,
                        shortlist=max(seats + 3, -(-post.shortlist * seats // post.seats)),
                        inspected=max(seats + 2, -(-post.inspected * seats // post.seats)),
                        candidates=max(seats + 1, -(-post.candidates * seats // post.seats)))
        excluded = set(s.excluded.get(post.post, set())) | s.taken()
        remaining = [c for c in s.inspected.get(post.post, []) if c.person_id not in excluded]
        resume_step = s.step
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
        s.step = resume_step
        s.bump()

    # ---- helpers --------------------------------------------------------------------------
    def _congress_order(self, posts: list[PostPlan]) -> list[PostPlan]:
        return sorted(posts, key=lambda p: POSTS.index(p.post) if p.post in POSTS else 9)

    async def _vote(self, meeting_id: str, post: str, kind: str, seats: int,
                    pool: list[Candidate], wait_kind: str, label: str) -> RoundState:
        before = self.s.wakes
        rnd = await self._open_round(meeting_id, post, kind, seats, pool)
        return await self._until(
            Waiting(wait_kind, label, post=post, meeting_id=meeting_id, round_id=rnd.round_id),
            lambda: self._when(self._act(ElectionActivities.round_state, rnd.round_id), counted),
            self._known(before, rnd, counted))

    async def _open_round(self, meeting_id: str, post: str, kind: str, seats: int,
                          pool: list[Candidate]) -> RoundState:
        inp = self.s.require_input()
        return await self._act(ElectionActivities.open_round, OpenRoundInput(
            inp.election_id, meeting_id, post, kind, seats, pool,
            self._key(f"round-{post}-{kind}")))
