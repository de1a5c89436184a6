"""Electronic ballots: the one-time codes of a secret ballot handed out (M12), and the validity
of a cast's marks (M3, M4, M8)."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from functools import lru_cache

from sqlalchemy import func, select

import rules
from core.names import normalize_name
from proto import voting_pb2
from services.common.errors import FailedPrecondition, InvalidArgument
from services.common.store import Tx
from services.voting.domain.shared import (
    CHOICES,
    CONGRESS_ROUND_KINDS,
    SubDomain,
    meeting_row,
    require_open,
    round_row,
)
from services.voting.models import BallotCodeRow, BallotIssueRow, ElectorRow

_random = secrets.SystemRandom()


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def code_hash(code: str) -> str:
    """What ``ballot_codes`` stores of a one-time code (and what CastBallot keys its write on)."""
    return sha256_hex(code)


@lru_cache(maxsize=4096)
def _section_validity(seats: int, marks: tuple[tuple[str | None, str, str | None], ...]
                      ) -> tuple[bool, str]:
    """M3/M4 by the rule engine; a pure function of the seats and the marks, so ballots marked
    alike are judged once (the engine costs more than the rest of a cast)."""
    verdict = rules.ballot_section_valid(seats, [rules.Mark(*m) for m in marks])
    return verdict.ok, "" if verdict.ok else verdict.rule


def ballot_validity(kind: str, seats: int, candidates: frozenset[str],
                    marks: Sequence[voting_pb2.Mark]) -> tuple[bool, str]:
    """Refuses malformed marks (InvalidArgument); returns (valid, invalid_rule) by the rules."""
    for i, m in enumerate(marks):
        if m.person_id and m.person_id not in candidates:
            raise InvalidArgument(f"marks[{i}] names {m.person_id!r}, not a candidate of this"
                                  " round", field="marks", value=m.person_id)
        if not m.person_id and not normalize_name(m.write_in):
            raise InvalidArgument(f"marks[{i}] names no candidate and no write-in",
                                  field="marks")
    if kind in CONGRESS_ROUND_KINDS:
        return _section_validity(seats, tuple(
            (m.person_id or None, m.choice, normalize_name(m.write_in) or None) for m in marks))
    # recommendation / trust ballots (M8): one mark per listed person and no write-in (it
    # lists the persons to recommend / to trust); a ballot spoilt so is invalid, like paper
    marked = [m.person_id for m in marks if m.person_id]
    if (any(normalize_name(m.write_in) for m in marks) or len(set(marked)) != len(marked)
            or any(m.choice not in CHOICES for m in marks)):
        return False, "M8"
    if kind == "trust":  # trust (for) / no trust (against) per person
        return True, ""
    verdict = rules.recommendation_ballot_valid(seats, sum(1 for m in marks if m.choice == "for"))
    return verdict.ok, "" if verdict.ok else verdict.rule


class Ballots(SubDomain):
    """One-time codes issued to the persons checked in, apart from who received them."""

    async def issue_ballots(self, tx: Tx,
                            req: voting_pb2.IssueBallotsRequest) -> voting_pb2.IssueBallotsResponse:
        rnd = await round_row(tx, req.round_id)
        require_open(rnd)
        meeting = await meeting_row(tx, rnd.meeting_id, lock=False)
        if meeting.kind == "committee":
            raise FailedPrecondition("the committee votes on paper: enter its tally",
                                     field="round_id")
        if rnd.source == "paper":
            raise FailedPrecondition("this round is counted on paper (a tally was entered)",
                                     field="round_id")
        if not req.person_ids:
            raise InvalidArgument("required", field="person_ids")
        wanted_class = "other" if rnd.kind == "trust" else "member"
        class_rule = "M8" if meeting.kind == "recommendation" else "E1"
        seen: set[str] = set()
        for p in req.person_ids:
            if p in seen:
                raise FailedPrecondition(f"{p} is listed twice: one ballot per person",
                                         field="person_ids", value=p)
            seen.add(p)
        electors = {e.person_id: e for e in (await tx.session.execute(select(ElectorRow).where(
            ElectorRow.meeting_id == meeting.meeting_id,
            ElectorRow.person_id.in_(list(seen))))).scalars().all()}
        for p in req.person_ids:
            e = electors.get(p)
            if e is None:
                raise FailedPrecondition(f"{p} is not in the electorate of this meeting",
                                         field="person_ids", value=p)
            if not e.checked_in:
                raise FailedPrecondition(f"{p} has not checked in", field="person_ids", value=p)
            if e.elector_class != wanted_class:
                what = "a trust ballot" if rnd.kind == "trust" else f"a {rnd.kind} ballot"
                raise FailedPrecondition(f"{p} ({e.elector_class}) does not receive {what}",
                                         field="person_ids", value=p, rule=class_rule)
        already = (await tx.session.execute(select(BallotIssueRow.person_id).where(
            BallotIssueRow.round_id == rnd.round_id,
            BallotIssueRow.person_id.in_(list(seen))))).scalars().all()
        if already:
            raise FailedPrecondition(f"already received a ballot in this round: "
                                     f"{', '.join(sorted(already))}", field="person_ids",
                                     value=sorted(already))
        # THAT each person received a ballot (in person-id order, never in code order) ...
        tx.session.add_all(BallotIssueRow(round_id=rnd.round_id, person_id=p)
                           for p in sorted(seen))
        # ... and, apart from it, one random code per ballot, stored as its hash only, in an
        # order unrelated to the persons'
        codes = [secrets.token_urlsafe(24) for _ in seen]
        _random.shuffle(codes)
        tx.session.add_all(BallotCodeRow(code_hash=code_hash(c), round_id=rnd.round_id, used=False)
                           for c in codes)
        _random.shuffle(codes)
        rnd.source = "electronic"
        await tx.session.flush()
        total = (await tx.session.execute(select(func.count()).select_from(BallotIssueRow).where(
            BallotIssueRow.round_id == rnd.round_id))).scalar_one()
        rnd.issued = int(total)
        await tx.audit(rnd.election_id, "ballots.issued", {
            "round_id": rnd.round_id, "count": len(codes), "issued_total": int(total)})
        return voting_pb2.IssueBallotsResponse(codes=codes, issued_total=int(total))
