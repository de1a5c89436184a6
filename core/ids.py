"""Identifiers every component derives the same way: workflow IDs, meeting and round IDs, and
the idempotency keys of the workflows' calls.

Deterministic on purpose: a retried call, a replayed workflow and a second client all arrive at
the same identifier, so the services' idempotency turns the repetition into a no-op.
"""

from __future__ import annotations

import hashlib


def election_workflow_id(election_id: str) -> str:
    """The Temporal workflow ID of one community's election."""
    return f"election-{election_id}"


def district_workflow_id(district_id: str) -> str:
    """The Temporal workflow ID of a district's cycle."""
    return f"district-{district_id}"


def district_election_id(district_id: str, community_id: str) -> str:
    """The election ID of a community inside a district's cycle."""
    return f"{district_id}-{community_id}"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def meeting_id_for(election_id: str, kind: str, session: int) -> str:
    """A meeting's ID: one per election, kind and session (a reopened session is the same)."""
    return "mt-" + _digest(f"{election_id}|{kind}|{session}")[:16]


def round_id_for(meeting_id: str, number: int) -> str:
    """The ID of a meeting's ``number``-th round."""
    return "rd-" + _digest(f"{meeting_id}|{number}")[:16]


def workflow_call_key(workflow_id: str, number: int, purpose: str) -> str:
    """The idempotency key of a workflow's ``number``-th keyed call (stable under replay)."""
    return f"{workflow_id}/{number}/{purpose}"


def activity_call_key(workflow_id: str, run_id: str, activity_id: str, suffix: str = "") -> str:
    """The idempotency key of an activity's call: stable across the activity's retries,
    distinct for every activity of the run."""
    return f"{workflow_id}/{run_id}/{activity_id}{'/' + suffix if suffix else ''}"


def create_election_key(election_id: str) -> str:
    """The key of an election's registration with the nomination service (once per election)."""
    return f"create-election/{election_id}"


def open_meeting_key(election_id: str, kind: str, session: int) -> str:
    """The key of opening one session of one kind of meeting."""
    return f"open-meeting/{election_id}/{kind}/{session}"


def approval_request_key(election_id: str, post: str, person_id: str, attempt: int) -> str:
    """The key of one approval request: per post, person and attempt (A2 reruns ask again)."""
    return f"approval/{election_id}/{post}/{person_id}/{attempt}"
