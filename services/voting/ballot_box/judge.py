"""The judge: each cast of a batch decided against the rounds and codes read for it.

Pure apart from the clock and the system's randomness: it reads nothing from a database and
writes nothing; the writers (``sqlite``, ``postgres``) read what it needs, hand it over, and
write the rows it returns. Every cast is judged before anything is written (unknown round or
code, code already used — also twice within one batch —, round not open or casting not yet
open, malformed marks); a refused cast gets its error as its answer and adds no row.

What a cast keeps (ballot secrecy, see ``services.voting.models``): the ballot (marks,
validity, salt, receipt) with a random ID, and the code's ``used`` flag — the cast is durable
in those two. Not the code, not the voter, not the time of the ballot, and no audit record:
a record per cast would keep the casts' order; the round's receipts enter the chain when it
is counted, in receipt order (``services.voting.domain.counting``). The ``used`` flag makes a
cast happen once: a retry of an acknowledged cast is refused as "already used", never written
twice.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from proto import voting_pb2
from services.common.errors import AlreadyExists, DomainError, FailedPrecondition, NotFound
from services.voting import receipts
from services.voting.domain.ballots import ballot_validity

#: a cast as the writers take it: the request and the sha256 of its code
Cast = tuple[voting_pb2.CastBallotRequest, str]
Batch = Sequence[Cast]


@dataclass
class Round:
    """What the judge needs of a round."""

    round_id: str
    election_id: str
    kind: str
    seats: int
    status: str
    candidates: frozenset[str] = field(default_factory=frozenset)
    casting: bool = True


@dataclass
class Writes:
    """What one batch writes, decided before anything is written. Each row is a tuple in the
    column order of its table's declaration (``tables.BALLOT_COLUMNS``)."""

    ballots: list[tuple[Any, ...]] = field(default_factory=list)
    used: list[str] = field(default_factory=list)
    used_rounds: list[str] = field(default_factory=list)  # the round of each code in ``used``


def judge(batch: Batch, rounds: dict[str, Round], codes: dict[str, tuple[str, bool]]
          ) -> tuple[list[voting_pb2.CastBallotResponse | DomainError], Writes]:
    """Each cast's answer (a response, or the refusal it gets) and the rows the accepted ones
    write: ballots and codes used."""
    out: list[voting_pb2.CastBallotResponse | DomainError] = []
    writes = Writes()
    # the system's randomness read once for the batch, 32 bytes a ballot (salt and ballot ID):
    # a read per ballot was a tenth of judging it (a system call, costly in a VM)
    randomness = secrets.token_hex(32 * len(batch))
    for i, (req, h) in enumerate(batch):
        try:
            rnd = rounds.get(req.round_id)
            if rnd is None:
                raise NotFound(f"no round {req.round_id!r}", field="round_id")
            if rnd.status != "open":  # counted: its unused codes are void
                raise FailedPrecondition(f"round {rnd.round_id} is {rnd.status}, not open:"
                                         " its unused codes are void", field="round_id")
            code = codes.get(h)
            if code is None or code[0] != rnd.round_id:
                raise NotFound("unknown ballot code for this round", field="code")
            if code[1]:
                raise AlreadyExists("ballot code already used", field="code")
            if not rnd.casting:
                raise FailedPrecondition(f"casting has not opened in round {rnd.round_id}:"
                                         " its ballots are still being issued", field="round_id")
            valid, invalid_rule = ballot_validity(rnd.kind, rnd.seats, rnd.candidates, req.marks)
        except DomainError as exc:
            out.append(exc)
            continue
        codes[h] = (code[0], True)  # the same code twice in one batch: the second is refused
        # canonical marks: sorted, so not even the order of marking is kept
        marks_json = receipts.marks_json(req.marks)
        salt, ballot_id = randomness[64 * i:64 * i + 32], randomness[64 * i + 32:64 * i + 64]
        receipt = receipts.receipt(salt, marks_json)
        writes.ballots.append((ballot_id, rnd.round_id, marks_json, valid, invalid_rule, salt,
                               receipt))
        writes.used.append(h)
        writes.used_rounds.append(rnd.round_id)
        out.append(voting_pb2.CastBallotResponse(receipt=receipt, valid=valid,
                                                 invalid_rule=invalid_rule))
    return out, writes


def round_from_row(row: Sequence[Any]) -> Round:
    """A round from the columns ``tables.ROUND_READ`` names, in that order."""
    round_id, election_id, kind, seats, status, candidates_json, casting = row
    return Round(round_id, election_id, kind, seats, status,
                 frozenset(c["person_id"] for c in json.loads(candidates_json)), bool(casting))
