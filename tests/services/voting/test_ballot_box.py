"""The ballot box's judge on its own (no database): its answers, and that the rows it builds
line up with the columns the writers name from the table declarations."""

from __future__ import annotations

import hashlib
import json

from proto import voting_pb2 as pb
from services.common.errors import (
    AlreadyExists,
    DomainError,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
)
from services.voting.ballot_box import judge
from services.voting.ballot_box.judge import Round
from services.voting.ballot_box.tables import BALLOT_ROW
from services.voting.domain import code_hash

OPEN = Round("r-1", "e-1", "regular", 1, "open", frozenset({"p1", "p2"}))
COUNTED = Round("r-2", "e-1", "regular", 1, "counted", frozenset({"p1"}))
ISSUING = Round("r-3", "e-1", "regular", 1, "open", frozenset({"p1"}), casting=False)


def cast(code: str, round_id: str = "r-1", *marks: tuple[str, str]
         ) -> tuple[pb.CastBallotRequest, str]:
    request = pb.CastBallotRequest(round_id=round_id, code=code, marks=[
        pb.Mark(person_id=p, choice=c) for p, c in marks or (("p1", "for"),)])
    return request, code_hash(code)


def test_each_cast_judged_and_the_rows_in_the_declared_column_order() -> None:
    batch = [cast("a"), cast("b", "r-1", ("p2", "for"), ("p1", "against")), cast("a"),
             cast("c", "r-9"), cast("d", "r-2"), cast("e"), cast("f", "r-1", ("p3", "for")),
             cast("g", "r-1", ("p1", "for"), ("p2", "for"))]
    codes = {code_hash(c): ("r-1", c == "e") for c in "abefg"} | {code_hash("d"): ("r-2", False)}
    out, writes = judge(batch, {"r-1": OPEN, "r-2": COUNTED}, codes)

    assert [type(a) for a in out] == [pb.CastBallotResponse, pb.CastBallotResponse,
                                      AlreadyExists, NotFound, FailedPrecondition,
                                      AlreadyExists, InvalidArgument, pb.CastBallotResponse]
    refused = [a for a in out if isinstance(a, DomainError)]
    assert [a.field for a in refused] == ["code", "round_id", "round_id", "code", "marks"]
    accepted = [a for a in out if isinstance(a, pb.CastBallotResponse)]
    assert [(a.valid, a.invalid_rule) for a in accepted] == [
        (True, ""), (True, ""), (False, "M3")]  # the last marks two names for one seat
    assert writes.used == [code_hash(c) for c in "abg"] and writes.used_rounds == ["r-1"] * 3

    ballots = [dict(zip([c.name for c in BALLOT_ROW], row, strict=True))
               for row in writes.ballots]
    for answer, ballot in zip(accepted, ballots, strict=True):
        assert ballot["round_id"] == "r-1" and ballot["receipt"] == answer.receipt
        assert ballot["receipt"] == "sha256:" + hashlib.sha256(
            (ballot["salt"] + ballot["marks_json"]).encode()).hexdigest()
        assert ballot["valid"] is answer.valid
    assert json.loads(ballots[1]["marks_json"])[0]["person_id"] == "p1"  # marks sorted
    assert len({b["ballot_id"] for b in ballots} | {b["salt"] for b in ballots}) == 6



def test_no_cast_before_casting_opens_and_no_audit_record_per_cast() -> None:
    out, writes = judge([cast("a", "r-3"), cast("b")], {"r-1": OPEN, "r-3": ISSUING},
                        {code_hash("a"): ("r-3", False), code_hash("b"): ("r-1", False)})
    assert isinstance(out[0], FailedPrecondition) and out[0].field == "round_id"
    assert "casting has not opened" in out[0].message
    assert isinstance(out[1], pb.CastBallotResponse)
    assert writes.used == [code_hash("b")] and len(writes.ballots) == 1
    # a cast writes its ballot and its code's used flag, nothing else (no chain record)
    assert set(vars(writes)) == {"ballots", "used", "used_rounds"}
