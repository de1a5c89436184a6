"""Meetings, attendance and quorum (M1, M11), rounds, ballots and counting (M2-M8, M11, M12).

Ballot secrecy: ``ballot_issues`` says THAT a person received a ballot; ``ballot_codes`` keeps
only the sha256 of each one-time code; ``ballots`` keeps marks and a receipt. Nothing here
writes a person and a code (or a ballot) into the same row or the same audit record.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import func, select

import rules
from proto import voting_pb2
from services.common.errors import (
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    from_rule_violation,
)
from services.common.store import Store, Tx, canonical_json
from services.voting.models import (
    BallotCodeRow,
    BallotIssueRow,
    BallotRow,
    ElectorRow,
    MeetingRow,
    RoundRow,
    TallyRow,
)
from services.voting.official import confirmed_by, is_official, refuse_if_official

MEETING_KINDS = ("recommendation", "committee", "congress", "plenary")
ELECTOR_CLASSES = ("member", "other")
CONGRESS_ROUND_KINDS = ("regular", "tie", "additional", "repeat")
ROUND_KINDS = ("recommendation", "trust", *CONGRESS_ROUND_KINDS)
# which round kinds a meeting holds
MEETING_ROUND_KINDS = {
    "recommendation": ("recommendation", "trust"),
    "committee": CONGRESS_ROUND_KINDS,
    "congress": CONGRESS_ROUND_KINDS,
    # P7 national: the new committee's first plenary elects the secretary and deputies
    "plenary": CONGRESS_ROUND_KINDS,
}
POSTS = ("secretary", "deputy_secretary", "member")
CHOICES = ("for", "against", "abstain")

_random = secrets.SystemRandom()


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def code_hash(code: str) -> str:
    """What ``ballot_codes`` stores of a one-time code (and what CastBallot keys its write on)."""
    return sha256_hex(code)


def meeting_id_for(election_id: str, kind: str, session: int) -> str:
    return "mt-" + sha256_hex(f"{election_id}|{kind}|{session}")[:16]


def round_id_for(meeting_id: str, number: int) -> str:
    return "rd-" + sha256_hex(f"{meeting_id}|{number}")[:16]


@lru_cache(maxsize=64)
def _profile(name: str, overrides_json: str) -> rules.Profile:
    overrides = json.loads(overrides_json) if overrides_json else None
    return rules.load_profile(name, overrides)


def load_profile(name: str, overrides_json: str) -> rules.Profile:
    try:
        return _profile(name, overrides_json)
    except rules.RuleViolation as exc:
        raise from_rule_violation(exc) from exc


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
        if not m.person_id and not m.write_in.strip():
            raise InvalidArgument(f"marks[{i}] names no candidate and no write-in",
                                  field="marks")
    if kind in CONGRESS_ROUND_KINDS:
        return _section_validity(seats, tuple(
            (m.person_id or None, m.choice, m.write_in.strip() or None) for m in marks))
    # recommendation / trust ballots (M8): one mark per listed person and no write-in (it
    # lists the persons to recommend / to trust); a ballot spoilt so is invalid, like paper
    marked = [m.person_id for m in marks if m.person_id]
    if (any(m.write_in.strip() for m in marks) or len(set(marked)) != len(marked)
            or any(m.choice not in CHOICES for m in marks)):
        return False, "M8"
    if kind == "trust":  # trust (for) / no trust (against) per person
        return True, ""
    verdict = rules.recommendation_ballot_valid(seats, sum(1 for m in marks if m.choice == "for"))
    return verdict.ok, "" if verdict.ok else verdict.rule


# --------------------------------------------------------------------------- messages
def round_to_message(row: RoundRow) -> voting_pb2.Round:
    return voting_pb2.Round(
        round_id=row.round_id, meeting_id=row.meeting_id, election_id=row.election_id,
        post=row.post, kind=row.kind, number=row.number, seats=row.seats,
        candidates=[voting_pb2.Candidate(**c) for c in json.loads(row.candidates_json)],
        status=row.status, issued=row.issued, returned=row.returned, valid=row.valid,
        invalid=row.invalid, void=row.void,
        tally=[voting_pb2.TallyLine(**line) for line in json.loads(row.tally_json)],
        elected=json.loads(row.elected_json), tied=json.loads(row.tied_json),
        unfilled=row.unfilled, rules=json.loads(row.rules_json),
        ballot_box_digest=row.ballot_box_digest,
        write_ins=[voting_pb2.WriteIn(**w) for w in json.loads(row.write_ins_json)],
        source=row.source, confirmed_by=confirmed_by(row), official=is_official(row))


def meeting_to_message(row: MeetingRow, rounds: Sequence[RoundRow] = ()) -> voting_pb2.Meeting:
    return voting_pb2.Meeting(
        meeting_id=row.meeting_id, election_id=row.election_id, kind=row.kind,
        session=row.session, status=row.status, expected=row.expected,
        present_members=row.present_members, present_others=row.present_others,
        quorum_met=row.quorum_met, quorum_rule=row.quorum_rule,
        rounds=[round_to_message(r) for r in sorted(rounds, key=lambda r: r.number)])


def _candidates(row: RoundRow) -> list[dict[str, str]]:
    return json.loads(row.candidates_json)


def _required(req: Any, *names: str) -> None:
    for name in names:
        if not getattr(req, name):
            raise InvalidArgument("required", field=name)


class VotingDomain:
    def __init__(self, store: Store):
        self.store = store

    # ----------------------------------------------------------------------- lookups in a tx
    # Row locks (PostgreSQL; SQLite's writes are serialised by the process): every write that
    # reads a meeting's or a round's state and then changes it holds the row's lock, so two
    # check-ins of the same voter (or a cast against the count) cannot both see the old state.
    @staticmethod
    async def _meeting(tx: Tx, meeting_id: str, lock: bool = True) -> MeetingRow:
        row = await tx.session.get(MeetingRow, meeting_id,
                                   with_for_update=True if lock else None) if meeting_id else None
        if row is None:
            raise NotFound(f"no meeting {meeting_id!r}", field="meeting_id")
        return row

    @staticmethod
    async def _round(tx: Tx, round_id: str, lock: bool | dict[str, bool] = True) -> RoundRow:
        row = await tx.session.get(RoundRow, round_id,
                                   with_for_update=lock or None) if round_id else None
        if row is None:
            raise NotFound(f"no round {round_id!r}", field="round_id")
        return row

    @staticmethod
    async def _rounds(session: Any, meeting_ids: Sequence[str]) -> list[RoundRow]:
        if not meeting_ids:
            return []
        return list((await session.execute(select(RoundRow).where(
            RoundRow.meeting_id.in_(list(meeting_ids))))).scalars().all())

    async def _meeting_message(self, tx: Tx, row: MeetingRow) -> voting_pb2.Meeting:
        return meeting_to_message(row, await self._rounds(tx.session, [row.meeting_id]))

    @staticmethod
    def _require_open(row: RoundRow) -> None:
        refuse_if_official(row)
        if row.status != "open":
            raise FailedPrecondition(f"round {row.round_id} is {row.status}, not open",
                                     field="round_id")

    # ----------------------------------------------------------------------- meetings
    async def open_meeting(self, tx: Tx, req: voting_pb2.OpenMeetingRequest) -> voting_pb2.Meeting:
        _required(req, "election_id", "kind", "profile")
        if req.kind not in MEETING_KINDS:
            raise InvalidArgument(f"must be one of {', '.join(MEETING_KINDS)}", field="kind",
                                  value=req.kind)
        if req.session < 1:
            raise InvalidArgument("a session number is 1, 2, ...", field="session",
                                  value=req.session)
        overrides_json = req.overrides_json.strip()
        if overrides_json:
            try:
                overrides = json.loads(overrides_json)
            except ValueError as exc:
                raise InvalidArgument(f"not JSON: {exc}", field="overrides_json") from exc
            if not isinstance(overrides, dict):
                raise InvalidArgument("must be a JSON object", field="overrides_json")
            overrides_json = canonical_json(overrides)
        load_profile(req.profile, overrides_json)

        meeting_id = meeting_id_for(req.election_id, req.kind, req.session)
        existing = await tx.session.get(MeetingRow, meeting_id)
        if existing is not None:  # the same meeting again: its electorate is already frozen
            return await self._meeting_message(tx, existing)

        electors: list[ElectorRow] = []
        if req.kind == "committee":
            if req.electorate:
                raise InvalidArgument("a committee meeting checks in by headcount; send no"
                                      " electorate", field="electorate")
        elif not req.electorate:
            raise InvalidArgument("the electorate is empty", field="electorate")
        seen: set[str] = set()
        for i, e in enumerate(req.electorate):
            if not e.person_id:
                raise InvalidArgument("required", field=f"electorate[{i}].person_id")
            if e.person_id in seen:
                raise InvalidArgument(f"{e.person_id} is listed twice",
                                      field=f"electorate[{i}].person_id", value=e.person_id)
            seen.add(e.person_id)
            if getattr(e, "class") not in ELECTOR_CLASSES:
                raise InvalidArgument("must be member or other", field=f"electorate[{i}].class",
                                      value=getattr(e, "class"))
            electors.append(ElectorRow(meeting_id=meeting_id, person_id=e.person_id, name=e.name,
                                       elector_class=getattr(e, "class"), expected=e.expected,
                                       checked_in=False))
        expected = sum(1 for e in electors if e.elector_class == "member" and e.expected)
        row = MeetingRow(meeting_id=meeting_id, election_id=req.election_id, kind=req.kind,
                         session=req.session, status="checking_in", expected=expected,
                         present_members=0, present_others=0, quorum_met=False, quorum_rule="",
                         workflow_id=req.workflow_id, profile=req.profile,
                         overrides_json=overrides_json)
        tx.session.add(row)
        tx.session.add_all(electors)
        await tx.audit(req.election_id, "meeting.opened", {
            "meeting_id": meeting_id, "kind": req.kind, "session": req.session,
            "profile": req.profile, "overrides": overrides_json, "expected": expected,
            "electorate": [{"person_id": e.person_id, "name": e.name, "class": e.elector_class,
                            "expected": e.expected} for e in electors]})
        return meeting_to_message(row)

    async def _count_present(self, tx: Tx, meeting_id: str) -> dict[str, int]:
        rows = (await tx.session.execute(
            select(ElectorRow.elector_class, func.count())
            .where(ElectorRow.meeting_id == meeting_id, ElectorRow.checked_in.is_(True))
            .group_by(ElectorRow.elector_class))).all()
        return {cls: int(n) for cls, n in rows}

    async def check_in(self, tx: Tx, req: voting_pb2.CheckInRequest) -> voting_pb2.CheckInResponse:
        meeting = await self._meeting(tx, req.meeting_id)
        if meeting.status != "checking_in":
            raise FailedPrecondition(f"check-in is over: the meeting is {meeting.status}",
                                     field="meeting_id")
        if meeting.kind == "committee":
            if req.person_ids:
                raise InvalidArgument("a committee meeting checks in by headcount",
                                      field="person_ids")
            if req.committee_size < 1:
                raise InvalidArgument("the committee's membership is required",
                                      field="committee_size", value=req.committee_size)
            if not 0 <= req.headcount <= req.committee_size:
                raise InvalidArgument(
                    f"headcount {req.headcount} must be between 0 and the committee size"
                    f" {req.committee_size}", field="headcount", value=req.headcount)
            added = max(0, req.headcount - meeting.present_members)
            meeting.expected = req.committee_size
            meeting.present_members = req.headcount
            await tx.audit(meeting.election_id, "meeting.checked_in", {
                "meeting_id": meeting.meeting_id, "committee_size": req.committee_size,
                "headcount": req.headcount})
            return voting_pb2.CheckInResponse(meeting=await self._meeting_message(tx, meeting),
                                              checked_in=added)

        if req.committee_size or req.headcount:
            raise InvalidArgument("only a committee meeting checks in by headcount",
                                  field="committee_size" if req.committee_size else "headcount")
        if not req.person_ids:
            raise InvalidArgument("required", field="person_ids")
        wanted = list(dict.fromkeys(req.person_ids))
        found = {e.person_id: e for e in (await tx.session.execute(select(ElectorRow).where(
            ElectorRow.meeting_id == meeting.meeting_id,
            ElectorRow.person_id.in_(wanted)))).scalars().all()}
        missing = [p for p in wanted if p not in found]
        if missing:
            raise NotFound(f"not in the electorate of this meeting: {', '.join(missing)}",
                           field="person_ids", value=missing)
        newly = [p for p in wanted if not found[p].checked_in]
        for p in newly:
            found[p].checked_in = True
        await tx.session.flush()
        present = await self._count_present(tx, meeting.meeting_id)
        meeting.present_members = present.get("member", 0)
        meeting.present_others = present.get("other", 0)
        await tx.audit(meeting.election_id, "meeting.checked_in", {
            "meeting_id": meeting.meeting_id, "count": len(newly), "person_ids": newly})
        return voting_pb2.CheckInResponse(meeting=await self._meeting_message(tx, meeting),
                                          checked_in=len(newly))

    async def confirm_attendance(self, tx: Tx,
                                 req: voting_pb2.MeetingActionRequest) -> voting_pb2.Meeting:
        meeting = await self._meeting(tx, req.meeting_id)
        if meeting.status != "checking_in":
            raise FailedPrecondition(f"attendance is already confirmed: the meeting is"
                                     f" {meeting.status}", field="meeting_id")
        profile = load_profile(meeting.profile, meeting.overrides_json)
        reason = ""
        if meeting.kind == "committee":
            if meeting.expected < 1:
                raise FailedPrecondition("check the committee in first (committee_size,"
                                         " headcount)", field="committee_size")
            outcome = rules.committee_vote(profile, meeting.expected, meeting.present_members,
                                           {}, 0, [])
            meeting.quorum_met, meeting.quorum_rule = outcome.quorum_met, "M11"
        else:
            present = await self._count_present(tx, meeting.meeting_id)
            meeting.present_members = present.get("member", 0)
            meeting.present_others = present.get("other", 0)
            if meeting.kind in ("congress", "plenary"):
                verdict = rules.congress_quorum(profile, meeting.present_members, meeting.expected)
                meeting.quorum_met, meeting.quorum_rule = verdict.ok, verdict.rule
                reason = verdict.reason
            else:  # recommendation meeting: attendance of both groups is recorded (M8)
                meeting.quorum_met, meeting.quorum_rule = True, ""
        meeting.status = "in_session" if meeting.quorum_met else "quorum_failed"
        await tx.audit(meeting.election_id, "meeting.attendance_confirmed", {
            "meeting_id": meeting.meeting_id, "kind": meeting.kind, "expected": meeting.expected,
            "present_members": meeting.present_members, "present_others": meeting.present_others,
            "quorum_met": meeting.quorum_met, "rule": meeting.quorum_rule, "reason": reason,
            "status": meeting.status})
        tx.wake(meeting.workflow_id, f"meeting {meeting.meeting_id} {meeting.status}")
        return await self._meeting_message(tx, meeting)

    async def close_meeting(self, tx: Tx, req: voting_pb2.MeetingActionRequest) -> voting_pb2.Meeting:
        meeting = await self._meeting(tx, req.meeting_id)
        if meeting.status == "closed":
            raise FailedPrecondition("the meeting is already closed", field="meeting_id")
        rounds = await self._rounds(tx.session, [meeting.meeting_id])
        still_open = [r.number for r in rounds if r.status == "open"]
        if still_open:
            raise FailedPrecondition(f"rounds still open: {still_open}; close them first",
                                     field="meeting_id", value=still_open)
        previous, meeting.status = meeting.status, "closed"
        await tx.audit(meeting.election_id, "meeting.closed", {
            "meeting_id": meeting.meeting_id, "previous_status": previous,
            "rounds": len(rounds)})
        tx.wake(meeting.workflow_id, f"meeting {meeting.meeting_id} closed")
        return meeting_to_message(meeting, rounds)

    # ----------------------------------------------------------------------- rounds
    async def open_round(self, tx: Tx, req: voting_pb2.OpenRoundRequest) -> voting_pb2.Round:
        meeting = await self._meeting(tx, req.meeting_id)
        if meeting.status != "in_session":
            raise FailedPrecondition(f"the meeting is {meeting.status}, not in session",
                                     field="meeting_id",
                                     rule=meeting.quorum_rule if meeting.status == "quorum_failed"
                                     else "")
        allowed = MEETING_ROUND_KINDS[meeting.kind]
        if req.kind not in allowed:
            raise InvalidArgument(f"a {meeting.kind} meeting holds {', '.join(allowed)} rounds",
                                  field="kind", value=req.kind)
        if req.post not in POSTS:
            raise InvalidArgument(f"must be one of {', '.join(POSTS)}", field="post",
                                  value=req.post)
        if req.seats < (0 if req.kind == "trust" else 1):
            raise InvalidArgument("at least one seat", field="seats", value=req.seats)
        if not req.candidates:
            raise InvalidArgument("a round needs candidates", field="candidates")
        seen: set[str] = set()
        for i, c in enumerate(req.candidates):
            if not c.person_id:
                raise InvalidArgument("required", field=f"candidates[{i}].person_id")
            if not c.name.strip():
                raise InvalidArgument("required (ballot order is by name, M12)",
                                      field=f"candidates[{i}].name")
            if c.person_id in seen:
                raise InvalidArgument(f"{c.person_id} is listed twice",
                                      field=f"candidates[{i}].person_id", value=c.person_id)
            seen.add(c.person_id)
        # M12: names on the ballot by surname stroke order
        ordered = sorted(req.candidates, key=lambda c: (rules.stroke_key(c.name), c.person_id))
        candidates = [{"person_id": c.person_id, "name": c.name.strip()} for c in ordered]
        last = (await tx.session.execute(select(func.max(RoundRow.number)).where(
            RoundRow.meeting_id == meeting.meeting_id))).scalar_one_or_none()
        number = (last or 0) + 1
        row = RoundRow(
            round_id=round_id_for(meeting.meeting_id, number), meeting_id=meeting.meeting_id,
            election_id=meeting.election_id, post=req.post, kind=req.kind, number=number,
            seats=req.seats, candidates_json=json.dumps(candidates, ensure_ascii=False),
            status="open", source="", issued=0, returned=0, valid=0, invalid=0, void=False,
            tally_json="[]", write_ins_json="[]", elected_json="[]", tied_json="[]",
            unfilled=0, rules_json="[]", ballot_box_digest="")
        tx.session.add(row)
        await tx.audit(meeting.election_id, "round.opened", {
            "round_id": row.round_id, "meeting_id": meeting.meeting_id, "number": number,
            "post": req.post, "kind": req.kind, "seats": req.seats, "candidates": candidates,
            "rule": "M12"})
        return round_to_message(row)

    # ----------------------------------------------------------------------- electronic ballots
    async def issue_ballots(self, tx: Tx,
                            req: voting_pb2.IssueBallotsRequest) -> voting_pb2.IssueBallotsResponse:
        rnd = await self._round(tx, req.round_id)
        self._require_open(rnd)
        meeting = await self._meeting(tx, rnd.meeting_id, lock=False)
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

    # ----------------------------------------------------------------------- paper tally
    async def enter_tally(self, tx: Tx, req: voting_pb2.EnterTallyRequest) -> voting_pb2.Round:
        rnd = await self._round(tx, req.round_id)
        self._require_open(rnd)
        if rnd.source == "electronic":
            raise FailedPrecondition("electronic ballots were issued in this round: it is counted"
                                     " from them", field="round_id")
        for name in ("issued", "returned", "invalid"):
            if getattr(req, name) < 0:
                raise InvalidArgument("must not be negative", field=name,
                                      value=getattr(req, name))
        if req.invalid > req.returned:
            raise InvalidArgument(f"invalid {req.invalid} exceeds returned {req.returned}",
                                  field="invalid", value=req.invalid)
        valid = req.returned - req.invalid
        names = {c["person_id"]: c["name"] for c in _candidates(rnd)}
        lines: dict[str, dict[str, Any]] = {}
        for i, line in enumerate(req.lines):
            if line.person_id not in names:
                raise InvalidArgument(f"{line.person_id!r} is not a candidate of this round",
                                      field=f"lines[{i}].person_id", value=line.person_id)
            if line.person_id in lines:
                raise InvalidArgument(f"{line.person_id} has two lines",
                                      field=f"lines[{i}].person_id", value=line.person_id)
            for part in ("votes_for", "votes_against", "votes_abstain"):
                if getattr(line, part) < 0:
                    raise InvalidArgument("must not be negative", field=f"lines[{i}].{part}",
                                          value=getattr(line, part))
            marks = line.votes_for + line.votes_against + line.votes_abstain
            if marks > valid:
                raise InvalidArgument(
                    f"{marks} marks for {line.person_id} exceed the {valid} valid ballots",
                    field=f"lines[{i}]", rule="M3", value=marks)
            lines[line.person_id] = {
                "person_id": line.person_id, "name": names[line.person_id],
                "votes_for": line.votes_for, "votes_against": line.votes_against,
                "votes_abstain": line.votes_abstain}
        write_ins: dict[str, int] = {}
        for i, w in enumerate(req.write_ins):
            if not w.name.strip():
                raise InvalidArgument("required", field=f"write_ins[{i}].name")
            if w.votes < 0:
                raise InvalidArgument("must not be negative", field=f"write_ins[{i}].votes",
                                      value=w.votes)
            write_ins[w.name.strip()] = write_ins.get(w.name.strip(), 0) + w.votes
        line_list = [lines.get(p) or {"person_id": p, "name": n, "votes_for": 0,
                                      "votes_against": 0, "votes_abstain": 0}
                     for p, n in names.items()]  # ballot order
        write_in_list = [{"name": n, "votes": v} for n, v in sorted(write_ins.items())]
        tally = await tx.session.get(TallyRow, rnd.round_id)
        if tally is None:
            tally = TallyRow(round_id=rnd.round_id)
            tx.session.add(tally)
        tally.issued, tally.returned, tally.invalid = req.issued, req.returned, req.invalid
        tally.lines_json = json.dumps(line_list, ensure_ascii=False)
        tally.write_ins_json = json.dumps(write_in_list, ensure_ascii=False)
        # the round shows the tally as entered until it is counted
        rnd.source = "paper"
        rnd.issued, rnd.returned, rnd.invalid, rnd.valid = req.issued, req.returned, req.invalid, valid
        rnd.tally_json, rnd.write_ins_json = tally.lines_json, tally.write_ins_json
        await tx.audit(rnd.election_id, "tally.entered", {
            "round_id": rnd.round_id, "issued": req.issued, "returned": req.returned,
            "invalid": req.invalid, "lines": line_list, "write_ins": write_in_list})
        return round_to_message(rnd)

    # ----------------------------------------------------------------------- counting
    async def close_round(self, tx: Tx, req: voting_pb2.RoundActionRequest) -> voting_pb2.Round:
        rnd = await self._round(tx, req.round_id)
        self._require_open(rnd)
        meeting = await self._meeting(tx, rnd.meeting_id, lock=False)
        candidates = _candidates(rnd)
        order = [c["person_id"] for c in candidates]
        counts = {p: {"votes_for": 0, "votes_against": 0, "votes_abstain": 0} for p in order}
        write_ins: dict[str, int] = {}
        if rnd.source == "paper":
            tally = await tx.session.get(TallyRow, rnd.round_id)
            if tally is None:  # pragma: no cover - source is set with the tally
                raise FailedPrecondition("no tally entered", field="round_id")
            issued, returned, invalid = tally.issued, tally.returned, tally.invalid
            for line in json.loads(tally.lines_json):
                counts[line["person_id"]] = {k: line[k] for k in
                                             ("votes_for", "votes_against", "votes_abstain")}
            for w in json.loads(tally.write_ins_json):
                write_ins[w["name"]] = w["votes"]
            digest_input = canonical_json({
                "round_id": rnd.round_id, "issued": issued, "returned": returned,
                "invalid": invalid,
                "lines": sorted(json.loads(tally.lines_json), key=lambda x: x["person_id"]),
                "write_ins": json.loads(tally.write_ins_json)})
        elif rnd.source == "electronic":
            issued = (await tx.session.execute(select(func.count()).select_from(BallotIssueRow)
                                               .where(BallotIssueRow.round_id == rnd.round_id))
                      ).scalar_one()
            ballots = (await tx.session.execute(select(BallotRow).where(
                BallotRow.round_id == rnd.round_id))).scalars().all()
            returned = len(ballots)
            invalid = sum(1 for b in ballots if not b.valid)
            for b in ballots:
                if not b.valid:
                    continue
                for m in json.loads(b.marks_json):
                    if m["person_id"] in counts and m["choice"] in CHOICES:
                        counts[m["person_id"]]["votes_" + m["choice"]] += 1
                    if m["write_in"]:
                        write_ins[m["write_in"]] = write_ins.get(m["write_in"], 0) + 1
            digest_input = "\n".join(sorted(b.receipt for b in ballots))
        else:
            raise FailedPrecondition("nothing to count: no ballots issued and no tally entered",
                                     field="round_id")
        issued, returned, invalid = int(issued), int(returned), int(invalid)
        votes = {p: counts[p]["votes_for"] for p in order}
        index = {p: i for i, p in enumerate(order)}
        names = {c["person_id"]: c["name"] for c in candidates}
        tally_lines = [{"person_id": p, "name": names[p], **counts[p]}
                       for p in sorted(order, key=lambda p: (-votes[p], index[p]))]
        elected: list[str] = []
        tied: list[str] = []
        unfilled = 0
        verdict = rules.round_void(issued, returned)
        if not verdict.ok:  # M2: void, held again
            applied = [verdict.rule]
        elif meeting.kind == "committee":
            out = rules.committee_vote(load_profile(meeting.profile, meeting.overrides_json),
                                       meeting.expected, meeting.present_members, votes,
                                       rnd.seats, order)
            elected, tied, applied = list(out.selected), list(out.tied), list(out.rules)
            unfilled = max(0, rnd.seats - len(elected))
        elif rnd.kind in CONGRESS_ROUND_KINDS:
            outcome = rules.count_round(rnd.seats, meeting.present_members, votes, order)
            elected, tied, applied = list(outcome.elected), list(outcome.tied), list(outcome.rules)
            unfilled = outcome.unfilled
        else:  # recommendation / trust: counted here, the shortlist is decided later (M9, M10)
            applied = ["M8"]
        rnd.status = "counted"
        rnd.issued, rnd.returned, rnd.invalid = issued, returned, invalid
        rnd.valid = returned - invalid
        rnd.void = not verdict.ok
        rnd.tally_json = json.dumps(tally_lines, ensure_ascii=False)
        rnd.write_ins_json = json.dumps(
            [{"name": n, "votes": v} for n, v in sorted(write_ins.items(),
                                                        key=lambda kv: (-kv[1], kv[0]))],
            ensure_ascii=False)
        rnd.elected_json, rnd.tied_json = json.dumps(elected), json.dumps(tied)
        rnd.unfilled = unfilled
        rnd.rules_json = json.dumps(applied)
        rnd.ballot_box_digest = "sha256:" + sha256_hex(digest_input)
        await tx.audit(rnd.election_id, "round.counted", {
            "round_id": rnd.round_id, "meeting_id": rnd.meeting_id, "number": rnd.number,
            "post": rnd.post, "kind": rnd.kind, "seats": rnd.seats, "source": rnd.source,
            "present_members": meeting.present_members, "issued": issued, "returned": returned,
            "valid": rnd.valid, "invalid": invalid, "void": rnd.void, "tally": tally_lines,
            "write_ins": json.loads(rnd.write_ins_json), "elected": elected, "tied": tied,
            "unfilled": unfilled, "rules": applied, "reason": verdict.reason,
            "ballot_box_digest": rnd.ballot_box_digest})
        tx.wake(meeting.workflow_id, f"round {rnd.round_id} counted")
        return round_to_message(rnd)

    # ----------------------------------------------------------------------- reads
    async def get_meeting(self, meeting_id: str) -> voting_pb2.Meeting:
        async with self.store.db.read() as session:
            row = await session.get(MeetingRow, meeting_id) if meeting_id else None
            if row is None:
                raise NotFound(f"no meeting {meeting_id!r}", field="meeting_id")
            rounds = await self._rounds(session, [meeting_id])
        return meeting_to_message(row, rounds)

    async def get_round(self, round_id: str) -> voting_pb2.Round:
        async with self.store.db.read() as session:
            row = await session.get(RoundRow, round_id) if round_id else None
        if row is None:
            raise NotFound(f"no round {round_id!r}", field="round_id")
        return round_to_message(row)

    async def list_meetings(self, req: voting_pb2.ListMeetingsRequest
                            ) -> voting_pb2.ListMeetingsResponse:
        if not req.election_id:
            raise InvalidArgument("required", field="election_id")
        stmt = select(MeetingRow).where(MeetingRow.election_id == req.election_id)
        if req.kind:
            stmt = stmt.where(MeetingRow.kind == req.kind)
        stmt = stmt.order_by(MeetingRow.kind, MeetingRow.session)
        async with self.store.db.read() as session:
            meetings = (await session.execute(stmt)).scalars().all()
            rounds = await self._rounds(session, [m.meeting_id for m in meetings])
        by_meeting: dict[str, list[RoundRow]] = {}
        for r in rounds:
            by_meeting.setdefault(r.meeting_id, []).append(r)
        return voting_pb2.ListMeetingsResponse(meetings=[
            meeting_to_message(m, by_meeting.get(m.meeting_id, [])) for m in meetings])
