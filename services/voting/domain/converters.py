"""The voting service's rows as the messages of its contract."""

from __future__ import annotations

import json
from collections.abc import Sequence

from proto import voting_pb2
from services.voting.models import MeetingRow, RoundRow
from services.voting.official import confirmed_by, is_official


def round_to_message(row: RoundRow, codes_unused: int = 0) -> voting_pb2.Round:
    """``codes_unused``: the open round's codes not cast yet (counted by the reader)."""
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
        source=row.source, confirmed_by=confirmed_by(row), official=is_official(row),
        casting=bool(row.casting), tally_status=row.tally_status or "",
        tally_entered_by=row.tally_entered_by or "",
        tally_confirmed_by=row.tally_confirmed_by or "", tally_note=row.tally_note or "",
        codes_cast=row.codes_cast or 0, codes_unused=codes_unused,
        codes_void=row.codes_void or 0)


def meeting_to_message(row: MeetingRow, rounds: Sequence[RoundRow] = ()) -> voting_pb2.Meeting:
    return voting_pb2.Meeting(
        meeting_id=row.meeting_id, election_id=row.election_id, kind=row.kind,
        session=row.session, status=row.status, expected=row.expected,
        present_members=row.present_members, present_others=row.present_others,
        quorum_met=row.quorum_met, quorum_rule=row.quorum_rule,
        rounds=[round_to_message(r) for r in sorted(rounds, key=lambda r: r.number)],
        details=voting_pb2.MeetingDetails(**json.loads(row.details_json or "{}")))


def round_candidates(row: RoundRow) -> list[dict[str, str]]:
    return json.loads(row.candidates_json)
