"""What one election's workflow knows between its steps: one dataclass, no I/O, no clock.

The workflow reads the authoritative facts back from the services (activities); this state
only holds what the workflow decided or announced itself (the step, the wait, the elected
persons, the plan as the congress changed it) and the counters that keep its calls' keys,
session numbers and notice holds stable under replay.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from core.ids import workflow_call_key
from core.vocabulary import STEPS as STEP_TABLE
from workflows.election.types import (
    Candidate,
    ElectionInput,
    ElectionStatus,
    PostPlan,
    StepRecord,
    Waiting,
)

STEPS: tuple[tuple[int, str], ...] = tuple((n, name) for n, name, _ in STEP_TABLE)


def _timeline() -> list[StepRecord]:
    return [StepRecord(step=n, name=name) for n, name in STEPS]


@dataclass
class ElectionState:
    inp: ElectionInput | None = None
    # ---- what the clients see (the ``status`` query) ----
    status: str = "running"          # running | completed | failed | aborted
    error: str = ""
    step: int = 0
    waiting: Waiting | None = None
    wait_seq: int = 0                # numbers each wait, so a client acts once per wait
    timeline: list[StepRecord] = field(default_factory=_timeline)
    version: int = 0                 # bumped on every change a client may want to see
    paused: bool = False
    pause_reason: str = ""
    paused_by: str = ""              # the role whose pause stands (CTL2)
    aborted: str = ""                # the abort's reason; empty while not aborted
    controls: int = 0                # control acts recorded (their idempotency keys)
    # ---- wake-ups and decisions sent in ----
    wakes: int = 0                   # wake-ups received; a wait reads the facts again on each
    unfilled_decisions: dict[str, str] = field(default_factory=dict)  # post -> reduce | reelect
    # ---- the plan and the funnel as the workflow holds them ----
    params: dict[str, Any] = field(default_factory=dict)  # the profile's effective parameters
    posts: list[PostPlan] = field(default_factory=list)   # M7 reduce shrinks a post's seats
    inspected: dict[str, list[Candidate]] = field(default_factory=dict)
    elected: dict[str, list[Candidate]] = field(default_factory=dict)
    elected_partial: dict[str, list[Candidate]] = field(default_factory=dict)  # M7, awaiting
    plenary_elected: set[str] = field(default_factory=set)  # P7 national
    excluded: dict[str, set[str]] = field(default_factory=dict)  # A2: sent back per post
    attempts: dict[str, int] = field(default_factory=dict)       # A2: elections per post
    # ---- counters that keep calls stable under replay ----
    keys: int = 0                    # keyed calls made (idempotency keys)
    sessions: dict[str, int] = field(default_factory=dict)  # meeting kind -> sessions opened
    local: bool = False              # activities run as local activities (a patch, see run)
    notices: int = 0                 # notice periods begun; a client holds each one at most once
    notice_held: int = 0             # the notice period a client holds (0: none)
    notice_hold_used: int = 0

    @property
    def election_id(self) -> str:
        return self.inp.election_id if self.inp else ""

    def require_input(self) -> ElectionInput:
        assert self.inp is not None
        return self.inp

    def bump(self) -> None:
        self.version += 1

    def set_waiting(self, waiting: Waiting | None) -> None:
        if waiting is not None:
            self.wait_seq += 1
            waiting = replace(waiting, seq=self.wait_seq)
        self.waiting = waiting
        self.bump()

    def session(self, kind: str) -> int:
        """The next session number of a meeting kind (M1: a session below quorum is followed
        by a new one)."""
        self.sessions[kind] = self.sessions.get(kind, 0) + 1
        return self.sessions[kind]

    def key(self, workflow_id: str, purpose: str) -> str:
        self.keys += 1
        return workflow_call_key(workflow_id, self.keys, purpose)

    def begin(self, step: int, now: str) -> None:
        self.step = step
        self.timeline[step - 1] = replace(self.timeline[step - 1], status="active",
                                          started_at=now)
        self.bump()

    def finish(self, step: int, now: str) -> None:
        self.timeline[step - 1] = replace(self.timeline[step - 1], status="done", ended_at=now)
        self.bump()

    def taken(self, but: str = "") -> set[str]:
        """The persons elected to any post (other than ``but``)."""
        return {c.person_id for p, cs in self.elected.items() if p != but for c in cs}

    def snapshot(self) -> ElectionStatus:
        return ElectionStatus(
            election_id=self.election_id, status=self.status, step=self.step,
            step_name=STEPS[self.step - 1][1] if self.step else "",
            paused=self.paused, waiting=self.waiting, timeline=list(self.timeline),
            version=self.version, error=self.error, pause_reason=self.pause_reason,
            elected=dict(self.elected), paused_by=self.paused_by)

    def summary(self) -> dict[str, Any]:
        """What a district parent keeps of this election (``child_progress``)."""
        inp = self.require_input()
        started = [t.started_at for t in self.timeline if t.started_at]
        ended = [t.ended_at for t in self.timeline if t.ended_at]
        return {
            "election_id": inp.election_id, "community_id": inp.community_id,
            "street_id": inp.street_id, "status": self.status, "step": self.step,
            "paused": self.paused, "waiting": self.waiting.kind if self.waiting else "",
            "deadline": self.waiting.deadline if self.waiting else "", "error": self.error,
            "started_at": started[0] if started else "",
            "ended_at": ended[-1] if ended and self.status != "running" else "",
            "version": self.version}
