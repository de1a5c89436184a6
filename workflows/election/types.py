"""Inputs and outputs of the election workflows and activities (one dataclass each).

Workflow code imports these, the ground (``core``), the standard library and temporalio; the
activity classes it calls by method reference are passed through the sandbox, never run in it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from core.vocabulary import DEFAULT_PROFILE

WAKE_SIGNAL = "wake"


@dataclass
class ElectionInput:
    election_id: str
    community_id: str
    community_name: str
    org_type: str
    street_id: str = ""
    district_id: str = ""
    committee_id: str = ""          # the higher committee that approves (A3); default: the street
    profile: str = DEFAULT_PROFILE
    overrides: dict[str, Any] = field(default_factory=dict)
    day_seconds: float = 86400.0


@dataclass
class ElectionRef:
    election_id: str
    workflow_id: str = ""


@dataclass
class Candidate:
    person_id: str
    name: str


@dataclass
class PostPlan:
    post: str
    seats: int
    shortlist: int
    inspected: int
    candidates: int


@dataclass
class PlanState:
    status: str                      # none | draft | approved | rejected
    posts: list[PostPlan] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)  # effective profile parameters


@dataclass
class NominationState:
    window_status: str               # not_open | open | closed
    pending_reviews: int = 0
    auto_checked: bool = False


@dataclass
class SignedHeadState:
    """A service's chain head for the election, signed (docs/audit.md)."""

    service: str
    election_id: str
    seq: int
    head: str
    signed_at: str
    public_key: str
    signature: str


@dataclass
class RoundDigestState:
    """A counted round's ballot-box digest, as the results notice publishes it."""

    round_id: str
    post: str
    number: int
    source: str
    digest: str


@dataclass
class AnchorsQuery:
    election_id: str
    kind: str                        # the notice's kind: results also gathers the digests


@dataclass
class NoticeAnchors:
    """What a notice publishes beside its names: every service's signed head, and on a
    results notice every counted round's digest."""

    heads: list[SignedHeadState] = field(default_factory=list)
    digests: list[RoundDigestState] = field(default_factory=list)


@dataclass
class NoticeInput:
    election_id: str
    kind: str                        # announcement | registrants | shortlist | candidates | results
    title: str
    body: str
    names: list[str] = field(default_factory=list)
    days: int = 0
    heads: list[SignedHeadState] = field(default_factory=list)
    digests: list[RoundDigestState] = field(default_factory=list)


@dataclass
class CloseNoticeInput:
    election_id: str
    kind: str                        # the newest notice of this kind is closed


@dataclass
class ObjectionState:
    pending: int
    held: list[str] = field(default_factory=list)


@dataclass
class OpenMeetingInput:
    election_id: str
    workflow_id: str
    kind: str                        # recommendation | committee | congress | plenary
    session: int
    profile: str
    overrides: dict[str, Any] = field(default_factory=dict)
    electorate: list[Candidate] = field(default_factory=list)  # plenary: the new committee


@dataclass
class RoundState:
    round_id: str
    post: str
    kind: str
    status: str                      # open | counted
    seats: int
    void: bool = False
    elected: list[str] = field(default_factory=list)  # person_ids
    tied: list[str] = field(default_factory=list)
    unfilled: int = 0
    rules: list[str] = field(default_factory=list)


@dataclass
class MeetingState:
    meeting_id: str
    kind: str
    session: int
    status: str                      # checking_in | in_session | quorum_failed | closed
    expected: int = 0
    present_members: int = 0
    quorum_met: bool = False
    rounds: list[RoundState] = field(default_factory=list)


@dataclass
class OpenRoundInput:
    election_id: str
    meeting_id: str
    post: str
    kind: str                        # recommendation | trust | regular | tie | additional | repeat
    seats: int
    candidates: list[Candidate]
    key: str                         # idempotency key, stable across retries and replays


@dataclass
class StageInput:
    election_id: str
    post: str
    stage: str
    person_ids: list[str]
    rules: list[str]
    from_stage: str
    key: str


@dataclass
class ShortlistInput:
    election_id: str
    meeting_id: str
    profile: str
    overrides: dict[str, Any]
    posts: list[PostPlan]
    from_stage: str = "qualified"


@dataclass
class Funnel:
    """Persons per post after a stage, in rank order."""

    lists: dict[str, list[Candidate]] = field(default_factory=dict)


