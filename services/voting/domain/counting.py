"""Counting and results: a round closed, counted from its ballots or its tally, its result
decided by the rules (M2, M5-M7, M8, M11) and sealed by the ballot-box digest."""

from __future__ import annotations

import json

from sqlalchemy import func, select

import rules
from proto import voting_pb2
from services.common.errors import FailedPrecondition
from services.common.store import Tx
from services.voting import receipts
from services.voting.domain import sealing
from services.voting.domain.converters import round_candidates, round_to_message
from services.voting.domain.shared import (
    CHOICES,
    CONGRESS_ROUND_KINDS,
    SubDomain,
    load_profile,
    meeting_row,
    require_open,
    round_row,
)
from services.voting.domain.tallies import require_confirmed
from services.voting.models import BallotIssueRow, TallyRow


class Counting(SubDomain):
    """A round closed and counted: its tally, its result, its ballot-box digest."""

    async def close_round(self, tx: Tx, req: voting_pb2.RoundActionRequest) -> voting_pb2.Round:
        rnd = await round_row(tx, req.round_id)
        require_open(rnd)
        meeting = await meeting_row(tx, rnd.meeting_id, lock=False)
        candidates = round_candidates(rnd)
        order = [c["person_id"] for c in candidates]
        counts = {p: {"votes_for": 0, "votes_against": 0, "votes_abstain": 0} for p in order}
        write_ins: dict[str, int] = {}
        if rnd.source == "paper":
            require_confirmed(rnd)  # four eyes (M12)
            tally = await tx.session.get(TallyRow, rnd.round_id)
            if tally is None:  # pragma: no cover - source is set with the tally
                raise FailedPrecondition("no tally entered", field="round_id")
            issued, returned, invalid = tally.issued, tally.returned, tally.invalid
            for line in json.loads(tally.lines_json):
                counts[line["person_id"]] = {k: line[k] for k in
                                             ("votes_for", "votes_against", "votes_abstain")}
            for w in json.loads(tally.write_ins_json):
                write_ins[w["name"]] = w["votes"]
            digest = receipts.paper_digest(rnd.round_id, issued, returned, invalid,
                                           json.loads(tally.lines_json),
                                           json.loads(tally.write_ins_json))
        elif rnd.source == "electronic":
            issued = (await tx.session.execute(select(func.count()).select_from(BallotIssueRow)
                                               .where(BallotIssueRow.round_id == rnd.round_id))
                      ).scalar_one()
            # written again in receipt order, so that no stored order tells the casts' (sealing)
            ballots = await sealing.rewrite_ballots(tx, rnd.round_id)
            voided = await sealing.void_unused_codes(tx, rnd.round_id)  # unused: void now
            used = await sealing.rewrite_codes(tx, rnd.round_id)
            if used != len(ballots):  # a ballot row or a used flag changed outside a cast
                raise FailedPrecondition(f"the ballot box does not add up: {used} codes used,"
                                         f" {len(ballots)} ballots stored", field="round_id")
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
            # the round's ballots enter the chain now, in receipt order, not as they were cast
            for b in ballots:
                await tx.audit(rnd.election_id, "ballot.cast",
                               {"round_id": rnd.round_id, "receipt": b.receipt})
            digest = receipts.ballot_box_digest(b.receipt for b in ballots)
            rnd.codes_cast, rnd.codes_void = used, voided
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
        rnd.ballot_box_digest = digest
        await tx.audit(rnd.election_id, "round.counted", {
            "round_id": rnd.round_id, "meeting_id": rnd.meeting_id, "number": rnd.number,
            "post": rnd.post, "kind": rnd.kind, "seats": rnd.seats, "source": rnd.source,
            "present_members": meeting.present_members, "issued": issued, "returned": returned,
            "valid": rnd.valid, "invalid": invalid, "void": rnd.void, "tally": tally_lines,
            "write_ins": json.loads(rnd.write_ins_json), "elected": elected, "tied": tied,
            "unfilled": unfilled, "rules": applied, "reason": verdict.reason,
            "casting": rnd.casting, "codes_cast": rnd.codes_cast, "codes_void": rnd.codes_void,
            # paper: the four eyes on the tally counted (M12)
            "tally_entered_by": rnd.tally_entered_by, "tally_confirmed_by": rnd.tally_confirmed_by,
            "ballot_box_digest": rnd.ballot_box_digest})
        tx.wake(meeting.workflow_id, f"round {rnd.round_id} counted")
        return round_to_message(rnd)
