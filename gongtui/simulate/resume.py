"""Where a scenario stands in an election that exists already (``simulate --resume``).

A player that stopped — killed, or the whole stack with it in a power cut — leaves the
election waiting in some step, with the inputs it sent recorded by the services. The player
started again with ``--resume ELECTION`` asks the workflow for the wait it stands in (its
``await_turn`` update, as any player does) and, before its first act, reads from the services
how far the scenario's queued inputs were consumed, so the next act takes the input an
uninterrupted player would have taken:

* the congress and plenary sessions: one scenario session per sitting of that kind the voting
  service holds, except the sitting the election is checking in (its act is still to come);
  the last one's rounds are queued again and its attendance kept;
* within that sitting, one round of a post per round of that post it holds, except the round
  the election waits in (its tally or ballots are still to be entered, or finished);
* the committee's rounds, one per round of the post across its sittings, likewise;
* the approvals, one per request of the post already decided (approved or rejected).

Everything else a player does is read from the services at each act (registrations pending
review, approvals pending, open rounds), so it is not sent again; an act that was half done
is sent again under the same idempotency keys (``Play.key``, made of the election's ID and
the act), which the services answer with what they recorded the first time. Electronic
ballots are cast once each (``gongtui.simulate.ballots.cast_electronic``).
"""

from __future__ import annotations

from typing import Any, Protocol

from gongtui.simulate.clients import Clients
from proto import approval_pb2, voting_pb2
from workflows.election.types import Waiting

DECIDED = ("approved", "rejected")


class Play(Protocol):
    """What of ``gongtui.simulate.driver.Play`` a resume reads and sets."""

    clients: Clients
    election_id: str
    committee_rounds: dict[str, list[dict[str, Any]]]
    congress_rounds: dict[str, list[dict[str, Any]]]
    plenary_rounds: dict[str, list[dict[str, Any]]]
    approvals: dict[str, list[Any]]

    def begin_session(self, kind: str) -> dict[str, Any] | None: ...


def _drop(queues: dict[str, list[dict[str, Any]]], post: str) -> None:
    """One input of ``post`` consumed: taken off its queue (none left: nothing to take)."""
    queue = queues.get(post)
    if queue:
        queue.pop(0)


async def _sittings(play: Play, kind: str) -> list[voting_pb2.Meeting]:
    meetings = (await play.clients.voting.ListMeetings(voting_pb2.ListMeetingsRequest(
        election_id=play.election_id, kind=kind))).meetings
    return sorted(meetings, key=lambda m: m.session)


async def restore(play: Play, w: Waiting) -> dict[str, int]:
    """Consume the scenario's inputs the services show as recorded before the wait ``w``;
    returns what was consumed (sessions, rounds, approvals), for the log."""
    consumed = {"sessions": 0, "rounds": 0, "approvals": 0}
    for m in await _sittings(play, "committee"):
        for r in m.rounds:
            if r.round_id != w.round_id:
                _drop(play.committee_rounds, r.post)
                consumed["rounds"] += 1
    for kind in ("congress", "plenary"):  # in the order they sit: the last one's attendance
        current = None
        for m in await _sittings(play, kind):
            if w.kind == f"{kind}_session" and m.meeting_id == w.meeting_id:
                continue  # the sitting checking in: its act is still to come
            if play.begin_session(kind) is None:
                break
            consumed["sessions"] += 1
            current = m
        if current is None:
            continue
        queues = play.congress_rounds if kind == "congress" else play.plenary_rounds
        for r in current.rounds:
            if r.round_id != w.round_id:
                _drop(queues, r.post)
                consumed["rounds"] += 1
    approvals = (await play.clients.approval.ListApprovals(
        approval_pb2.ListApprovalsRequest(election_id=play.election_id))).approvals
    for a in approvals:
        if a.status in DECIDED and play.approvals.get(a.post):
            play.approvals[a.post].pop(0)
            consumed["approvals"] += 1
    return consumed
