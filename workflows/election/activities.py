"""Activities of the election workflows: a class holding the services' client bundle.

Activities read the authoritative state back from the services and apply the rules
(`rules/` runs here, never in workflow code). Every mutating call carries an idempotency key
derived from the workflow run and the activity ID, so Temporal's retries never duplicate.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import grpc
from temporalio import activity
from temporalio.exceptions import ApplicationError

import rules
from core.errors import BY_STATUS
from core.ids import (
    activity_call_key,
    approval_request_key,
    create_election_key,
    open_meeting_key,
)
from core.vocabulary import DEFAULT_PROFILE, POSTS
from proto import (
    approval_pb2,
    common_pb2,
    nomination_pb2,
    voting_pb2,
)
from rules.loading import profile_from_json
from services.common import anchors
from services.common.clients import ServiceCaller
from services.common.errors import describe_refusal
from workflows.election.types import (
    AnchorsQuery,
    ApprovalInput,
    ApprovalsState,
    ApprovalState,
    Candidate,
    CloseMeeting,
    CloseNoticeInput,
    ControlRecord,
    ElectionInput,
    ElectionRef,
    Funnel,
    InspectionInput,
    InspectionState,
    MeetingState,
    NominationState,
    NoticeAnchors,
    NoticeInput,
    ObjectionState,
    OpenMeetingInput,
    OpenRoundInput,
    PlanState,
    PostPlan,
    ReduceInput,
    RoundDigestState,
    RoundState,
    ShortlistInput,
    SignedHeadState,
    StageInput,
    StageQuery,
    Verdict,
)

R = TypeVar("R")


def _key(suffix: str = "") -> str:
    """Stable across retries of this activity, distinct for every activity of the run."""
    info = activity.info()
    return activity_call_key(info.workflow_id or "", info.workflow_run_id or "",
                             info.activity_id, suffix)


def _actor(scope: str = "") -> common_pb2.Actor:
    return common_pb2.Actor(role="system", scope=scope, name="workflow")


def refusal_text(exc: grpc.aio.AioRpcError) -> str:
    """A service's refusal as a person reads it: ``[RULE] field: message``."""
    return describe_refusal(exc)


async def _rpc(call: Awaitable[R]) -> R:
    """A refusal a retry cannot change becomes a non-retryable ``ApplicationError`` of its kind;
    anything else (UNAVAILABLE, DEADLINE_EXCEEDED, ...) is raised for Temporal to retry."""
    try:
        return await call
    except grpc.aio.AioRpcError as exc:
        kind = BY_STATUS.get(exc.code().name)
        if kind is not None and not kind.retryable:
            raise ApplicationError(refusal_text(exc), type=kind.type_name,
                                   non_retryable=True) from exc
        raise


def round_state(r: voting_pb2.Round) -> RoundState:
    return RoundState(round_id=r.round_id, post=r.post, kind=r.kind, status=r.status,
                      seats=r.seats, void=r.void, elected=list(r.elected), tied=list(r.tied),
                      unfilled=r.unfilled, rules=list(r.rules))


def meeting_state(m: voting_pb2.Meeting) -> MeetingState:
    return MeetingState(meeting_id=m.meeting_id, kind=m.kind, session=m.session, status=m.status,
                        expected=m.expected, present_members=m.present_members,
                        quorum_met=m.quorum_met, rounds=[round_state(r) for r in m.rounds])


