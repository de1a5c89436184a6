"""The electronic ballots of a tally add up to it, mark no more names than the seats, and the
spoilt ones break M3 or M4 as the voting service judges them."""

from __future__ import annotations

from collections import Counter

import pytest

import rules
from gongtui.simulate.ballots import electronic_ballots
from proto import voting_pb2


def counts(ballots: list[list[voting_pb2.Mark]], choice: str) -> Counter[str]:
    return Counter(m.person_id for b in ballots for m in b if m.choice == choice and m.person_id)


def test_a_congress_round_adds_up_to_its_tally_with_at_most_the_seats_per_ballot() -> None:
    tally = {"a": (70, 5), "b": (55, 20), "c": (40, 0), "d": (12, 30)}
    ballots = electronic_ballots("congress", list(tally), 80, 0, tally)
    assert len(ballots) == 80
    assert counts(ballots, "for") == {p: f for p, (f, _) in tally.items()}
    assert counts(ballots, "against") == {p: a for p, (_, a) in tally.items() if a}
    seats = -(-sum(f for f, _ in tally.values()) // 80)  # the fors need this many per ballot
    assert max(sum(m.choice == "for" for m in b) for b in ballots) == seats
    assert all(len({m.person_id for m in b}) == len(b) for b in ballots)  # a name once


def test_a_trust_vote_answers_every_candidate_on_the_first_ballots() -> None:
    tally = {"a": (30, 10), "b": (25, 15)}
    ballots = electronic_ballots("trust", list(tally), 50, 0, tally)
    assert counts(ballots, "for") == {"a": 30, "b": 25}
    assert counts(ballots, "against") == {"a": 10, "b": 15}
    assert all(not b for b in ballots[40:])  # the last ten left blank


@pytest.mark.parametrize("kind", ["congress", "trust"])
def test_spoilt_ballots_come_last_and_are_invalid(kind: str) -> None:
    tally = {"a": (3, 0), "b": (2, 0)}
    ballots = electronic_ballots(kind, ["a", "b"], 5, 4, tally)
    assert len(ballots) == 9
    for i, ballot in enumerate(ballots[5:]):
        marks = [rules.Mark(m.person_id or None, m.choice, m.write_in or None) for m in ballot]
        assert not rules.ballot_section_valid(2, marks), (kind, i, ballot)  # 2: every name
