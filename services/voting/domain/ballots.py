"""Electronic ballots: the one-time codes of a secret ballot handed out (M12) — issued, then
casting opened, a lost batch re-issued, a spoilt ballot replaced — and the validity of a
cast's marks (M3, M4, M8)."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Awaitable, Callable, Sequence
from functools import lru_cache

from google.protobuf.message import Message
from sqlalchemy import delete, func, select

import rules
from core.names import normalize_name
from proto import voting_pb2
from services.common.errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound
from services.common.store import Tx
from services.voting.domain import batches, sealing
from services.voting.domain.converters import round_to_message
from services.voting.domain.shared import (
    CHOICES,
    CONGRESS_ROUND_KINDS,
    SubDomain,
    meeting_row,
    require_open,
    round_row,
)
from services.voting.models import BallotCodeRow, BallotIssueRow, ElectorRow, RoundRow

_random = secrets.SystemRandom()

#: the methods whose answers keep a batch of codes sealed (``batches``), and their requests
BATCH_METHODS = ("IssueBallots", "ReissueBallots", "SpoilBallot")
BatchRequest = (voting_pb2.IssueBallotsRequest | voting_pb2.ReissueBallotsRequest
                | voting_pb2.SpoilBallotRequest)


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

    async def issued_once(self, method: str, request: BatchRequest,
                          fn: Callable[[Tx], Awaitable[voting_pb2.IssueBallotsResponse]]
                          ) -> voting_pb2.IssueBallotsResponse:
        """A batch of codes issued once per idempotency key: the key keeps the answer with the
        codes sealed under the key (``batches``), stored under a digest of the key and of the
        request without the persons or the code it names (``stand_in``), so a retry answers
        the same codes and the database holds nothing that opens them."""
        key, round_id = request.idempotency_key, request.round_id
        lookup = batches.lookup_key(key)

        async def sealed(tx: Tx) -> voting_pb2.IssueBallotsResponse:
            response = await fn(tx)
            return voting_pb2.IssueBallotsResponse(
                issued_total=response.issued_total,
                sealed_codes=batches.seal(key, round_id, list(response.codes)))

        kept = await self.store.mutate(lookup, method, stand_in(request),
                                       voting_pb2.IssueBallotsResponse, sealed, request.actor)
        return voting_pb2.IssueBallotsResponse(
            codes=batches.unseal(key, round_id, kept.sealed_codes),
            issued_total=kept.issued_total)

    async def issue_ballots(self, tx: Tx,
                            req: voting_pb2.IssueBallotsRequest) -> voting_pb2.IssueBallotsResponse:
        rnd = await round_row(tx, req.round_id)
        require_open(rnd)
        require_issuing(rnd)
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
        # ... and, apart from it, a batch of random codes, stored as their hashes only
        codes = new_codes(tx, rnd.round_id, len(seen))
        rnd.source = "electronic"
        await tx.session.flush()
        total = (await tx.session.execute(select(func.count()).select_from(BallotIssueRow).where(
            BallotIssueRow.round_id == rnd.round_id))).scalar_one()
        rnd.issued = int(total)
        await tx.audit(rnd.election_id, "ballots.issued", {
            "round_id": rnd.round_id, "count": len(codes), "issued_total": int(total)})
        return voting_pb2.IssueBallotsResponse(codes=codes, issued_total=int(total))

    async def open_casting(self, tx: Tx, req: voting_pb2.RoundActionRequest) -> voting_pb2.Round:
        """The ballots are issued: casting opens and no ballot is issued after (re-issue and
        spoil excepted). The issue records and code hashes are written again (``sealing``)."""
        rnd = await round_row(tx, req.round_id)
        require_open(rnd)
        if rnd.source != "electronic":
            raise FailedPrecondition("no electronic ballot was issued in this round",
                                     field="round_id")
        require_issuing(rnd)
        rnd.casting = True
        await sealing.rewrite_issues_and_codes(tx, rnd.round_id)
        # the phase on the record: from here on no ballot is issued (re-issue and spoil
        # excepted, each recorded); how many were issued, never to whom
        await tx.audit(rnd.election_id, "casting.opened", {
            "round_id": rnd.round_id, "issued": int(rnd.issued)})
        return round_to_message(rnd)

    async def reissue_ballots(self, tx: Tx, req: voting_pb2.ReissueBallotsRequest
                              ) -> voting_pb2.IssueBallotsResponse:
        """A lost batch: its codes not yet cast are void and as many new ones issued. Which
        codes the batch holds is opened with the key it was issued under (``batches``),
        which only its issuer has; nothing says which person holds which."""
        rnd = await replaceable_round(tx, req.round_id, req.reason)
        if not req.issue_key:
            raise InvalidArgument("required: the idempotency key the batch was issued under",
                                  field="issue_key")
        model = self.store.models.idempotency
        found = (await tx.session.execute(select(model.response).where(
            model.key == batches.lookup_key(req.issue_key),
            model.method.in_(BATCH_METHODS)))).scalar_one_or_none()
        if found is None:
            raise FailedPrecondition("no batch was issued under this key", field="issue_key")
        kept = voting_pb2.IssueBallotsResponse.FromString(found)
        hashes = [code_hash(c) for c in batches.unseal(req.issue_key, rnd.round_id,
                                                       kept.sealed_codes, "issue_key")]
        unused = (await tx.session.execute(select(BallotCodeRow.code_hash).where(
            BallotCodeRow.round_id == rnd.round_id, BallotCodeRow.code_hash.in_(hashes),
            BallotCodeRow.used.is_(False)))).scalars().all()
        if not unused:
            raise FailedPrecondition("no code of this batch is left to re-issue: its ballots"
                                     " were cast, re-issued or spoilt", field="issue_key")
        await tx.session.execute(delete(BallotCodeRow).where(
            BallotCodeRow.code_hash.in_(list(unused))))
        codes = new_codes(tx, rnd.round_id, len(unused))
        await tx.audit(rnd.election_id, "ballots.reissued", {
            "round_id": rnd.round_id, "count": len(codes), "reason": req.reason.strip()})
        return voting_pb2.IssueBallotsResponse(codes=codes, issued_total=rnd.issued)

    async def spoil_ballot(self, tx: Tx, req: voting_pb2.SpoilBallotRequest
                           ) -> voting_pb2.IssueBallotsResponse:
        """A ballot spoilt before it was cast, handed back with its code: the code is void
        and a new one issued in its place."""
        rnd = await replaceable_round(tx, req.round_id, req.reason)
        if not req.code:
            raise InvalidArgument("required", field="code")
        row = await tx.session.get(BallotCodeRow, code_hash(req.code), with_for_update=True)
        if row is None or row.round_id != rnd.round_id:
            raise NotFound("unknown ballot code for this round", field="code")
        if row.used:
            raise AlreadyExists("ballot code already used: a cast ballot cannot be spoilt",
                                field="code")
        await tx.session.delete(row)
        await tx.session.flush()
        codes = new_codes(tx, rnd.round_id, 1)
        await tx.audit(rnd.election_id, "ballot.spoiled", {
            "round_id": rnd.round_id, "reason": req.reason.strip()})
        return voting_pb2.IssueBallotsResponse(codes=codes, issued_total=rnd.issued)


def stand_in(request: BatchRequest) -> Message:
    """What a batch's idempotency digest is taken over: the request with its persons
    counted, not named, and the code or key it names only as a digest (``batches``)."""
    if isinstance(request, voting_pb2.IssueBallotsRequest):
        return voting_pb2.IssueBallotsRequest(actor=request.actor, round_id=request.round_id,
                                              person_ids=["*"] * len(request.person_ids))
    if isinstance(request, voting_pb2.ReissueBallotsRequest):
        return voting_pb2.ReissueBallotsRequest(
            actor=request.actor, round_id=request.round_id, reason=request.reason,
            issue_key=batches.lookup_key(request.issue_key) if request.issue_key else "")
    return voting_pb2.SpoilBallotRequest(
        actor=request.actor, round_id=request.round_id, reason=request.reason,
        code=code_hash(request.code) if request.code else "")


def new_codes(tx: Tx, round_id: str, n: int) -> list[str]:
    """A batch of ``n`` random codes, stored as their hashes (one transaction, shuffled: no
    code has an order of its own), in the order they are handed out (shuffled again)."""
    codes = [secrets.token_urlsafe(24) for _ in range(n)]
    _random.shuffle(codes)
    tx.session.add_all(BallotCodeRow(code_hash=code_hash(c), round_id=round_id, used=False)
                       for c in codes)
    _random.shuffle(codes)
    return codes


def require_issuing(rnd: RoundRow) -> None:
    if rnd.casting:
        raise FailedPrecondition(f"casting has opened in round {rnd.round_id}: no ballot is"
                                 " issued now (re-issue a lost batch or replace a spoilt"
                                 " ballot instead)", field="round_id")


async def replaceable_round(tx: Tx, round_id: str, reason: str) -> RoundRow:
    """The open electronic round whose ballot is re-issued or spoilt (in either phase)."""
    if not reason.strip():
        raise InvalidArgument("required: why the ballot is replaced", field="reason")
    rnd = await round_row(tx, round_id)
    require_open(rnd)
    if rnd.source != "electronic":
        raise FailedPrecondition("no electronic ballot was issued in this round",
                                 field="round_id")
    return rnd
