"""Rounds and paper tallies: a round opened with its ballot order (M12), read, and the tally
of a paper round entered (M3)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select

import rules
from core.ids import round_id_for
from core.names import normalize_name
from core.vocabulary import POSTS
from proto import voting_pb2
from rules.counting import ballot_holders
from services.common.errors import FailedPrecondition, InvalidArgument, NotFound
from services.common.store import Tx
from services.voting.domain.converters import round_candidates, round_to_message
from services.voting.domain.shared import (
    MEETING_ROUND_KINDS,
    SubDomain,
    meeting_row,
    require_open,
    round_row,
)
from services.voting.domain.tallies import mark_entered
from services.voting.models import BallotCodeRow, RoundRow, TallyRow


class Rounds(SubDomain):
    """A round opened with its candidates in ballot order, read, and a paper tally entered."""

    async def open_round(self, tx: Tx, req: voting_pb2.OpenRoundRequest) -> voting_pb2.Round:
        meeting = await meeting_row(tx, req.meeting_id)
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

    async def get_round(self, round_id: str) -> voting_pb2.Round:
        """The round; an open electronic one with its codes cast and not cast so far (a
        count of the code hashes by their ``used`` flag, nothing about which)."""
        async with self.store.db.read() as session:
            row = await session.get(RoundRow, round_id) if round_id else None
            if row is None:
                raise NotFound(f"no round {round_id!r}", field="round_id")
            if row.source != "electronic" or row.status != "open":
                return round_to_message(row)
            counts = dict((await session.execute(
                select(BallotCodeRow.used, func.count()).where(
                    BallotCodeRow.round_id == round_id).group_by(BallotCodeRow.used))).all())
        message = round_to_message(row, codes_unused=int(counts.get(False, 0)))
        message.codes_cast = int(counts.get(True, 0))
        return message

    async def enter_tally(self, tx: Tx, req: voting_pb2.EnterTallyRequest) -> voting_pb2.Round:
        rnd = await round_row(tx, req.round_id)
        require_open(rnd)
        if rnd.source == "electronic":
            raise FailedPrecondition("electronic ballots were issued in this round: it is counted"
                                     " from them", field="round_id")
        for name in ("issued", "returned", "invalid"):
            if getattr(req, name) < 0:
                raise InvalidArgument("must not be negative", field=name,
                                      value=getattr(req, name))
        meeting = await meeting_row(tx, rnd.meeting_id, lock=False)
        voters, who, rule = ballot_holders(meeting.kind, rnd.kind, meeting.present_members,
                                           meeting.present_others)
        if req.issued > voters:  # one ballot per voter present, no proxy votes
            raise FailedPrecondition(f"{req.issued} ballots issued to {voters} {who} present",
                                     field="issued", rule=rule, value=req.issued)
        # returned > issued is no error: M2 voids the round when it is counted
        if req.invalid > req.returned:
            raise InvalidArgument(f"invalid {req.invalid} exceeds returned {req.returned}",
                                  field="invalid", rule="M3", value=req.invalid)
        valid = req.returned - req.invalid
        if req.HasField("valid") and req.valid != valid:
            raise InvalidArgument(f"valid {req.valid} + invalid {req.invalid} is not the"
                                  f" {req.returned} returned", field="valid", rule="M3",
                                  value=req.valid)
        names = {c["person_id"]: c["name"] for c in round_candidates(rnd)}
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
            # one person written in under two spellings alike on paper is one count
            written = normalize_name(w.name)
            if not written:
                raise InvalidArgument("required", field=f"write_ins[{i}].name")
            if w.votes < 0:
                raise InvalidArgument("must not be negative", field=f"write_ins[{i}].votes",
                                      value=w.votes)
            if w.votes > valid:
                raise InvalidArgument(f"{w.votes} votes for {written} exceed the {valid}"
                                      " valid ballots", field=f"write_ins[{i}].votes",
                                      rule="M4", value=w.votes)
            write_ins[written] = write_ins.get(written, 0) + w.votes
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
        entered = mark_entered(rnd, req.actor)  # it counts once the supervisor confirms it
        await tx.audit(rnd.election_id, "tally.entered", {
            "round_id": rnd.round_id, "issued": req.issued, "returned": req.returned,
            "invalid": req.invalid, "lines": line_list, "write_ins": write_in_list,
            **entered})
        return round_to_message(rnd)
