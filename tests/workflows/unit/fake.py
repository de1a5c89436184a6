"""An in-memory stand-in for the three services' facts, and the election's activities over it.

The activities are plain async functions registered under the production names
(``@activity.defn(name="plan_state")`` ...), so the workflow under test calls them exactly as
it calls the real ones; each call is served by the fake of its election (:data:`FAKES`, by
workflow ID), so one worker serves many elections at once. The test's people (:class:`People`) change the facts the way the
services would on a person's request, then send the ``wake`` signal; the workflow reads the
facts back, as it does in production.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from temporalio import activity

from core.ids import meeting_id_for, round_id_for
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
    RoundState,
    ShortlistInput,
    SignedHeadState,
    StageInput,
    StageQuery,
    Verdict,
)


def person(name: str) -> Candidate:
    """A nominee: the person ID derives from the name, so a test names people by name."""
    return Candidate(f"p-{name}", name)


@dataclass
class Registration:
    post: str
    who: Candidate
    stage: str = "qualified"
    held: bool = False               # an objection against the person is pending (O2)


@dataclass
class Round:
    state: RoundState
    meeting_kind: str
    session: int
    candidates: list[Candidate]


@dataclass
class Meeting:
    state: MeetingState
    electorate: list[Candidate] = field(default_factory=list)


@dataclass
class Objection:
    notice: str
    against: str                     # person_id
    status: str = "pending"          # pending | upheld | dismissed


class FakeServices:
    """The facts of one election, as the nomination, voting and approval services keep them."""

    def __init__(self, posts: list[PostPlan], nominees: dict[str, list[str]],
                 params: dict[str, Any] | None = None, min_committee: int = 3):
        self.posts = posts
        self.params = {"notice_days": 1, "max_additional_rounds": 1, **(params or {})}
        self.min_committee = min_committee   # P1, as check_reduce judges it
        self.plan_status = "draft"
        self.window = "not_open"
        self.pending_reviews = 0
        self.registrations = [Registration(post, person(n))
                              for post, names in nominees.items() for n in names]
        self.notices: list[NoticeInput] = []
        self.closed_notices: list[str] = []
        self.anchored: list[str] = []
        self.objections: list[Objection] = []
        self.meetings: dict[str, Meeting] = {}
        self.rounds: dict[str, Round] = {}
        self.round_by_key: dict[str, str] = {}     # idempotency key -> round id
        self.round_meeting: dict[str, str] = {}    # round id -> meeting id
        self.inspections: dict[tuple[str, str], bool] = {}
        self.approvals: dict[tuple[str, str, int], ApprovalState] = {}
        self.stage_calls: list[StageInput] = []
        self.reduce_checks: list[ReduceInput] = []
        self.controls: dict[str, ControlRecord] = {}  # idempotency key -> the control act

    # ---- what the test reads back ---------------------------------------------------------
    def rounds_of(self, meeting_kind: str) -> list[tuple[int, str, str, list[str]]]:
        """(session, post, round kind, names elected) per counted round of a meeting kind."""
        names = {r.who.person_id: r.who.name for r in self.registrations}
        return [(r.session, r.state.post, r.state.kind,
                 [names.get(p, p) for p in r.state.elected])
                for r in self.rounds.values()
                if r.meeting_kind == meeting_kind and r.state.status == "counted"]

    def sessions_of(self, kind: str) -> list[bool]:
        """quorum_met per session of a meeting kind, in order."""
        return [m.state.quorum_met for m in self.meetings.values() if m.state.kind == kind]

    def stage(self, stage: str, post: str) -> list[str]:
        return [r.who.name for r in self.registrations if r.post == post and r.stage == stage]

    # ---- what people do (the services' write paths) ---------------------------------------
    def file_objection(self, notice: str, name: str) -> None:
        self.objections.append(Objection(notice, person(name).person_id))
        for r in self.registrations:
            if r.who.name == name:
                r.held = True

    def decide_objections(self, upheld: bool) -> None:
        for o in self.objections:
            if o.status != "pending":
                continue
            o.status = "upheld" if upheld else "dismissed"
            for r in self.registrations:
                if r.who.person_id == o.against:
                    r.held = False
                    if upheld:
                        r.stage = "rejected"

    def sit(self, meeting_id: str, quorum: bool) -> None:
        m = self.meetings[meeting_id].state
        m.status = "in_session" if quorum else "quorum_failed"
        m.quorum_met = quorum

    def count(self, round_id: str, elected: list[str] | None = None,
              tied: list[str] | None = None, void: bool = False) -> None:
        """A round counted: by default the first ``seats`` candidates are elected."""
        r = self.rounds[round_id]
        pool = r.candidates
        ids = {c.name: c.person_id for c in pool}
        chosen = [c.name for c in pool[:r.state.seats]] if elected is None else elected
        r.state.status = "counted"
        r.state.void = void
        r.state.elected = [] if void else [ids[n] for n in chosen]
        r.state.tied = [] if void else [ids[n] for n in tied or []]

    def decide_approvals(self, decide: Callable[[ApprovalState], str]) -> None:
        for a in self.approvals.values():
            if a.status == "pending":
                a.status = decide(a)


# ---- the activities: one set for every election, each call served by its election's fake ----
#: workflow ID -> the facts of that election
FAKES: dict[str, FakeServices] = {}


def _fake() -> FakeServices:
    return FAKES[activity.info().workflow_id or ""]


@activity.defn(name="register_election")
async def register_election(inp: ElectionInput) -> None:
    return None


@activity.defn(name="plan_state")
async def plan_state(ref: ElectionRef) -> PlanState:
    f = _fake()
    return PlanState(f.plan_status, list(f.posts), dict(f.params))


@activity.defn(name="notice_anchors")
async def notice_anchors(q: AnchorsQuery) -> NoticeAnchors:
    _fake().anchored.append(q.kind)
    return NoticeAnchors(heads=[SignedHeadState(s, q.election_id, 1, "sha256:" + "0" * 64,
                                                "2026-01-01T00:00:00+00:00", "k", "s")
                                for s in ("nomination", "voting", "approval")])


@activity.defn(name="publish_notice")
async def publish_notice(inp: NoticeInput) -> None:
    f = _fake()
    f.notices.append(inp)


@activity.defn(name="close_notice")
async def close_notice(inp: CloseNoticeInput) -> None:
    f = _fake()
    f.closed_notices.append(inp.kind)


@activity.defn(name="open_nominations")
async def open_nominations(ref: ElectionRef) -> None:
    f = _fake()
    f.window = "open"


@activity.defn(name="nomination_state")
async def nomination_state(ref: ElectionRef) -> NominationState:
    f = _fake()
    return NominationState(f.window, f.pending_reviews)


@activity.defn(name="run_automatic_review")
async def run_automatic_review(ref: ElectionRef) -> NominationState:
    f = _fake()
    return NominationState(f.window, f.pending_reviews, auto_checked=True)


@activity.defn(name="funnel")
async def funnel(q: StageQuery) -> Funnel:
    f = _fake()
    out = Funnel()
    for r in f.registrations:
        if r.held or (not q.stage and r.stage == "rejected"):
            continue
        if q.stage and r.stage != q.stage:
            continue
        out.lists.setdefault(r.post, []).append(r.who)
    return out


@activity.defn(name="objection_state")
async def objection_state(ref: ElectionRef) -> ObjectionState:
    f = _fake()
    pending = [o for o in f.objections if o.status == "pending"]
    return ObjectionState(len(pending), [o.against for o in pending])


@activity.defn(name="open_meeting")
async def open_meeting(inp: OpenMeetingInput) -> MeetingState:
    f = _fake()
    mid = meeting_id_for(inp.election_id, inp.kind, inp.session)
    if mid not in f.meetings:
        f.meetings[mid] = Meeting(MeetingState(mid, inp.kind, inp.session, "checking_in"),
                                  list(inp.electorate))
    return f.meetings[mid].state


@activity.defn(name="meeting_state")
async def meeting_state(meeting_id: str) -> MeetingState:
    f = _fake()
    m = f.meetings[meeting_id].state
    m.rounds = [r.state for rid, r in f.rounds.items()
                if f.round_meeting[rid] == meeting_id]
    return m


@activity.defn(name="open_round")
async def open_round(inp: OpenRoundInput) -> RoundState:
    f = _fake()
    if inp.key in f.round_by_key:
        return f.rounds[f.round_by_key[inp.key]].state
    m = f.meetings[inp.meeting_id].state
    rid = round_id_for(inp.meeting_id, 1 + sum(
        1 for mid in f.round_meeting.values() if mid == inp.meeting_id))
    f.rounds[rid] = Round(RoundState(rid, inp.post, inp.kind, "open", inp.seats),
                          m.kind, m.session, list(inp.candidates))
    f.round_by_key[inp.key] = rid
    f.round_meeting[rid] = inp.meeting_id
    return f.rounds[rid].state


@activity.defn(name="round_state")
async def round_state(round_id: str) -> RoundState:
    f = _fake()
    return f.rounds[round_id].state


@activity.defn(name="close_meeting")
async def close_meeting(inp: CloseMeeting) -> None:
    f = _fake()
    f.meetings[inp.meeting_id].state.status = "closed"


@activity.defn(name="decide_shortlist")
async def decide_shortlist(inp: ShortlistInput) -> Funnel:
    """M8-M10 stand-in: the first ``shortlist`` persons of the recommendation round."""
    f = _fake()
    out = Funnel()
    for post in inp.posts:
        rec = next((r for r in f.rounds.values() if r.state.post == post.post
                    and r.state.kind == "recommendation"
                    and f.round_meeting[r.state.round_id] == inp.meeting_id), None)
        kept = rec.candidates[:post.shortlist] if rec else []
        _advance(f, post.post, "shortlisted", [c.person_id for c in kept])
        out.lists[post.post] = kept
    return out


@activity.defn(name="inspection_state")
async def inspection_state(inp: InspectionInput) -> InspectionState:
    f = _fake()
    missing = sum(1 for post, people in inp.shortlist.items() for c in people
                  if (post, c.person_id) not in f.inspections)
    if missing:
        return InspectionState(missing)
    out = InspectionState(0)
    for post in inp.posts:
        kept = [c for c in inp.shortlist.get(post.post, [])
                if f.inspections[(post.post, c.person_id)]][:post.inspected]
        _advance(f, post.post, "inspected", [c.person_id for c in kept])
        out.inspected[post.post] = kept
    return out


@activity.defn(name="advance_stage")
async def advance_stage(inp: StageInput) -> None:
    f = _fake()
    f.stage_calls.append(inp)
    _advance(f, inp.post, inp.stage, inp.person_ids)


@activity.defn(name="check_reduce")
async def check_reduce(inp: ReduceInput) -> Verdict:
    f = _fake()
    f.reduce_checks.append(inp)
    size = sum(p.seats for p in inp.posts)
    if size < f.min_committee:
        return Verdict(False, "P1", f"committee_size={size} — below {f.min_committee}")
    return Verdict(True, "P1")


@activity.defn(name="request_approval")
async def request_approval(inp: ApprovalInput) -> ApprovalState:
    f = _fake()
    key = (inp.post, inp.person.person_id, inp.attempt)
    if key not in f.approvals:
        kind = "filing" if inp.post == "member" else "approval"
        f.approvals[key] = ApprovalState(
            f"ap-{len(f.approvals) + 1}", inp.post, inp.person.person_id,
            inp.person.name, kind, "pending", inp.attempt)
    return f.approvals[key]


@activity.defn(name="approvals_state")
async def approvals_state(ref: ElectionRef) -> ApprovalsState:
    f = _fake()
    return ApprovalsState(list(f.approvals.values()))


@activity.defn(name="record_control")
async def record_control(inp: ControlRecord) -> None:
    _fake().controls.setdefault(inp.key, inp)  # as the service: once per key


def _advance(f: FakeServices, post: str, stage: str, person_ids: list[str]) -> None:
    for r in f.registrations:
        if r.post == post and r.who.person_id in person_ids:
            r.stage = stage


ACTIVITIES: list[Callable[..., Any]] = [
    register_election, plan_state, notice_anchors, publish_notice, close_notice, open_nominations,
    nomination_state, run_automatic_review, funnel, objection_state, open_meeting,
    meeting_state, open_round, round_state, close_meeting, decide_shortlist, inspection_state,
    advance_stage, check_reduce, request_approval, approvals_state, record_control]


SECRETARIES = ["张三", "李四", "赵六", "孙七"]
MEMBERS = ["周一", "吴二", "郑三", "王四", "冯五"]


def standard(secretary: PostPlan | None = None, member: PostPlan | None = None,
             min_committee: int = 3, **params: Any) -> FakeServices:
    """The edge scenarios' community: one secretary (4 shortlisted, 3 inspected, 2 candidates)
    and two members (5, 4, 3), nine nominees in rank order."""
    return FakeServices([secretary or PostPlan("secretary", 1, 4, 3, 2),
                         member or PostPlan("member", 2, 5, 4, 3)],
                        {"secretary": SECRETARIES, "member": MEMBERS}, params, min_committee)
