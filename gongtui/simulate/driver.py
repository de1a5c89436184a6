"""Plays a scenario through the running stack, acting as the people's clients would: gRPC calls
to the services for every human act, a Temporal client to start the election and follow it."""

from __future__ import annotations

import asyncio
import hashlib
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.service import RPCError, RPCStatusCode

from core.config import Settings
from core.ids import election_workflow_id
from gongtui.simulate.ballots import cast_electronic
from gongtui.simulate.clients import Clients
from gongtui.simulate.nomination_acts import NominationActs, ScenarioStop
from gongtui.simulate.roster import RosterPerson, build_roster
from proto import approval_pb2, common_pb2, voting_pb2
from workflows.election.types import (
    ElectionInput,
    ElectionStatus,
    TurnQuery,
    UnfilledDecision,
    Waiting,
)
from workflows.election.workflows import CommunityElectionWorkflow

__all__ = ["Play", "ScenarioStop", "dumps", "new_election_id"]


def new_election_id(scenario: dict[str, Any]) -> str:
    """A fresh election ID for a scenario: its community's ID and a random suffix."""
    return f"{scenario['community']['id']}-{uuid.uuid4().hex[:8]}"


@dataclass
class Play(NominationActs):
    """One scenario being played (the nomination steps' acts: ``NominationActs``)."""

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
    # True when the election exists already (``simulate --resume``): attach to it, and before
    # the first act read from the services which of the scenario's inputs were recorded
    resume: bool = False
    restored: dict[str, Any] = field(default_factory=dict)  # where a resume found it (log)
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
        if not self.election_id:
            self.election_id = new_election_id(s)
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
        if not (self.attach or self.resume):
            return await self.clients.temporal.start_workflow(
                CommunityElectionWorkflow.run, self.election_input(), id=self.workflow_id,
                task_queue=self.settings.task_queue)
        handle = self.clients.temporal.get_workflow_handle(self.workflow_id,
                                                           result_type=ElectionStatus)
        for attempt in range(600):  # the parent starts its children at its own pace
            try:
                await handle.describe()
                return handle
            except RPCError as exc:
                if self.resume and exc.status == RPCStatusCode.NOT_FOUND:
                    raise RuntimeError(f"no election {self.election_id} to resume "
                                       f"({self.workflow_id} not found)") from exc
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
            if self.resume:  # once, at the wait the election stood in when the player stopped
                from gongtui.simulate.resume import restore

                self.restored = {"wait": w.label, **await restore(self, w)}
                self.resume = False
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

    def begin_session(self, kind: str) -> dict[str, Any] | None:
        """The scenario's next session of ``kind`` (congress | plenary), its rounds queued by
        post and its attendance kept for them; None when the scenario has no more."""
        sessions = self.congress_sessions if kind == "congress" else self.plenary_sessions
        if not sessions:
            return None
        session = sessions.pop(0)
        rounds: dict[str, list[dict[str, Any]]] = {}
        for r in session.get("rounds", []):
            rounds.setdefault(r["post"], []).append(r)
        if kind == "congress":
            self.congress_rounds = rounds
        else:
            self.plenary_rounds = rounds
        self._present = session["present"]
        return session

    async def on_congress_session(self, w: Waiting) -> bool:
        session = self.begin_session("congress")
        if session is None:
            return False
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
        session = self.begin_session("plenary")
        if session is None:
            return False
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
        await v.CloseRound(voting_pb2.RoundActionRequest(
            idempotency_key=self.key("close-round", rnd.round_id), actor=self.office(),
            round_id=rnd.round_id))

    async def _cast_electronic(self, rnd: voting_pb2.Round, issued: int, returned: int,
                               invalid: int, tally: dict[str, tuple[int, int]]) -> None:
        """One ballot per voter present, adding up to the same tallies (ballots.py)."""
        meeting = await self.clients.voting.GetMeeting(
            voting_pb2.GetMeetingRequest(meeting_id=rnd.meeting_id))
        klass = "other" if rnd.kind == "trust" else "member"
        voters = self._attendees(klass, meeting.present_others if klass == "other"
                                 else meeting.present_members)[:issued]
        await cast_electronic(self.clients.voting, self.office(), rnd,
                              [p.person_id for p in voters], returned, invalid, tally,
                              issue_key=self.key("issue", rnd.round_id),
                              open_key=self.key("open-casting", rnd.round_id))


def _pause(reason: str) -> Any:
    from workflows.election.types import PauseInput

    return PauseInput(reason=reason, actor="simulate")


def dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
