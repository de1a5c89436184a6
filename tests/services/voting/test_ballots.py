"""Electronic ballots: one-time codes, the validity of a cast, secrecy (M3, M4, M12)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import grpc

from proto import common_pb2
from proto import voting_pb2 as pb
from tests.services.voting.support import (
    CANDIDATES,
    OFFICE,
    STREET,
    Service,
    assert_audit_verifies,
    audit,
    close,
    congress,
    key,
    open_casting,
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
    # the sixth member gets a ballot later, still before casting opens
    late = await svc.stub.IssueBallots(pb.IssueBallotsRequest(
        idempotency_key=key(), actor=OFFICE, round_id=rnd.round_id, person_ids=voters[5:]))
    # no cast before casting opens; no ballot issued after
    err = await refused(svc.stub.CastBallot(pb.CastBallotRequest(
        round_id=rnd.round_id, code=codes[0], marks=[])), grpc.StatusCode.FAILED_PRECONDITION)
    assert trailer(err, "field") == "round_id" and "casting has not opened" in err.details()
    opened = await open_casting(svc, rnd.round_id)
    assert opened.casting and opened.issued == 6
    await refused(open_casting(svc, rnd.round_id), grpc.StatusCode.FAILED_PRECONDITION)
    err = await refused(svc.stub.IssueBallots(pb.IssueBallotsRequest(
        idempotency_key=key(), actor=OFFICE, round_id=rnd.round_id, person_ids=["m001"])),
        grpc.StatusCode.FAILED_PRECONDITION)
    assert trailer(err, "field") == "round_id" and "casting has opened" in err.details()

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

    # the sixth member marks a non-candidate: refused, code still usable
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
    # the ballots entered the chain at the close, in receipt order (not as they were cast)
    cast_records = [json.loads(r.payload_json) for r in records if r.kind == "ballot.cast"]
    assert [sorted(p) for p in cast_records] == [["receipt", "round_id"]] * 5
    assert [p["receipt"] for p in cast_records] == sorted(receipts)
    counted_record = next(json.loads(r.payload_json) for r in records
                          if r.kind == "round.counted")
    assert counted_record["casting"] is True
    # casting opened on the record, after the last issue and before the first ballot, with
    # how many were issued and nothing of whom
    kinds = [r.kind for r in records]
    at_open = kinds.index("casting.opened")
    assert max(i for i, k in enumerate(kinds) if k == "ballots.issued") < at_open
    assert at_open < kinds.index("ballot.cast")
    assert json.loads(records[at_open].payload_json) == {"round_id": rnd.round_id, "issued": 6}
    for r in records:
        if r.kind == "ballots.issued":
            payload = json.loads(r.payload_json)
            assert not any(p in r.payload_json for p in voters), payload
        if r.kind == "ballot.cast":  # written by the close, not by a cast
            assert r.actor_role == OFFICE.role
    await assert_audit_verifies(svc)


async def test_issue_ballots_retry_answers_the_same_codes_without_storing_them(
        svc: Service) -> None:
    meeting = await congress(svc, 3, 3)
    rnd = await open_round(svc, meeting.meeting_id)
    idem = key()
    request = pb.IssueBallotsRequest(idempotency_key=idem, actor=OFFICE, round_id=rnd.round_id,
                                     person_ids=["m001", "m002"])
    first = await svc.stub.IssueBallots(request)
    again = await svc.stub.IssueBallots(request)  # the answer was lost: the same batch
    assert len(first.codes) == 2 and list(again.codes) == list(first.codes)
    assert again.issued_total == first.issued_total == 2
    # another caller, or another round under the key, is another request
    other = pb.IssueBallotsRequest(idempotency_key=idem, actor=STREET, round_id=rnd.round_id,
                                   person_ids=["m001", "m002"])
    err = await refused(svc.stub.IssueBallots(other), grpc.StatusCode.ALREADY_EXISTS)
    assert trailer(err, "field") == "idempotency_key"
    assert svc.count("SELECT count(*) FROM ballot_issues") == 2
    assert svc.count("SELECT count(*) FROM ballot_codes") == 2
    # neither the codes nor the key nor the persons are stored readably
    stored = svc.all_text()
    assert idem not in stored and not any(c in stored for c in first.codes)
    digests = [d for (d,) in svc.rows("SELECT request_digest FROM idempotency_keys")]
    for persons in (["m001", "m002"], ["m002", "m001"], ["m001"], ["m002"]):
        for actor in (OFFICE, common_pb2.Actor()):
            tried = pb.IssueBallotsRequest(idempotency_key=idem, actor=actor,
                                           round_id=rnd.round_id, person_ids=persons)
            digest = hashlib.sha256(tried.SerializeToString(deterministic=True)).hexdigest()
            assert digest not in digests


async def test_lost_batch_reissued_and_spoilt_ballot_replaced(svc: Service) -> None:
    meeting = await congress(svc, 4, 4)
    rnd = await open_round(svc, meeting.meeting_id)
    keys = [key() for _ in range(4)]
    codes = [list((await svc.stub.IssueBallots(pb.IssueBallotsRequest(
        idempotency_key=k, actor=OFFICE, round_id=rnd.round_id,
        person_ids=[f"m00{i + 1}"]))).codes) for i, k in enumerate(keys)]
    await open_casting(svc, rnd.round_id)
    await svc.stub.CastBallot(pb.CastBallotRequest(
        round_id=rnd.round_id, code=codes[0][0],
        marks=[pb.Mark(person_id="c-wang", choice="for")]))

    def reissue(issue_key: str, idem: str | None = None, reason: str = "lost at the desk",
                actor: common_pb2.Actor = OFFICE) -> Any:
        return svc.stub.ReissueBallots(pb.ReissueBallotsRequest(
            idempotency_key=idem or key(), actor=actor, round_id=rnd.round_id,
            issue_key=issue_key, reason=reason))

    # a voter who has cast gets no second ballot
    err = await refused(reissue(keys[0]), grpc.StatusCode.FAILED_PRECONDITION)
    assert trailer(err, "field") == "issue_key"
    err = await refused(reissue(keys[1], reason=" "), grpc.StatusCode.INVALID_ARGUMENT)
    assert trailer(err, "field") == "reason"
    await refused(reissue(key()), grpc.StatusCode.FAILED_PRECONDITION)  # no such batch
    # a lost code is void, a new one issued — once per key, the same on a retry
    idem = key()
    new = await reissue(keys[1], idem)
    assert list((await reissue(keys[1], idem)).codes) == list(new.codes)  # type: ignore[attr-defined]
    assert len(new.codes) == 1 and new.codes[0] != codes[1][0]  # type: ignore[attr-defined]
    await refused(reissue(keys[1]), grpc.StatusCode.FAILED_PRECONDITION)  # already re-issued
    err = await refused(svc.stub.CastBallot(pb.CastBallotRequest(
        round_id=rnd.round_id, code=codes[1][0], marks=[])), grpc.StatusCode.NOT_FOUND)
    # a spoilt ballot handed back: its code void, a new one issued
    spoil = pb.SpoilBallotRequest(idempotency_key=key(), actor=OFFICE, round_id=rnd.round_id,
                                  code=codes[2][0], reason="marked in error")
    replaced = await svc.stub.SpoilBallot(spoil)
    assert list((await svc.stub.SpoilBallot(spoil)).codes) == list(replaced.codes)
    await refused(svc.stub.SpoilBallot(pb.SpoilBallotRequest(
        idempotency_key=key(), actor=OFFICE, round_id=rnd.round_id, code=codes[0][0],
        reason="after the cast")), grpc.StatusCode.ALREADY_EXISTS)
    for code in (new.codes[0], replaced.codes[0], codes[3][0]):  # type: ignore[attr-defined]
        await svc.stub.CastBallot(pb.CastBallotRequest(
            round_id=rnd.round_id, code=code, marks=[pb.Mark(person_id="c-zhao", choice="for")]))
    counted = await close(svc, rnd.round_id)
    assert (counted.issued, counted.returned, counted.valid) == (4, 4, 4)
    assert svc.count("SELECT count(*) FROM ballot_codes") == 4
    records = [(r.kind, json.loads(r.payload_json)) for r in await audit(svc)]
    assert [p["reason"] for k, p in records if k in ("ballots.reissued", "ballot.spoiled")] == [
        "lost at the desk", "marked in error"]
    await assert_audit_verifies(svc)


async def test_a_ballot_removed_behind_the_service_stops_the_count(svc: Service) -> None:
    meeting = await congress(svc, 3, 3)
    rnd = await open_round(svc, meeting.meeting_id)
    codes = (await svc.stub.IssueBallots(pb.IssueBallotsRequest(
        idempotency_key=key(), actor=OFFICE, round_id=rnd.round_id,
        person_ids=["m001", "m002", "m003"]))).codes
    await open_casting(svc, rnd.round_id)
    for code in codes:
        await svc.stub.CastBallot(pb.CastBallotRequest(
            round_id=rnd.round_id, code=code, marks=[pb.Mark(person_id="c-wang", choice="for")]))
    (receipt,) = svc.rows("SELECT receipt FROM ballots LIMIT 1")[0]
    svc.db.execute("DELETE FROM ballots WHERE receipt = ?", receipt)
    err = await refused(close(svc, rnd.round_id), grpc.StatusCode.FAILED_PRECONDITION)
    assert "3 codes used, 2 ballots stored" in err.details()
    assert (await svc.stub.GetRound(pb.GetRoundRequest(round_id=rnd.round_id))).status == "open"
