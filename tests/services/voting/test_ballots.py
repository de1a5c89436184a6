"""Electronic ballots: one-time codes, the validity of a cast, secrecy (M3, M4, M12)."""

from __future__ import annotations

import hashlib
import json

import grpc

from proto import voting_pb2 as pb
from tests.services.voting.support import (
    CANDIDATES,
    OFFICE,
    Service,
    assert_audit_verifies,
    audit,
    close,
    congress,
    key,
    open_round,
    others,
    refused,
    trailer,
)


async def test_electronic_round_codes_validity_and_secrecy(svc: Service) -> None:
    meeting = await congress(svc, 6, 6, extra=others(1), also_present=("r001",))
    assert (meeting.present_members, meeting.present_others) == (6, 1)
    rnd = await open_round(svc, meeting.meeting_id, seats=2, candidates=CANDIDATES,
                           post="member")
    assert [c.person_id for c in rnd.candidates] == ["c-ding", "c-wang", "c-zhao"]

    voters = [f"m{i:03d}" for i in range(1, 7)]
    issued = await svc.stub.IssueBallots(pb.IssueBallotsRequest(
        idempotency_key=key(), actor=OFFICE, round_id=rnd.round_id, person_ids=voters[:5]))
    codes = list(issued.codes)
    assert issued.issued_total == 5 and len(set(codes)) == 5
    # one ballot per person per round; only checked-in members of the electorate
    for person, field_ok in (("m001", "already"), ("r001", "class"), ("nobody", "electorate")):
        err = await refused(svc.stub.IssueBallots(pb.IssueBallotsRequest(
            idempotency_key=key(), actor=OFFICE, round_id=rnd.round_id, person_ids=[person])),
            grpc.StatusCode.FAILED_PRECONDITION)
        assert trailer(err, "field") == "person_ids" and person in err.details(), field_ok

    def mark(pid: str, choice: str, write_in: str = "") -> pb.Mark:
        return pb.Mark(person_id=pid, choice=choice, write_in=write_in)

    ballots = [
        [mark("c-wang", "for"), mark("c-zhao", "for"), mark("c-ding", "against")],
        # the write-in as a phone may send it (a zero-width space before it): 李四 all the same
        [mark("c-wang", "for"), mark("c-ding", "against", "\u200b李四"),
         mark("c-zhao", "abstain")],
        [mark("c-wang", "for"), mark("c-zhao", "for"), mark("c-ding", "for")],  # M3
        [mark("c-wang", "for", "李四")],  # M4: a write-in beside a for
        [],  # blank: valid
    ]
    receipts = []
    for code, marks in zip(codes, ballots, strict=True):
        cast = await svc.stub.CastBallot(pb.CastBallotRequest(round_id=rnd.round_id, code=code,
                                                              marks=marks))
        receipts.append(cast.receipt)
    rows = svc.rows("SELECT valid, invalid_rule FROM ballots")
    assert sorted(rows) == [(0, "M3"), (0, "M4"), (1, ""), (1, ""), (1, "")]

    # the same code twice is refused, with the same or with other marks
    for marks in (ballots[0], []):
        err = await refused(svc.stub.CastBallot(pb.CastBallotRequest(
            round_id=rnd.round_id, code=codes[0], marks=marks)), grpc.StatusCode.ALREADY_EXISTS)
        assert trailer(err, "field") == "code" and "already used" in err.details()
    err = await refused(svc.stub.CastBallot(pb.CastBallotRequest(
        round_id=rnd.round_id, code="not-a-code", marks=[])), grpc.StatusCode.NOT_FOUND)
    assert trailer(err, "field") == "code"
    err = await refused(svc.stub.CastBallot(pb.CastBallotRequest(
        round_id=rnd.round_id, code=codes[0] + "x", marks=[mark("ghost", "for")])),
        grpc.StatusCode.NOT_FOUND)
    assert svc.count("SELECT count(*) FROM ballots") == 5

    # the sixth member gets a ballot late and marks a non-candidate: refused, code still usable
    late = await svc.stub.IssueBallots(pb.IssueBallotsRequest(
        idempotency_key=key(), actor=OFFICE, round_id=rnd.round_id, person_ids=voters[5:]))
    err = await refused(svc.stub.CastBallot(pb.CastBallotRequest(
        round_id=rnd.round_id, code=late.codes[0], marks=[mark("ghost", "for")])),
        grpc.StatusCode.INVALID_ARGUMENT)
    assert trailer(err, "field") == "marks"
    assert svc.count("SELECT count(*) FROM ballot_codes WHERE used") == 5

    counted = await close(svc, rnd.round_id)
    assert counted.source == "electronic"
    assert (counted.issued, counted.returned, counted.valid, counted.invalid) == (6, 5, 3, 2)
    by_id = {t.person_id: t for t in counted.tally}
    assert (by_id["c-wang"].votes_for, by_id["c-zhao"].votes_for) == (2, 1)
    assert (by_id["c-ding"].votes_against, by_id["c-zhao"].votes_abstain) == (2, 1)
    assert [(w.name, w.votes) for w in counted.write_ins] == [("李四", 1)]
    assert list(counted.elected) == [] and counted.unfilled == 2  # 2 of 6 present: M5
    # a supervisor recounts: every receipt from the stored ballots, then the digest
    stored = svc.rows("SELECT salt, marks_json, receipt FROM ballots")
    for salt, marks_json, receipt in stored:
        assert receipt == "sha256:" + hashlib.sha256((salt + marks_json).encode()).hexdigest()
    assert sorted(r for _, _, r in stored) == sorted(receipts)
    assert counted.ballot_box_digest == "sha256:" + hashlib.sha256(
        "\n".join(sorted(receipts)).encode()).hexdigest()
    await refused(svc.stub.CastBallot(pb.CastBallotRequest(
        round_id=rnd.round_id, code=late.codes[0], marks=[])), grpc.StatusCode.FAILED_PRECONDITION)

    # secrecy: no code is stored anywhere, the audit never names a voter beside a ballot
    stored_text = svc.all_text()
    for code in [*codes, *late.codes]:
        assert code not in stored_text
    # a cast leaves nothing keyed by its code: only the code's used flag (a code hash and a
    # ballot are never in one row, and no idempotency record stands for a cast)
    assert svc.count("SELECT count(*) FROM idempotency_keys WHERE key LIKE 'ballot:%'") == 0
    assert svc.count("SELECT count(*) FROM ballots WHERE marks_json LIKE '%code%'") == 0
    records = await audit(svc)
    assert [sorted(json.loads(r.payload_json)) for r in records if r.kind == "ballot.cast"] == [
        ["receipt", "round_id"]] * 5
    for r in records:
        if r.kind == "ballots.issued":
            payload = json.loads(r.payload_json)
            assert not any(p in r.payload_json for p in voters), payload
        if r.kind == "ballot.cast":
            assert r.actor_role == "system"
    await assert_audit_verifies(svc)


async def test_issue_ballots_replay_never_returns_codes(svc: Service) -> None:
    meeting = await congress(svc, 3, 3)
    rnd = await open_round(svc, meeting.meeting_id)
    idem = key()
    request = pb.IssueBallotsRequest(idempotency_key=idem, actor=OFFICE, round_id=rnd.round_id,
                                     person_ids=["m001"])
    first = await svc.stub.IssueBallots(request)
    assert len(first.codes) == 1
    err = await refused(svc.stub.IssueBallots(request), grpc.StatusCode.FAILED_PRECONDITION)
    assert trailer(err, "field") == "idempotency_key"
    assert svc.count("SELECT count(*) FROM ballot_issues") == 1
    assert svc.count("SELECT count(*) FROM ballot_codes") == 1