class ElectionActivities(ServiceCaller):
    """The activities of one worker: one :class:`ServiceClients` bundle shared by all of them
    (channels opened on first use, inside the worker's event loop)."""

    def all(self) -> list[Callable[..., Any]]:
        return [self.register_election, self.plan_state, self.notice_anchors,
                self.publish_notice, self.close_notice,
                self.open_nominations, self.nomination_state, self.run_automatic_review,
                self.funnel, self.objection_state, self.open_meeting, self.meeting_state,
                self.open_round, self.round_state, self.close_meeting, self.decide_shortlist,
                self.inspection_state, self.advance_stage, self.request_approval,
                self.approvals_state, self.check_reduce, self.record_control]

    @activity.defn(name="record_control")
    async def record_control(self, inp: ControlRecord) -> None:
        """A control act (pause, resume, abort, an unfilled post's decision) into the
        election's chain, as the person who took it (the worker sends their role, scope,
        token ID and holder; the service names them in the record). The key is the
        workflow's own, so a retried or replayed call records once."""
        by = inp.by
        payload = {**inp.payload, "actor": by.label(), "holder": by.holder}
        await _rpc(self.nomination.RecordElectionEvent(nomination_pb2.RecordElectionEventRequest(
            idempotency_key=inp.key, election_id=inp.election_id, kind=inp.kind,
            actor=common_pb2.Actor(role=by.role or "system", scope=by.scope, name=by.holder,
                                   token_id=by.token_id),
            payload_json=json.dumps(payload, ensure_ascii=False, sort_keys=True))))

    async def _profile(self, election_id: str) -> tuple[nomination_pb2.Election, rules.Profile]:
        election = await _rpc(self.nomination.GetElection(
            nomination_pb2.GetElectionRequest(election_id=election_id)))
        return election, profile_from_json(election.profile or DEFAULT_PROFILE,
                                           election.overrides_json)

    # ---- step 1 / 2 / 3 -------------------------------------------------------------------
    @activity.defn(name="register_election")
    async def register_election(self, inp: ElectionInput) -> None:
        await _rpc(self.nomination.CreateElection(nomination_pb2.CreateElectionRequest(
            idempotency_key=create_election_key(inp.election_id), actor=_actor(),
            election=nomination_pb2.Election(
                election_id=inp.election_id, community_id=inp.community_id,
                community_name=inp.community_name, org_type=inp.org_type,
                street_id=inp.street_id, district_id=inp.district_id, profile=inp.profile,
                overrides_json=json.dumps(inp.overrides, sort_keys=True, ensure_ascii=False),
                workflow_id=activity.info().workflow_id))))

    @activity.defn(name="plan_state")
    async def plan_state(self, ref: ElectionRef) -> PlanState:
        try:
            plan = await self.nomination.GetPlan(
                nomination_pb2.GetPlanRequest(election_id=ref.election_id))
        except grpc.aio.AioRpcError as exc:
            if exc.code() == grpc.StatusCode.NOT_FOUND:
                return PlanState(status="none")
            raise
        _, profile = await self._profile(ref.election_id)
        posts = sorted(plan.posts, key=lambda p: POSTS.index(p.post))
        return PlanState(status=plan.status, params=json.loads(json.dumps(dict(profile.params))),
                         posts=[PostPlan(p.post, p.seats, p.shortlist, p.inspected, p.candidates)
                                for p in posts])

    @activity.defn(name="notice_anchors")
    async def notice_anchors(self, q: AnchorsQuery) -> NoticeAnchors:
        """Every service's chain head signed now (a chain that does not verify is not signed:
        the refusal names its seq and the notice is not published), and for a results notice
        every counted round's ballot-box digest, by meeting and number."""
        heads = await _rpc(anchors.signed_heads(self, q.election_id))
        out = NoticeAnchors(heads=[SignedHeadState(
            h.service, h.election_id, int(h.seq), h.head, h.signed_at, h.public_key,
            h.signature) for h in heads])
        if q.kind == "results":
            listed = await _rpc(self.voting.ListMeetings(
                voting_pb2.ListMeetingsRequest(election_id=q.election_id)))
            out.digests = [RoundDigestState(r.round_id, r.post, r.number, r.source,
                                            r.ballot_box_digest)
                           for m in listed.meetings
                           for r in sorted(m.rounds, key=lambda r: r.number)
                           if r.status == "counted" and r.ballot_box_digest]
        return out

    @activity.defn(name="publish_notice")
    async def publish_notice(self, inp: NoticeInput) -> None:
        await _rpc(self.nomination.PublishNotice(nomination_pb2.PublishNoticeRequest(
            idempotency_key=_key(), actor=_actor(), election_id=inp.election_id, kind=inp.kind,
            title=inp.title, body=inp.body, names=inp.names, days=inp.days,
            heads=[common_pb2.SignedHead(**vars(h)) for h in inp.heads],
            digests=[nomination_pb2.RoundDigest(**vars(d)) for d in inp.digests])))

    @activity.defn(name="close_notice")
    async def close_notice(self, inp: CloseNoticeInput) -> None:
        await _rpc(self.nomination.CloseNotice(nomination_pb2.CloseNoticeRequest(
            idempotency_key=_key(), actor=_actor(), election_id=inp.election_id,
            kind=inp.kind)))

    @activity.defn(name="open_nominations")
    async def open_nominations(self, ref: ElectionRef) -> None:
        await _rpc(self.nomination.OpenNominations(nomination_pb2.WindowRequest(
            idempotency_key=_key(), actor=_actor(), election_id=ref.election_id)))

    @activity.defn(name="nomination_state")
    async def nomination_state(self, ref: ElectionRef) -> NominationState:
        election = await _rpc(self.nomination.GetElection(
            nomination_pb2.GetElectionRequest(election_id=ref.election_id)))
        regs = await _rpc(self.nomination.ListRegistrations(
            nomination_pb2.ListRegistrationsRequest(election_id=ref.election_id)))
        pending = sum(1 for r in regs.registrations if r.review == "pending")
        return NominationState(window_status=election.window_status, pending_reviews=pending)

    @activity.defn(name="run_automatic_review")
    async def run_automatic_review(self, ref: ElectionRef) -> NominationState:
        await _rpc(self.nomination.RunAutomaticReview(nomination_pb2.AutomaticReviewRequest(
            idempotency_key=_key(), actor=_actor(), election_id=ref.election_id)))
        return await self.nomination_state(ref)

    @activity.defn(name="funnel")
    async def funnel(self, query: StageQuery) -> Funnel:
        regs = await _rpc(self.nomination.ListRegistrations(
            nomination_pb2.ListRegistrationsRequest(election_id=query.election_id,
                                                    stage=query.stage)))
        out = Funnel()
        for r in regs.registrations:
            # stage "" asks for everyone still in the running (A2: a post elected again)
            if r.held or (not query.stage and r.stage == "rejected"):
                continue
            out.lists.setdefault(r.post, []).append(Candidate(r.person_id, r.name))
        return out

    @activity.defn(name="objection_state")
    async def objection_state(self, ref: ElectionRef) -> ObjectionState:
        objections = await _rpc(self.nomination.ListObjections(
            nomination_pb2.ListObjectionsRequest(election_id=ref.election_id)))
        pending = [o for o in objections.objections if o.status == "pending"]
        return ObjectionState(pending=len(pending), held=[o.person_id for o in pending])

    # ---- meetings -------------------------------------------------------------------------
    @activity.defn(name="open_meeting")
    async def open_meeting(self, inp: OpenMeetingInput) -> MeetingState:
        electorate: list[voting_pb2.Elector] = [
            voting_pb2.Elector(person_id=c.person_id, name=c.name, expected=True,
                               **{"class": "member"})
            for c in inp.electorate]  # plenary: the members of the new committee
        if inp.kind in ("recommendation", "congress"):
            roster = await _rpc(self.nomination.ListRoster(
                nomination_pb2.ListRosterRequest(election_id=inp.election_id)))
            for person in roster.people:
                facts = rules.PersonFacts(status=person.status,
                                          own_organization=person.status != "guest_member")
                votes = rules.may_vote_at_congress(facts).ok  # E1 / E4
                if inp.kind == "congress" and not votes:
                    continue
                # E2: an exclusion lowers the expected attendance once the street committee
                # consented to it (DecideExclusions); until then the member is expected
                excluded = bool(person.excluded_reason) and \
                    person.exclusion_consent == "consented"
                electorate.append(voting_pb2.Elector(
                    person_id=person.person_id, name=person.name,
                    **{"class": "member" if votes else "other"},
                    expected=votes and not excluded))
        meeting = await _rpc(self.voting.OpenMeeting(voting_pb2.OpenMeetingRequest(
            idempotency_key=open_meeting_key(inp.election_id, inp.kind, inp.session),
            actor=_actor(), election_id=inp.election_id, kind=inp.kind, session=inp.session,
            electorate=electorate, workflow_id=inp.workflow_id, profile=inp.profile,
            overrides_json=json.dumps(inp.overrides, sort_keys=True, ensure_ascii=False))))
        return meeting_state(meeting)

    @activity.defn(name="meeting_state")
    async def meeting_state(self, meeting_id: str) -> MeetingState:
        return meeting_state(await _rpc(self.voting.GetMeeting(
            voting_pb2.GetMeetingRequest(meeting_id=meeting_id))))

    @activity.defn(name="open_round")
    async def open_round(self, inp: OpenRoundInput) -> RoundState:
        rnd = await _rpc(self.voting.OpenRound(voting_pb2.OpenRoundRequest(
            idempotency_key=inp.key, actor=_actor(), meeting_id=inp.meeting_id, post=inp.post,
            kind=inp.kind, seats=inp.seats,
            candidates=[voting_pb2.Candidate(person_id=c.person_id, name=c.name)
                        for c in inp.candidates])))
        return round_state(rnd)

    @activity.defn(name="round_state")
    async def round_state(self, round_id: str) -> RoundState:
        return round_state(await _rpc(self.voting.GetRound(
            voting_pb2.GetRoundRequest(round_id=round_id))))

    @activity.defn(name="close_meeting")
    async def close_meeting(self, inp: CloseMeeting) -> None:
        meeting = await _rpc(self.voting.GetMeeting(
            voting_pb2.GetMeetingRequest(meeting_id=inp.meeting_id)))
        if meeting.status == "closed":
            return
        await _rpc(self.voting.CloseMeeting(voting_pb2.MeetingActionRequest(
            idempotency_key=inp.key, actor=_actor(), meeting_id=inp.meeting_id)))

    # ---- funnel decisions -----------------------------------------------------------------
    @activity.defn(name="decide_shortlist")
    async def decide_shortlist(self, inp: ShortlistInput) -> Funnel:
        """M8-M10: the shortlist per post from the recommendation and trust ballots."""
        profile = profile_from_json(inp.profile, json.dumps(inp.overrides or {}, sort_keys=True,
                                                            ensure_ascii=False))
        meeting = await _rpc(self.voting.GetMeeting(
            voting_pb2.GetMeetingRequest(meeting_id=inp.meeting_id)))
        out = Funnel()
        for post in inp.posts:
            rec = next((r for r in meeting.rounds if r.post == post.post
                        and r.kind == "recommendation"), None)
            if rec is None:
                out.lists[post.post] = []
                continue
            trust_round = next((r for r in meeting.rounds if r.post == post.post
                                and r.kind == "trust"), None)
            names = {c.person_id: c.name for c in rec.candidates}
            order = [c.person_id for c in rec.candidates]  # ballot order = stroke order (M12)
            votes = {c.person_id: 0 for c in rec.candidates}
            votes.update({t.person_id: t.votes_for for t in rec.tally})
            trust = None
            if trust_round is not None:
                trust = {t.person_id: (t.votes_for, t.votes_against) for t in trust_round.tally}
            outcome = rules.shortlist(profile, post.shortlist, votes, trust, order)
            await _rpc(self.nomination.AdvanceStage(nomination_pb2.AdvanceStageRequest(
                idempotency_key=_key(post.post), actor=_actor(), election_id=inp.election_id,
                post=post.post, stage="shortlisted", person_ids=list(outcome.shortlist),
                rules=list(outcome.rules), from_stage=inp.from_stage)))
            out.lists[post.post] = [Candidate(p, names[p]) for p in outcome.shortlist]
        return out

    @activity.defn(name="inspection_state")
    async def inspection_state(self, inp: InspectionInput) -> InspectionState:
        inspections = await _rpc(self.nomination.ListInspections(
            nomination_pb2.ListInspectionsRequest(election_id=inp.election_id)))
        passed = {(i.post, i.person_id): i.passed for i in inspections.inspections}
        missing = sum(1 for post, people in inp.shortlist.items() for c in people
                      if (post, c.person_id) not in passed)
        if missing:
            return InspectionState(missing=missing)
        out = InspectionState(missing=0)
        for post in inp.posts:
            ranked = inp.shortlist.get(post.post, [])
            names = {c.person_id: c.name for c in ranked}
            kept = rules.narrow_after_inspection(
                post.inspected, [c.person_id for c in ranked],
                {c.person_id: passed[(post.post, c.person_id)] for c in ranked})
            await _rpc(self.nomination.AdvanceStage(nomination_pb2.AdvanceStageRequest(
                idempotency_key=_key(post.post), actor=_actor(), election_id=inp.election_id,
                post=post.post, stage="inspected", person_ids=list(kept), rules=["P4"],
                from_stage="shortlisted")))
            out.inspected[post.post] = [Candidate(p, names[p]) for p in kept]
        return out

    @activity.defn(name="advance_stage")
    async def advance_stage(self, inp: StageInput) -> None:
        await _rpc(self.nomination.AdvanceStage(nomination_pb2.AdvanceStageRequest(
            idempotency_key=inp.key, actor=_actor(), election_id=inp.election_id, post=inp.post,
            stage=inp.stage, person_ids=inp.person_ids, rules=inp.rules,
            from_stage=inp.from_stage)))

    @activity.defn(name="check_reduce")
    async def check_reduce(self, inp: ReduceInput) -> Verdict:
        """M7 reduce: the committee may shrink to the seats filled only within P1's sizes."""
        election, profile = await self._profile(inp.election_id)
        roster = await _rpc(self.nomination.ListRoster(
            nomination_pb2.ListRosterRequest(election_id=inp.election_id)))
        full = sum(1 for p in roster.people if p.status == "full")
        violations = rules.validate_plan(
            profile, election.org_type, full,
            {p.post: rules.PostFunnel(p.seats, p.shortlist, p.inspected, p.candidates)
             for p in inp.posts if p.seats > 0})
        p1 = [v for v in violations if v.rule_id == "P1"]
        if p1:
            v = p1[0]
            return Verdict(False, "P1", f"{v.field}={v.value} — {v.message}")
        return Verdict(True, "P1")

    # ---- step 8 ---------------------------------------------------------------------------
    @activity.defn(name="request_approval")
    async def request_approval(self, inp: ApprovalInput) -> ApprovalState:
        a = await _rpc(self.approval.RequestApproval(approval_pb2.RequestApprovalRequest(
            idempotency_key=approval_request_key(inp.election_id, inp.post,
                                                 inp.person.person_id, inp.attempt),
            actor=_actor(), election_id=inp.election_id, community_id=inp.community_id,
            street_id=inp.street_id, committee_id=inp.committee_id, post=inp.post,
            person_id=inp.person.person_id, name=inp.person.name, attempt=inp.attempt,
            workflow_id=inp.workflow_id)))
        return ApprovalState(a.approval_id, a.post, a.person_id, a.name, a.kind, a.status,
                             a.attempt)

    @activity.defn(name="approvals_state")
    async def approvals_state(self, ref: ElectionRef) -> ApprovalsState:
        res = await _rpc(self.approval.ListApprovals(
            approval_pb2.ListApprovalsRequest(election_id=ref.election_id)))
        return ApprovalsState([ApprovalState(a.approval_id, a.post, a.person_id, a.name, a.kind,
                                             a.status, a.attempt) for a in res.approvals])