@dataclass
class InspectionInput:
    election_id: str
    posts: list[PostPlan]
    shortlist: dict[str, list[Candidate]]


@dataclass
class InspectionState:
    missing: int
    inspected: dict[str, list[Candidate]] = field(default_factory=dict)


@dataclass
class ApprovalInput:
    election_id: str
    workflow_id: str
    community_id: str
    street_id: str
    committee_id: str
    post: str
    person: Candidate
    attempt: int


@dataclass
class ApprovalState:
    approval_id: str
    post: str
    person_id: str
    name: str
    kind: str                        # approval | filing
    status: str                      # pending | approved | rejected | filed
    attempt: int


@dataclass
class ApprovalsState:
    approvals: list[ApprovalState] = field(default_factory=list)


@dataclass
class Waiting:
    kind: str                        # what the workflow waits for (machine-readable)
    label: str                       # e.g. "congress round for member"
    post: str = ""
    meeting_id: str = ""
    round_id: str = ""
    notice: str = ""
    deadline: str = ""               # notice periods: when the period ends (moves with pauses)
    seq: int = 0                     # numbers each wait, so a client acts once per wait


@dataclass
class StepRecord:
    step: int
    name: str
    status: str = "pending"          # pending | active | done
    started_at: str = ""
    ended_at: str = ""


@dataclass
class ElectionStatus:
    election_id: str
    status: str                      # running | completed | failed | aborted
    step: int
    step_name: str
    paused: bool
    waiting: Waiting | None
    timeline: list[StepRecord]
    version: int
    error: str = ""
    pause_reason: str = ""
    elected: dict[str, list[Candidate]] = field(default_factory=dict)
    paused_by: str = ""              # the role whose pause stands (CTL2: who may lift it)


@dataclass
class ParentSignal:
    """A child's progress summary for its district parent (``tell_parent``)."""
    parent_workflow_id: str
    summary: dict[str, Any] = field(default_factory=dict)


@dataclass
class NoticeRelease:
    notice: str                      # the notice kind a client held (await_turn) and releases


@dataclass
class ActorRef:
    """Who takes a control act: the token's role and scope, its ID and its holder (recorded
    with the act in the election's chain)."""

    role: str = ""
    scope: str = ""
    token_id: str = ""
    holder: str = ""

    def label(self) -> str:
        return f"{self.role}@{self.scope}"


@dataclass
class PauseInput:
    """The ``pause`` / ``resume`` / ``abort`` signals (``by``: who; ``recorded``: the sender
    has recorded the act already, as the district does for every child it signals)."""

    reason: str
    actor: str = ""
    by: ActorRef | None = None
    recorded: bool = False


@dataclass
class ControlAct:
    """The ``control`` update: pause | resume | abort, with who and why (checked against the
    role table of workflows/election/control.py, then recorded, then applied)."""

    action: str
    reason: str
    by: ActorRef = field(default_factory=ActorRef)


@dataclass
class ControlRecord:
    """``record_control``: one control act for the election's chain."""

    election_id: str
    kind: str
    key: str
    by: ActorRef
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass
class StageQuery:
    election_id: str
    stage: str


@dataclass
class CloseMeeting:
    meeting_id: str
    key: str


@dataclass
class ReduceInput:
    """M7 / P1: may the plan shrink to the seats actually filled?"""

    election_id: str
    posts: list[PostPlan]


@dataclass
class Verdict:
    ok: bool
    rule: str = ""
    reason: str = ""


@dataclass
class Wake:
    """``wake``: something the workflow waits on may have changed (the reason is for people)."""

    reason: str = ""


@dataclass
class ChangeQuery:
    """``await_change``: return once the status version differs from ``seen_version``."""

    seen_version: int


@dataclass
class TurnQuery:
    """``await_turn``: the next wait after wait number ``acted_seq`` whose kind is not in
    ``skip``; the periods of the notices in ``hold_notices`` stop until released (O2)."""

    acted_seq: int
    skip: list[str] = field(default_factory=list)
    hold_notices: list[str] = field(default_factory=list)


@dataclass
class UnfilledDecision:
    """``decide_unfilled``: the street committee's answer for an unfilled post (M7)."""

    post: str
    decision: str                    # reduce | reelect
    by: ActorRef | None = None       # who decided (recorded with the decision)
