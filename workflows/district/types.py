"""Inputs, state and outputs of the district workflow and its activities (dataclasses, and
how a child's status folds into its summary).

Workflow code imports this module, the election types, the standard library and temporalio (and
the activity classes, passed through the sandbox, to call them by method reference).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from workflows.election.types import ElectionInput, ElectionStatus

DISTRICT_WORKFLOW = "DistrictElectionWorkflow"
COMMUNITY_WORKFLOW = "CommunityElectionWorkflow"
PROGRESS_SIGNAL = "child_progress"
ACTIONS = ("pause", "resume", "abort")
SCOPES = ("district", "street", "community")
FINAL = ("completed", "failed", "aborted", "terminated", "canceled", "timed_out")


@dataclass
class ChildSummary:
    """What the district knows of one community's election."""

    election_id: str
    community_id: str
    street_id: str
    status: str = "pending"          # pending | running | completed | failed | aborted | ...
    step: int = 0
    paused: bool = False
    waiting: str = ""                # Waiting.kind of the child, "" when it is working
    deadline: str = ""               # a notice period's end (moves with pauses)
    error: str = ""
    started_at: str = ""             # step 1 started (workflow time of the child)
    ended_at: str = ""               # the child's last step ended, or when it stopped
    version: int = -1


@dataclass
class ControlInput:
    """pause | resume | abort for the district, one street or one community, with a reason."""

    action: str
    scope: str                       # district | street | community
    target: str = ""                 # street id or community id ("" for the district)
    reason: str = ""
    actor: str = ""
    token_id: str = ""               # the acting token ("certificate:operator" at the CLI)


@dataclass
class ControlResult:
    action: str
    scope: str
    target: str
    affected: list[str] = field(default_factory=list)   # community ids whose state changed
    paused: int = 0                  # communities paused after the command


@dataclass
class ControlTarget:
    election_id: str
    workflow_id: str
    community_id: str


@dataclass
class ControlBatch:
    """One control command applied to its communities: audit record, then the child's signal."""

    district_id: str
    action: str
    scope: str
    target: str
    reason: str
    actor: str
    key: str                         # idempotency key prefix, stable across retries and replays
    targets: list[ControlTarget] = field(default_factory=list)
    token_id: str = ""               # the acting token (named by each record)


@dataclass
class RefreshInput:
    children: list[ChildSummary]


@dataclass
class RefreshResult:
    children: list[ChildSummary] = field(default_factory=list)


@dataclass
class ReportInput:
    district_id: str
    children: list[ChildSummary]


@dataclass
class DistrictState:
    """Everything a run hands to the next one when it continues as new."""

    started: bool = False
    children: dict[str, ChildSummary] = field(default_factory=dict)   # by election id
    # Pauses are held per community: pausing a scope pauses each community in it, resuming a
    # scope resumes each (a community resumed alone while its district stays paused runs on).
    paused: dict[str, str] = field(default_factory=dict)              # community id -> reason
    aborted: dict[str, str] = field(default_factory=dict)             # community id -> reason
    controls: int = 0                # control commands applied (idempotency keys)
    runs: int = 1                    # runs of this workflow (continue-as-new count + 1)
    log: list[dict[str, Any]] = field(default_factory=list)           # the control history


@dataclass
class DistrictInput:
    district_id: str
    name: str = ""
    elections: list[ElectionInput] = field(default_factory=list)
    day_seconds: float = 86400.0
    # The district reads its children's state through an activity at this interval (seconds of
    # workflow time) until the children report progress themselves (child_progress signal).
    refresh_seconds: float = 60.0
    # Continue as new past this many history events (Temporal suggests 4,096 / 4 MB).
    max_history_events: int = 4000
    start_batch: int = 100           # children started per workflow task
    state: DistrictState | None = None


@dataclass
class StreetProgress:
    communities: int = 0
    per_step: dict[int, int] = field(default_factory=dict)
    paused: int = 0
    waiting: int = 0
    completed: int = 0
    failed: int = 0
    aborted: int = 0


@dataclass
class DistrictProgress:
    district_id: str
    status: str                      # starting | running | reporting | completed
    communities: int
    per_step: dict[int, int]         # running communities per current step
    paused: int
    waiting: int
    completed: int
    failed: int
    aborted: int
    streets: dict[str, StreetProgress]
    paused_reasons: dict[str, int]   # reason -> communities paused for it
    runs: int
    history_events: int
    version: int


@dataclass
class DistrictResult:
    district_id: str
    communities: int
    completed: int
    failed: int
    aborted: int
    report: dict[str, Any]
    children: list[ChildSummary]
    runs: int
    controls: list[dict[str, Any]]


def summarize(summary: ChildSummary, st: ElectionStatus) -> ChildSummary:
    """A child's status folded into what the district keeps of it."""
    started = next((s.started_at for s in st.timeline if s.started_at), "")
    ended = max((s.ended_at for s in st.timeline if s.ended_at), default="")
    return replace(summary, status=st.status, step=st.step, paused=st.paused,
                   waiting=st.waiting.kind if st.waiting else "",
                   deadline=st.waiting.deadline if st.waiting else "",
                   error=st.error, started_at=started or summary.started_at,
                   ended_at=ended or summary.ended_at, version=st.version)
