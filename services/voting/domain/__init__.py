"""Meetings, attendance and quorum (M1, M11), rounds, ballots and counting (M2-M8, M11, M12).

Ballot secrecy: ``ballot_issues`` says THAT a person received a ballot; ``ballot_codes`` keeps
only the sha256 of each one-time code; ``ballots`` keeps marks and a receipt. Nothing here
writes a person and a code (or a ballot) into the same row or the same audit record.

One module per part: ``meetings`` (meetings and their electorates), ``attendance`` (check-in
and quorum), ``rounds`` (rounds and paper tallies), ``ballots`` (one-time codes issued, casting
opened, codes re-issued or spoilt, a cast's validity), ``tallies`` (the supervisor's
confirmation of a paper tally), ``counting`` (counting and results);
``batches`` keeps a batch of codes sealed for its idempotency key, ``sealing`` writes a
round's secret-ballot rows again so that no order they were written in survives; ``shared``
holds what the parts share (kinds, profiles, row lookups) and ``converters`` the rows as
messages.
"""

from __future__ import annotations

from services.common.store import Store
from services.voting.domain.attendance import Attendance
from services.voting.domain.ballots import Ballots, ballot_validity, code_hash, sha256_hex
from services.voting.domain.converters import meeting_to_message, round_to_message
from services.voting.domain.counting import Counting
from services.voting.domain.meetings import Meetings
from services.voting.domain.rounds import Rounds
from services.voting.domain.shared import (
    CHOICES,
    CONGRESS_ROUND_KINDS,
    ELECTOR_CLASSES,
    MEETING_KINDS,
    MEETING_ROUND_KINDS,
    ROUND_KINDS,
    load_profile,
)
from services.voting.domain.tallies import Tallies

__all__ = ["CHOICES", "CONGRESS_ROUND_KINDS", "ELECTOR_CLASSES", "MEETING_KINDS",
           "MEETING_ROUND_KINDS", "ROUND_KINDS", "VotingDomain", "ballot_validity", "code_hash",
           "load_profile", "meeting_to_message", "round_to_message", "sha256_hex"]


class VotingDomain:
    """The voting domain as the servicer calls it: each part as an attribute
    (``domain.meetings.open_meeting(tx, request)``)."""

    def __init__(self, store: Store):
        self.store = store
        self.meetings = Meetings(store)
        self.attendance = Attendance(store)
        self.rounds = Rounds(store)
        self.tallies = Tallies(store)
        self.ballots = Ballots(store)
        self.counting = Counting(store)

