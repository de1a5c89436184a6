"""Plays a scenario through the running stack, acting as the people's clients would: gRPC calls
to the services for every human act, a Temporal client to start the election and follow it."""

from __future__ import annotations

import asyncio
import hashlib
import json
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import grpc
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.service import RPCError

from core.config import Settings
from core.ids import election_workflow_id
from gongtui.simulate.ballots import electronic_ballots
from gongtui.simulate.clients import Clients
from gongtui.simulate.roster import RosterPerson, build_roster
from proto import approval_pb2, common_pb2, nomination_pb2, voting_pb2
from services.common.errors import describe_refusal
from workflows.election.types import (
    ElectionInput,
    ElectionStatus,
    NoticeRelease,
    TurnQuery,
    UnfilledDecision,
    Waiting,
)
from workflows.election.workflows import CommunityElectionWorkflow


class ScenarioStop(Exception):
    """The election stops: the plan or the inputs break a rule (status failed)."""


@dataclass
class Play:
    """One scenario being played."""

    scenario: dict[str, Any]
    clients: Clients
    settings: Settings
    ballots: str = "paper"
    day_seconds: float = 0.2
    election_id: str = ""
    district_id: str = ""
    progress: Any = None  # callable(ElectionStatus) for the demo display
    # True when a parent (DistrictElectionWorkflow) starts the election: follow, don't start.
    attach: bool = False
    _present: int = 0
    roster: list[RosterPerson] = field(default_factory=list)
    by_name: dict[str, RosterPerson] = field(default_factory=dict)
    acted: set[tuple[str, ...]] = field(default_factory=set)
    committee_rounds: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    congress_sessions: list[dict[str, Any]] = field(default_factory=list)
    congress_rounds: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    plenary_sessions: list[dict[str, Any]] = field(default_factory=list)
    plenary_rounds: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    approvals: dict[str, list[Any]] = field(default_factory=dict)
    status: ElectionStatus | None = None
    waiting_for: str | None = None
    error: str = ""

    def __post_init__(self) -> None:
        s = self.scenario
        community = s["community"]
        if not self.election_id:
            self.election_id = f"{community['id']}-{uuid.uuid4().hex[:8]}"
        self.roster = build_roster(s)
        self.by_name = {p.name: p for p in self.roster}
        for r in s.get("committee", {}).get("rounds", []):
            self.committee_rounds.setdefault(r["post"], []).append(r)
        self.congress_sessions = list(s.get("congress", []))
        self.plenary_sessions = list(s.get("plenary", []))
        for post, value in s.get("approvals", {}).items():
            self.approvals[post] = list(value) if isinstance(value, list) else [value]

    # ---- identities -----------------------------------------------------------------------
    @property
    def community(self) -> dict[str, Any]:
        return self.scenario["community"]  # type: ignore[no-any-return]

    @property
    def street(self) -> str:
        return str(self.community.get("street") or self.community["id"])

    @property
    def workflow_id(self) -> str:
        return election_workflow_id(self.election_id)

    def office(self) -> common_pb2.Actor:
        return common_pb2.Actor(role="community_office", scope=f"community:{self.community['id']}")

    def street_committee(self) -> common_pb2.Actor:
        return common_pb2.Actor(role="street_committee", scope=f"street:{self.street}")

    def supervisor(self) -> common_pb2.Actor:
        """总监票人: confirms each paper tally the desk entered (another person, M12)."""
        return common_pb2.Actor(role="supervisor", scope=f"street:{self.street}",
                                name="总监票人")

    def approver(self) -> common_pb2.Actor:
        return common_pb2.Actor(role="approver", scope=f"street:{self.street}")

    def key(self, *parts: object) -> str:
        raw = "/".join(str(p) for p in (self.election_id, *parts))
        return raw if len(raw) < 180 else hashlib.sha256(raw.encode()).hexdigest()

    # ---- the loop -------------------------------------------------------------------------
    def election_input(self) -> ElectionInput:
        c = self.community
        return ElectionInput(election_id=self.election_id, community_id=c["id"],
                             community_name=c["name"], org_type=c["org_type"],
                             street_id=self.street, district_id=self.district_id,
                             committee_id=self.street, profile=self.scenario["profile"],
                             overrides=dict(self.scenario.get("overrides", {})),
                             day_seconds=self.day_seconds)

    async def _handle(self) -> WorkflowHandle[Any, Any]:
        if not self.attach:
            return await self.clients.temporal.start_workflow(
                CommunityElectionWorkflow.run, self.election_input(), id=self.workflow_id,
                task_queue=self.settings.task_queue)
        handle = self.clients.temporal.get_workflow_handle(self.workflow_id,
                                                           result_type=ElectionStatus)
        for attempt in range(600):  # the parent starts its children at its own pace
            try:
                await handle.describe()
                return handle
            except RPCError:
                await asyncio.sleep(min(0.05 * (attempt + 1), 1.0))
        raise RuntimeError(f"{self.workflow_id} was never started")

    async def run(self) -> ElectionStatus:
        handle = await self._handle()
        seen = -1  # the last wait (Waiting.seq) handed to us: the workflow answers the next one
        # notice periods need nobody unless the scenario files objections (on_notice)
        skip = [] if self.scenario.get("objections") else ["notice"]
        # and those it files objections against are held while it does (await_turn)
        hold = sorted({o["notice"] for o in self.scenario.get("objections", [])})
        while True:
            status = await self._next_status(handle, seen, skip, hold)
            if status.waiting is not None:
                seen = max(seen, status.waiting.seq)
            self.status = status
            if self.progress is not None:
                self.progress(status)
            if status.status != "running":
                return status
            w = status.waiting
            if status.paused or w is None:
                continue
            mark = (w.kind, w.post, w.meeting_id, w.round_id, w.notice, str(w.seq))
            if mark in self.acted:
                continue
            try:
                handled = await self.act(w)
            except ScenarioStop as exc:
                self.error = str(exc)
                await handle.signal(CommunityElectionWorkflow.abort,
                                    _pause(f"scenario stopped: {exc}"))
                return await handle.result()
            if not handled:
                self.waiting_for = w.label
                return status
            self.acted.add(mark)

    async def _next_status(self, handle: WorkflowHandle[Any, Any], seen: int,
                           skip: list[str] | None = None,
                           hold: list[str] | None = None) -> ElectionStatus:
        """The election's next wait after wait number ``seen`` whose kind is not in ``skip``
        (or its end): one update per wait a person acts on, not one per change of status.
        The periods of the notices in ``hold`` stop until ``on_notice`` releases them."""
        query = TurnQuery(seen, skip or [], hold or [])
        for attempt in range(200):
            try:
                return await handle.execute_update(CommunityElectionWorkflow.await_turn, query)
            except Exception:
                # The workflow may have ended, or a worker restarts: read instead of waiting.
                try:
                    desc = await handle.describe()
                    if desc.status is not None and desc.status.name != "RUNNING":
                        return await handle.result()  # type: ignore[no-any-return]
                    st = await handle.query(CommunityElectionWorkflow.status)
                    if st.status != "running" or (st.waiting is not None and not st.paused
                                                  and st.waiting.seq > seen
                                                  and st.waiting.kind not in (skip or [])):
                        return st
                except RPCError:
                    pass
                await asyncio.sleep(min(0.1 * (attempt + 1), 2.0))
        raise RuntimeError(f"{self.workflow_id}: no answer from the workflow")

    # ---- acts -----------------------------------------------------------------------------
    async def act(self, w: Waiting) -> bool:
        handler = getattr(self, f"on_{w.kind}", None)
        if handler is None:
            return True  # nothing a person does here (e.g. a notice period running)
        return bool(await handler(w))

    async def on_plan(self, w: Waiting) -> bool:
        n = self.clients.nomination
        people = [nomination_pb2.Person(person_id=p.person_id, name=p.name, status=p.status,
                                        excluded_reason=p.excluded_reason,
                                        resides_in_community=True) for p in self.roster]
        await n.ImportRoster(nomination_pb2.ImportRosterRequest(
            idempotency_key=self.key("roster"), actor=self.office(), election_id=self.election_id,
            people=people))
        posts = [nomination_pb2.PostPlan(post=post, **spec)
                 for post, spec in self.scenario["plan"]["posts"].items()]
        try:
            await n.SubmitPlan(nomination_pb2.SubmitPlanRequest(
                idempotency_key=self.key("plan"), actor=self.office(),
                election_id=self.election_id, posts=posts))
        except grpc.aio.AioRpcError as exc:
            if exc.code() in (grpc.StatusCode.INVALID_ARGUMENT,
                              grpc.StatusCode.FAILED_PRECONDITION):
                raise ScenarioStop(describe_refusal(exc)) from exc
            raise
        await n.DecidePlan(nomination_pb2.DecidePlanRequest(
            idempotency_key=self.key("plan-approve"), actor=self.street_committee(),
            election_id=self.election_id, approve=True, reason="符合规定 / conforms",
            consent_exclusions=self._exclusions()))
        return True

    async def on_nominations(self, w: Waiting) -> bool:
        n = self.clients.nomination
        used: dict[str, set[str]] = defaultdict(set)  # NM2: one co-signature per person per post
        nominations = self.scenario.get("nominations", [])
        regs: list[nomination_pb2.Registration] = []
        if nominations:  # one call for every registration (all recorded, or none)
            regs = list((await n.RegisterMany(nomination_pb2.RegisterManyRequest(
                idempotency_key=self.key("register-all", len(nominations)), actor=self.office(),
                election_id=self.election_id, registrations=[
                    nomination_pb2.RegistrationEntry(
                        person_id=self.by_name[nom["name"]].person_id, post=nom["post"],
                        channel=nom["channel"]) for nom in nominations]))).registrations)
        for nom, reg in zip(nominations, regs, strict=True):
            if nom["channel"] != "joint":
                continue
            want = nom.get("cosigners", {})
            for status, count in (("full", want.get("members", 0)),
                                  ("resident", want.get("residents", 0))):
                pool = [p for p in self.roster if p.status == status and not p.named
                        and p.person_id not in used[nom["post"]]]
                signers = [p.person_id for p in pool[:count]]
                if not signers:
                    continue
                used[nom["post"]].update(signers)
                # one call for the co-signers of one kind (all recorded, or none)
                await n.CosignMany(nomination_pb2.CosignManyRequest(
                    idempotency_key=self.key("cosign", reg.registration_id, status),
                    actor=common_pb2.Actor(role="member" if status == "full" else "resident",
                                           scope=f"community:{self.community['id']}"),
                    registration_id=reg.registration_id, cosigner_person_ids=signers))
        await n.CloseNominations(nomination_pb2.WindowRequest(
            idempotency_key=self.key("close-window"), actor=self.office(),
            election_id=self.election_id))
        return True

    async def on_review(self, w: Waiting) -> bool:
        n = self.clients.nomination
        decisions = self.scenario.get("review", {})
        regs = await n.ListRegistrations(
            nomination_pb2.ListRegistrationsRequest(election_id=self.election_id))
        batch = []
        for r in regs.registrations:
            if r.review != "pending":
                continue
            approve = decisions.get(r.name, "approve") == "approve"
            batch.append(nomination_pb2.ReviewDecision(
                registration_id=r.registration_id, approve=approve,
                reason="资格审查通过 / qualified" if approve else "街道党工委审查未通过 / not qualified"))
        if batch:  # one call, one wake-up of the election (all recorded, or none)
            await n.DecideReviews(nomination_pb2.DecideReviewsRequest(
                idempotency_key=self.key("reviews", *(d.registration_id for d in batch)),
                actor=self.street_committee(), decisions=batch))
        return True

    async def on_notice(self, w: Waiting) -> bool:
        """O2: objections against people on this notice, decided by the street committee."""
        try:
            await self._object(w.notice)
        finally:
            # the period held for these objections (await_turn) runs on; sent even if none
            # was held (the wait read by a query after an error): the workflow ignores it then
            await self.clients.temporal.get_workflow_handle(self.workflow_id).signal(
                CommunityElectionWorkflow.release_notice, NoticeRelease(w.notice))
        return True

    async def _object(self, notice: str) -> None:
        n = self.clients.nomination
        for i, obj in enumerate(self.scenario.get("objections", [])):
            if obj["notice"] != notice:
                continue
            person = self.by_name.get(obj["against"])
            if person is None:
                raise ScenarioStop(f"objections[{i}].against: {obj['against']} is not in the roster")
            filed = await n.FileObjection(nomination_pb2.FileObjectionRequest(
                idempotency_key=self.key("objection", i), actor=common_pb2.Actor(
                    role="member", scope=f"community:{self.community['id']}"),
                election_id=self.election_id, notice_kind=notice, person_id=person.person_id,
                post=obj.get("post", ""), reason="群众举报 / complaint"))
            if "decision" in obj:
                await n.DecideObjection(nomination_pb2.DecideObjectionRequest(
                    idempotency_key=self.key("objection-decision", i),
                    actor=self.street_committee(), objection_id=filed.objection_id,
                    upheld=obj["decision"] == "upheld",
                    reason="经核查 / after investigation"))

    async def on_objections(self, w: Waiting) -> bool:
        return False  # an objection without a decision in the scenario: the election waits

    def _attendees(self, klass: str, count: int) -> list[RosterPerson]:
        """Who comes: nominees first, then the others in roster order. Members excluded under
        E2 do not come; more than may come is refused (the loader says where), never capped."""
        if klass == "member":
            pool = [p for p in self.roster if p.status == "full" and not p.excluded_reason]
        else:
            pool = [p for p in self.roster if p.status != "full"]
        if count > len(pool):
            raise ValueError(f"{count} {klass}s present, but only {len(pool)} may attend")
        pool.sort(key=lambda p: not p.named)
        return pool[:count]

    async def _check_in(self, meeting_id: str, actor: common_pb2.Actor, person_ids: list[str],
                        committee_size: int = 0, headcount: int = 0) -> None:
        """Attendance, then check-in closed: the voting service decides the quorum."""
        v = self.clients.voting
        await v.CheckIn(voting_pb2.CheckInRequest(
            idempotency_key=self.key("checkin", meeting_id), actor=actor, meeting_id=meeting_id,
            person_ids=person_ids, committee_size=committee_size, headcount=headcount))
        await v.ConfirmAttendance(voting_pb2.MeetingActionRequest(
            idempotency_key=self.key("confirm", meeting_id), actor=actor, meeting_id=meeting_id))

    async def on_recommendation_checkin(self, w: Waiting) -> bool:
        rec = self.scenario.get("recommendation")
        if rec is None or "attendance" not in rec:
            return False
        att = rec["attendance"]
        people = (self._attendees("member", att.get("members", 0))
                  + self._attendees("other", att.get("others", 0)))
        await self._check_in(w.meeting_id, self.office(), [p.person_id for p in people])
        return True

    async def on_recommendation(self, w: Waiting) -> bool:
        rec = self.scenario.get("recommendation", {})
        if "votes" not in rec:
            return False
        v = self.clients.voting
        meeting = await v.GetMeeting(voting_pb2.GetMeetingRequest(meeting_id=w.meeting_id))
        for rnd in meeting.rounds:
            if rnd.status != "open":
                continue
            if rnd.kind == "recommendation":
                counts = rec["votes"].get(rnd.post, {})
                tally = {c.person_id: (counts.get(c.name, 0), 0) for c in rnd.candidates}
                voters = meeting.present_members
            else:
                trust = rec.get("trust", {})
                tally = {c.person_id: (trust.get(c.name, {}).get("yes", 0),
                                       trust.get(c.name, {}).get("no", 0))
                         for c in rnd.candidates}
                voters = meeting.present_others
            await self._enter(rnd, voters, voters, 0, tally, {})
        await v.CloseMeeting(voting_pb2.MeetingActionRequest(
            idempotency_key=self.key("close", w.meeting_id), actor=self.office(),
            meeting_id=w.meeting_id))
        return True

    async def on_inspection(self, w: Waiting) -> bool:
        n = self.clients.nomination
        verdicts = self.scenario.get("inspection", {})
        regs = await n.ListRegistrations(nomination_pb2.ListRegistrationsRequest(
            election_id=self.election_id, stage="shortlisted"))
        for r in regs.registrations:
            passed = verdicts.get(r.name, "pass") == "pass"
            await n.RecordInspection(nomination_pb2.RecordInspectionRequest(
                idempotency_key=self.key("inspection", r.post, r.person_id),
                actor=self.street_committee(), election_id=self.election_id, post=r.post,
                person_id=r.person_id, passed=passed,
                report="考察合格 / fit" if passed else "考察不合格 / unfit"))
        return True

    async def on_committee_session(self, w: Waiting) -> bool:
        committee = self.scenario.get("committee")
        if committee is None:
            return False
        v = self.clients.voting
        # The committee sits again for a post elected anew (A2, M7 reelect) with the same
        # attendance; after a sitting below quorum (M11) the scenario has no second answer.
        sittings = await v.ListMeetings(voting_pb2.ListMeetingsRequest(
            election_id=self.election_id, kind="committee"))
        if any(m.status == "quorum_failed" for m in sittings.meetings):
            return False
        await self._check_in(w.meeting_id, self.street_committee(), [],
                             committee_size=committee["size"], headcount=committee["present"])
        return True

    async def on_committee_round(self, w: Waiting) -> bool:
        queue = self.committee_rounds.get(w.post, [])
        if not queue:
            return False
        spec = queue.pop(0)
        rnd = await self.clients.voting.GetRound(voting_pb2.GetRoundRequest(round_id=w.round_id))
        present = self.scenario["committee"]["present"]
        tally = {c.person_id: (spec["for"].get(c.name, 0), 0) for c in rnd.candidates}
        await self._enter(rnd, present, present, 0, tally, {}, paper_only=True)
        return True

    async def on_congress_session(self, w: Waiting) -> bool:
        if not self.congress_sessions:
            return False
        session = self.congress_sessions.pop(0)
        self.congress_rounds = {}
        for r in session.get("rounds", []):
            self.congress_rounds.setdefault(r["post"], []).append(r)
        self._present = session["present"]
        people = self._attendees("member", session["present"])
        await self._check_in(w.meeting_id, self.office(), [p.person_id for p in people])
        return True

    async def on_congress_round(self, w: Waiting) -> bool:
        queue = self.congress_rounds.get(w.post, [])
        if not queue:
            return False
        spec = queue.pop(0)
        rnd = await self.clients.voting.GetRound(voting_pb2.GetRoundRequest(round_id=w.round_id))
        issued = spec.get("issued", self._present)
        returned = spec.get("returned", issued)
        invalid = spec.get("invalid", 0)
        tally = {c.person_id: (spec["for"].get(c.name, 0), spec.get("against", {}).get(c.name, 0))
                 for c in rnd.candidates}
        abstain = {c.person_id: spec.get("abstain", {}).get(c.name, 0) for c in rnd.candidates}
        await self._enter(rnd, issued, returned, invalid, tally, abstain)
        return True

    async def on_unfilled(self, w: Waiting) -> bool:
        decision = self.scenario.get("unfilled", {}).get(w.post)
        if decision is None:
            return False
        handle = self.clients.temporal.get_workflow_handle(self.workflow_id)
        try:
            await handle.execute_update(CommunityElectionWorkflow.decide_unfilled,
                                        UnfilledDecision(w.post, decision))
        except WorkflowUpdateFailedError as exc:
            # e.g. reduce refused under P1: the street committee must answer otherwise
            cause = exc.cause
            self.notes.append(str(getattr(cause, "message", cause)))
            return False
        return True

    async def on_plenary_session(self, w: Waiting) -> bool:
        if not self.plenary_sessions:
            return False
        session = self.plenary_sessions.pop(0)
        self.plenary_rounds = {}
        for r in session.get("rounds", []):
            self.plenary_rounds.setdefault(r["post"], []).append(r)
        self._present = session["present"]
        members = (self.status.elected.get("member", []) if self.status else [])
        if session["present"] > len(members):
            raise ValueError(f"plenary: {session['present']} present, but {len(members)} "
                             "committee members were elected")
        present = [c.person_id for c in members][:session["present"]]
        await self._check_in(w.meeting_id, self.office(), present)
        return True

    async def on_plenary_round(self, w: Waiting) -> bool:
        queue = self.plenary_rounds.get(w.post, [])
        if not queue:
            return False
        spec = queue.pop(0)
        rnd = await self.clients.voting.GetRound(voting_pb2.GetRoundRequest(round_id=w.round_id))
        invalid = spec.get("invalid", 0)
        tally = {c.person_id: (spec["for"].get(c.name, 0), 0) for c in rnd.candidates}
        await self._enter(rnd, self._present, self._present, invalid, tally, {}, paper_only=True)
        return True

    async def on_approval(self, w: Waiting) -> bool:
        a = self.clients.approval
        pending = await a.ListApprovals(approval_pb2.ListApprovalsRequest(
            election_id=self.election_id, status="pending"))
        for req in pending.approvals:
            queue = self.approvals.get(req.post, [])
            choice = queue.pop(0) if queue else "approve"
            if isinstance(choice, dict):
                decision, reason = choice["decision"], choice.get("reason", "")
            else:
                decision, reason = choice, ""
            reason = reason or ("同意 / approved" if decision == "approve" else "不予批准 / rejected")
            await a.Decide(approval_pb2.DecideRequest(
                idempotency_key=self.key("decide", req.approval_id), actor=self.approver(),
                approval_id=req.approval_id, decision=decision, reason=reason))
        return True

    # ---- tallies and ballots --------------------------------------------------------------
    async def _enter(self, rnd: voting_pb2.Round, issued: int, returned: int, invalid: int,
                     tally: dict[str, tuple[int, int]], abstain: dict[str, int],
                     paper_only: bool = False) -> None:
        v = self.clients.voting
        if self.ballots == "electronic" and not paper_only and returned <= issued:
            await self._cast_electronic(rnd, issued, returned, invalid, tally)
        else:
            await v.EnterTally(voting_pb2.EnterTallyRequest(
                idempotency_key=self.key("tally", rnd.round_id), actor=self.office(),
                round_id=rnd.round_id, issued=issued, returned=returned, invalid=invalid,
                lines=[voting_pb2.TallyLine(person_id=pid, votes_for=f, votes_against=a,
                                            votes_abstain=abstain.get(pid, 0))
                       for pid, (f, a) in tally.items()]))
            await self._confirm_tally(rnd)
        await v.CloseRound(voting_pb2.RoundActionRequest(
            idempotency_key=self.key("close-round", rnd.round_id), actor=self.office(),
            round_id=rnd.round_id))

    async def _confirm_tally(self, rnd: voting_pb2.Round) -> None:
        """The supervisor checks the tally sheet against the ballots and confirms it, as the
        round needs before it is counted (four eyes, M12)."""
        await self.clients.voting.ConfirmTally(voting_pb2.ConfirmTallyRequest(
            idempotency_key=self.key("confirm-tally", rnd.round_id), actor=self.supervisor(),
            round_id=rnd.round_id, approve=True))

    def _exclusions(self) -> list[str]:
        """E2: the exclusions the office entered with the roster, which the street committee
        consents to as it approves the plan (without it they would not lower the expected
        attendance)."""
        return [p.person_id for p in self.roster if p.excluded_reason]

    async def _cast_electronic(self, rnd: voting_pb2.Round, issued: int, returned: int,
                               invalid: int, tally: dict[str, tuple[int, int]]) -> None:
        """One ballot per voter present, adding up to the same tallies (ballots.py)."""
        v = self.clients.voting
        meeting = await v.GetMeeting(voting_pb2.GetMeetingRequest(meeting_id=rnd.meeting_id))
        klass = "other" if rnd.kind == "trust" else "member"
        voters = self._attendees(klass, meeting.present_others if klass == "other"
                                 else meeting.present_members)[:issued]
        res = await v.IssueBallots(voting_pb2.IssueBallotsRequest(
            idempotency_key=self.key("issue", rnd.round_id), actor=self.office(),
            round_id=rnd.round_id, person_ids=[p.person_id for p in voters]))
        # the hall's two phases: every ballot issued, then casting opens
        await v.OpenCasting(voting_pb2.RoundActionRequest(
            idempotency_key=self.key("open-casting", rnd.round_id), actor=self.office(),
            round_id=rnd.round_id))
        codes = list(res.codes)[:returned]
        valid = len(codes) - invalid
        over = [pid for pid, (f, a) in tally.items() if f + a > valid]
        if valid < 0 or over:  # the loader refuses such counts; nothing is capped here
            raise ValueError(f"round {rnd.round_id}: {invalid} invalid of {len(codes)} returned,"
                             f" marks beyond the {valid} valid ballots for {over}")
        ballots = electronic_ballots(rnd.kind, [c.person_id for c in rnd.candidates], valid,
                                     len(codes) - valid, tally)
        for code, ballot in zip(codes, ballots, strict=True):
            await v.CastBallot(voting_pb2.CastBallotRequest(round_id=rnd.round_id, code=code,
                                                            marks=ballot))


def _pause(reason: str) -> Any:
    from workflows.election.types import PauseInput

    return PauseInput(reason=reason, actor="simulate")


def dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
