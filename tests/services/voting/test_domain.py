"""The voting service over a real grpc.aio channel, on its own database (a SQLite file, or
PostgreSQL in the suite's PostgreSQL pass)."""

from __future__ import annotations

import asyncio
import hashlib
import json
import socket
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import pytest

import rules
from core.config import Settings
from proto import common_pb2, voting_pb2_grpc
from proto import voting_pb2 as pb
from services.voting import models, server
from tests.conftest import service_probe
from tests.support.postgres import SqlProbe

OFFICE = common_pb2.Actor(role="community_office", scope="community:xw-001", name="选举工作小组")
STREET = common_pb2.Actor(role="street_committee", scope="street:xw-mf")
ELECTION = "xw-001-2026"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def key() -> str:
    return uuid.uuid4().hex


@dataclass
class Service:
    stub: voting_pb2_grpc.VotingStub
    db: SqlProbe  # the service's tables, on SQLite or PostgreSQL

    def rows(self, sql: str, *args: object) -> list[tuple]:
        return self.db.rows(sql, *args)

    def count(self, sql: str, *args: object) -> int:
        return self.db.count(sql, *args)

    def all_text(self) -> str:
        """Every value of every table, blobs decoded, as one string."""
        return self.db.all_text()


@pytest.fixture
async def svc(tmp_path: Path, service_database_url: str) -> AsyncIterator[Service]:
    address = f"127.0.0.1:{free_port()}"
    settings = Settings(data_dir=tmp_path, voting_address=address, temporal_address="",
                        database_url=service_database_url)
    ready, stop = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(server.main(settings, ready, stop))
    waiter = asyncio.ensure_future(ready.wait())
    done, _ = await asyncio.wait({task, waiter}, timeout=30, return_when=asyncio.FIRST_COMPLETED)
    if task in done:
        task.result()  # raises the start-up error
    assert ready.is_set()
    async with grpc.aio.insecure_channel(address) as channel:
        yield Service(voting_pb2_grpc.VotingStub(channel), service_probe(settings, "voting"))
    stop.set()
    await asyncio.wait_for(task, timeout=30)


def members(n: int, prefix: str = "m") -> list[pb.Elector]:
    return [pb.Elector(person_id=f"{prefix}{i:03d}", name=f"党员{i}", expected=True,
                       **{"class": "member"}) for i in range(1, n + 1)]


def others(n: int) -> list[pb.Elector]:
    return [pb.Elector(person_id=f"r{i:03d}", name=f"居民{i}", expected=False,
                       **{"class": "other"}) for i in range(1, n + 1)]


async def open_meeting(svc: Service, kind: str, session: int, electorate: list[pb.Elector],
                       profile: str = "nanjing") -> pb.Meeting:
    return await svc.stub.OpenMeeting(pb.OpenMeetingRequest(
        idempotency_key=key(), actor=OFFICE, election_id=ELECTION, kind=kind, session=session,
        electorate=electorate, workflow_id=f"wf-{ELECTION}", profile=profile))


async def congress(svc: Service, expected: int, present: int, session: int = 1,
                   extra: list[pb.Elector] | None = None,
                   also_present: tuple[str, ...] = ()) -> pb.Meeting:
    meeting = await open_meeting(svc, "congress", session, members(expected) + (extra or []))
    await svc.stub.CheckIn(pb.CheckInRequest(
        idempotency_key=key(), actor=OFFICE, meeting_id=meeting.meeting_id,
        person_ids=[f"m{i:03d}" for i in range(1, present + 1)] + list(also_present)))
    return await svc.stub.ConfirmAttendance(pb.MeetingActionRequest(
        idempotency_key=key(), actor=OFFICE, meeting_id=meeting.meeting_id))


CANDIDATES = [pb.Candidate(person_id="c-wang", name="王建国"),  # 王 4 strokes
              pb.Candidate(person_id="c-zhao", name="赵磊"),  # 赵 9 strokes
              pb.Candidate(person_id="c-ding", name="丁一")]  # 丁 2 strokes


async def open_round(svc: Service, meeting_id: str, kind: str = "regular", seats: int = 1,
                     candidates: list[pb.Candidate] | None = None,
                     post: str = "secretary") -> pb.Round:
    return await svc.stub.OpenRound(pb.OpenRoundRequest(
        idempotency_key=key(), actor=OFFICE, meeting_id=meeting_id, post=post, kind=kind,
        seats=seats, candidates=candidates or CANDIDATES[:2]))


def line(pid: str, f: int, a: int = 0, ab: int = 0) -> pb.TallyLine:
    return pb.TallyLine(person_id=pid, votes_for=f, votes_against=a, votes_abstain=ab)


async def tally(svc: Service, round_id: str, issued: int, returned: int, invalid: int,
                lines: list[pb.TallyLine], idem: str | None = None,
                write_ins: list[pb.WriteIn] | None = None) -> pb.Round:
    return await svc.stub.EnterTally(pb.EnterTallyRequest(
        idempotency_key=idem or key(), actor=OFFICE, round_id=round_id, issued=issued,
        returned=returned, invalid=invalid, lines=lines, write_ins=write_ins or []))


async def close(svc: Service, round_id: str) -> pb.Round:
    return await svc.stub.CloseRound(pb.RoundActionRequest(
        idempotency_key=key(), actor=OFFICE, round_id=round_id))


async def open_casting(svc: Service, round_id: str) -> pb.Round:
    return await svc.stub.OpenCasting(pb.RoundActionRequest(
        idempotency_key=key(), actor=OFFICE, round_id=round_id))


async def refused(call, code: grpc.StatusCode) -> grpc.aio.AioRpcError:  # type: ignore[no-untyped-def]
    with pytest.raises(grpc.aio.AioRpcError) as exc:
        await call
    assert exc.value.code() == code, exc.value.details()
    return exc.value


def trailer(err: grpc.aio.AioRpcError, name: str) -> str:
    return dict(err.trailing_metadata() or ()).get(f"gongtui-{name}", "")


async def audit(svc: Service) -> list[common_pb2.AuditRecord]:
    return list((await svc.stub.ListAudit(common_pb2.AuditRequest(election_id=ELECTION))).records)


async def assert_audit_verifies(svc: Service) -> None:
    report = await svc.stub.VerifyAudit(common_pb2.AuditRequest(election_id=ELECTION))
    assert report.verified, report.problem
    assert report.records == len(await audit(svc)) > 0
    assert report.service == "voting"


# --------------------------------------------------------------------------- M1 quorum
async def test_congress_quorum_m1_boundary(svc: Service) -> None:
    excluded = pb.Elector(person_id="x001", name="出国党员", expected=False, **{"class": "member"})
    guest = pb.Elector(person_id="g001", name="驻区党员", expected=False, **{"class": "other"})
    failed = await congress(svc, 100, 80, session=1, extra=[excluded, guest])
    assert failed.expected == 100  # E2: the excluded member is not expected, the guest never
    assert (failed.present_members, failed.status, failed.quorum_met, failed.quorum_rule) == (
        80, "quorum_failed", False, "M1")
    err = await refused(open_round(svc, failed.meeting_id), grpc.StatusCode.FAILED_PRECONDITION)
    assert trailer(err, "field") == "meeting_id" and trailer(err, "rule") == "M1"

    met = await congress(svc, 100, 81, session=2)
    assert (met.present_members, met.status, met.quorum_met, met.quorum_rule) == (
        81, "in_session", True, "M1")
    assert met.meeting_id != failed.meeting_id

    listed = await svc.stub.ListMeetings(pb.ListMeetingsRequest(election_id=ELECTION,
                                                                kind="congress"))
    assert [m.session for m in listed.meetings] == [1, 2]
    confirmed = [r for r in await audit(svc) if r.kind == "meeting.attendance_confirmed"]
    assert [json.loads(r.payload_json)["quorum_met"] for r in confirmed] == [False, True]
    await assert_audit_verifies(svc)


async def test_open_meeting_is_deterministic_and_checkin_counts_once(svc: Service) -> None:
    first = await open_meeting(svc, "congress", 1, members(5))
    again = await open_meeting(svc, "congress", 1, members(5))
    assert first.meeting_id == again.meeting_id and first.meeting_id.startswith("mt-")
    assert svc.count("SELECT count(*) FROM meetings") == 1
    assert svc.count("SELECT count(*) FROM electors") == 5
    checkin = await svc.stub.CheckIn(pb.CheckInRequest(
        idempotency_key=key(), actor=OFFICE, meeting_id=first.meeting_id,
        person_ids=["m001", "m002"]))
    assert checkin.checked_in == 2
    checkin = await svc.stub.CheckIn(pb.CheckInRequest(
        idempotency_key=key(), actor=OFFICE, meeting_id=first.meeting_id,
        person_ids=["m002", "m003"]))
    assert checkin.checked_in == 1 and checkin.meeting.present_members == 3
    err = await refused(svc.stub.CheckIn(pb.CheckInRequest(
        idempotency_key=key(), actor=OFFICE, meeting_id=first.meeting_id,
        person_ids=["m004", "nobody"])), grpc.StatusCode.NOT_FOUND)
    assert trailer(err, "field") == "person_ids"
    assert svc.count("SELECT count(*) FROM electors WHERE checked_in") == 3  # nothing half-written


# --------------------------------------------------------------------------- paper rounds
async def test_paper_round_m5_exactly_half_fails_then_additional_round_elects(
        svc: Service) -> None:
    meeting = await congress(svc, 10, 10)
    rnd = await open_round(svc, meeting.meeting_id)
    assert [c.name for c in rnd.candidates] == ["王建国", "赵磊"]  # M12 stroke order
    await tally(svc, rnd.round_id, 10, 10, 0, [line("c-wang", 5, 5), line("c-zhao", 4, 6)])
    counted = await close(svc, rnd.round_id)
    assert counted.status == "counted" and counted.source == "paper" and not counted.void
    assert list(counted.elected) == [] and counted.unfilled == 1  # 5 of 10: exactly half fails
    assert list(counted.rules) == ["M5", "M7"]
    assert [t.person_id for t in counted.tally] == ["c-wang", "c-zhao"]
    assert counted.ballot_box_digest.startswith("sha256:")

    extra = await open_round(svc, meeting.meeting_id, kind="additional")
    assert extra.number == 2
    await tally(svc, extra.round_id, 10, 10, 1, [line("c-wang", 6, 3), line("c-zhao", 3, 6)])
    elected = await close(svc, extra.round_id)
    assert list(elected.elected) == ["c-wang"] and elected.unfilled == 0
    assert (elected.issued, elected.returned, elected.valid, elected.invalid) == (10, 10, 9, 1)
    counted_audit = [json.loads(r.payload_json) for r in await audit(svc)
                     if r.kind == "round.counted"]
    assert [a["elected"] for a in counted_audit] == [[], ["c-wang"]]
    assert counted_audit[1]["ballot_box_digest"] == elected.ballot_box_digest

    await refused(close(svc, extra.round_id), grpc.StatusCode.FAILED_PRECONDITION)
    closed = await svc.stub.CloseMeeting(pb.MeetingActionRequest(
        idempotency_key=key(), actor=OFFICE, meeting_id=meeting.meeting_id))
    assert closed.status == "closed" and len(closed.rounds) == 2
    await assert_audit_verifies(svc)


async def test_void_round_m2(svc: Service) -> None:
    meeting = await congress(svc, 10, 10)
    rnd = await open_round(svc, meeting.meeting_id)
    await tally(svc, rnd.round_id, 10, 11, 0, [line("c-wang", 9), line("c-zhao", 2)])
    counted = await close(svc, rnd.round_id)
    assert counted.void and list(counted.rules) == ["M2"]
    assert list(counted.elected) == [] and list(counted.tied) == []
    await assert_audit_verifies(svc)


async def test_tally_validation_names_field_and_rule(svc: Service) -> None:
    meeting = await congress(svc, 10, 10)
    rnd = await open_round(svc, meeting.meeting_id)
    err = await refused(tally(svc, rnd.round_id, 10, 10, 2, [line("c-wang", 5, 3, 1)]),
                        grpc.StatusCode.INVALID_ARGUMENT)
    assert (trailer(err, "field"), trailer(err, "rule")) == ("lines[0]", "M3")
    err = await refused(tally(svc, rnd.round_id, 10, 10, 0, [line("c-wang", 5), line("ghost", 1)]),
                        grpc.StatusCode.INVALID_ARGUMENT)
    assert trailer(err, "field") == "lines[1].person_id"
    err = await refused(tally(svc, rnd.round_id, 10, 5, 6, []), grpc.StatusCode.INVALID_ARGUMENT)
    assert trailer(err, "field") == "invalid"
    assert svc.count("SELECT count(*) FROM tallies") == 0


async def test_enter_tally_idempotent_and_reentry_replaces(svc: Service) -> None:
    meeting = await congress(svc, 10, 10)
    rnd = await open_round(svc, meeting.meeting_id)
    idem = key()
    first = await tally(svc, rnd.round_id, 10, 10, 0, [line("c-wang", 7)], idem=idem)
    again = await tally(svc, rnd.round_id, 10, 10, 0, [line("c-wang", 7)], idem=idem)
    assert first == again
    assert svc.count("SELECT count(*) FROM tallies") == 1
    assert sum(r.kind == "tally.entered" for r in await audit(svc)) == 1
    # the same key for a different request is refused
    err = await refused(tally(svc, rnd.round_id, 10, 10, 0, [line("c-wang", 8)], idem=idem),
                        grpc.StatusCode.ALREADY_EXISTS)
    assert trailer(err, "field") == "idempotency_key"
    # a corrected tally under a new key replaces the first
    await tally(svc, rnd.round_id, 10, 10, 0, [line("c-wang", 4), line("c-zhao", 6)])
    assert svc.count("SELECT count(*) FROM tallies") == 1
    counted = await close(svc, rnd.round_id)
    assert list(counted.elected) == ["c-zhao"]
    assert [t.person_id for t in counted.tally] == ["c-zhao", "c-wang"]  # by votes


async def test_write_ins_are_matched_after_normalization(svc: Service) -> None:
    meeting = await congress(svc, 10, 10)
    rnd = await open_round(svc, meeting.meeting_id)
    entered = await tally(svc, rnd.round_id, 10, 10, 0, [line("c-wang", 6, 4)], write_ins=[
        pb.WriteIn(name="李四", votes=2), pb.WriteIn(name="\u200b李四", votes=1),
        pb.WriteIn(name="李四\u3000", votes=1), pb.WriteIn(name="Ｌｉ  Si", votes=1)])
    assert [(w.name, w.votes) for w in entered.write_ins] == [("Li Si", 1), ("李四", 4)]
    err = await refused(tally(svc, rnd.round_id, 10, 10, 0, [line("c-wang", 6)],
                              write_ins=[pb.WriteIn(name="\u200b\u200d", votes=1)]),
                        grpc.StatusCode.INVALID_ARGUMENT)
    assert trailer(err, "field") == "write_ins[0].name"


# --------------------------------------------------------------------------- electronic rounds
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


async def test_recommendation_meeting_m8_and_trust_ballots(svc: Service) -> None:
    meeting = await open_meeting(svc, "recommendation", 1, members(4) + others(3))
    await svc.stub.CheckIn(pb.CheckInRequest(
        idempotency_key=key(), actor=OFFICE, meeting_id=meeting.meeting_id,
        person_ids=["m001", "m002", "m003", "r001", "r002", "r003"]))
    meeting = await svc.stub.ConfirmAttendance(pb.MeetingActionRequest(
        idempotency_key=key(), actor=OFFICE, meeting_id=meeting.meeting_id))
    assert (meeting.status, meeting.present_members, meeting.present_others) == (
        "in_session", 3, 3)
    rec = await open_round(svc, meeting.meeting_id, kind="recommendation", seats=1,
                           candidates=CANDIDATES)
    trust = await open_round(svc, meeting.meeting_id, kind="trust", seats=0,
                             candidates=CANDIDATES)
    await refused(open_round(svc, meeting.meeting_id, kind="regular"),
                  grpc.StatusCode.INVALID_ARGUMENT)
    err = await refused(svc.stub.IssueBallots(pb.IssueBallotsRequest(
        idempotency_key=key(), actor=OFFICE, round_id=trust.round_id, person_ids=["m001"])),
        grpc.StatusCode.FAILED_PRECONDITION)
    assert trailer(err, "rule") == "M8"

    rec_codes = (await svc.stub.IssueBallots(pb.IssueBallotsRequest(
        idempotency_key=key(), actor=OFFICE, round_id=rec.round_id,
        person_ids=["m001", "m002", "m003"]))).codes
    trust_codes = (await svc.stub.IssueBallots(pb.IssueBallotsRequest(
        idempotency_key=key(), actor=OFFICE, round_id=trust.round_id,
        person_ids=["r001", "r002", "r003"]))).codes
    await open_casting(svc, rec.round_id)
    await open_casting(svc, trust.round_id)
    # a code belongs to its round
    await refused(svc.stub.CastBallot(pb.CastBallotRequest(round_id=trust.round_id,
                                                           code=rec_codes[0])),
                  grpc.StatusCode.NOT_FOUND)
    outcomes = []
    for code, marks in zip(rec_codes, [["c-wang"], ["c-wang"], ["c-wang", "c-zhao"]],
                           strict=True):
        cast = await svc.stub.CastBallot(pb.CastBallotRequest(
            round_id=rec.round_id, code=code,
            marks=[pb.Mark(person_id=p, choice="for") for p in marks]))
        outcomes.append((cast.valid, cast.invalid_rule))
    assert outcomes == [(True, ""), (True, ""), (False, "M8")]
    for code, choice in zip(trust_codes[:2], ["for", "against"], strict=True):
        await svc.stub.CastBallot(pb.CastBallotRequest(
            round_id=trust.round_id, code=code,
            marks=[pb.Mark(person_id="c-wang", choice=choice),
                   pb.Mark(person_id="c-zhao", choice="for")]))
    # a trust ballot with a write-in is spoilt (M8): counted as returned, invalid
    spoilt = await svc.stub.CastBallot(pb.CastBallotRequest(
        round_id=trust.round_id, code=trust_codes[2],
        marks=[pb.Mark(person_id="c-wang", choice="against", write_in="李四")]))
    assert (spoilt.valid, spoilt.invalid_rule) == (False, "M8")
    rec_counted = await close(svc, rec.round_id)
    assert [(t.person_id, t.votes_for) for t in rec_counted.tally][:1] == [("c-wang", 2)]
    assert list(rec_counted.rules) == ["M8"] and list(rec_counted.elected) == []
    trust_counted = await close(svc, trust.round_id)
    by_id = {t.person_id: (t.votes_for, t.votes_against) for t in trust_counted.tally}
    assert by_id["c-wang"] == (1, 1) and by_id["c-zhao"] == (2, 0)
    assert (trust_counted.returned, trust_counted.invalid) == (3, 1)
    await assert_audit_verifies(svc)


async def test_committee_vote_m11(svc: Service) -> None:
    meeting = await open_meeting(svc, "committee", 1, [])
    err = await refused(svc.stub.CheckIn(pb.CheckInRequest(
        idempotency_key=key(), actor=STREET, meeting_id=meeting.meeting_id, committee_size=9,
        headcount=10)), grpc.StatusCode.INVALID_ARGUMENT)
    assert trailer(err, "field") == "headcount"
    checked = await svc.stub.CheckIn(pb.CheckInRequest(
        idempotency_key=key(), actor=STREET, meeting_id=meeting.meeting_id, committee_size=9,
        headcount=9))
    assert checked.meeting.expected == 9
    meeting = await svc.stub.ConfirmAttendance(pb.MeetingActionRequest(
        idempotency_key=key(), actor=STREET, meeting_id=meeting.meeting_id))
    assert (meeting.status, meeting.quorum_rule, meeting.present_members) == (
        "in_session", "M11", 9)
    rnd = await open_round(svc, meeting.meeting_id, seats=2, candidates=CANDIDATES)
    err = await refused(svc.stub.IssueBallots(pb.IssueBallotsRequest(
        idempotency_key=key(), actor=STREET, round_id=rnd.round_id, person_ids=["x"])),
        grpc.StatusCode.FAILED_PRECONDITION)
    await tally(svc, rnd.round_id, 9, 9, 0,
                [line("c-wang", 8), line("c-zhao", 6), line("c-ding", 6)])
    counted = await close(svc, rnd.round_id)
    assert list(counted.elected) == ["c-wang"]
    assert list(counted.tied) == ["c-ding", "c-zhao"]  # tied at the cut, in stroke order
    assert list(counted.rules) == ["M11"] and counted.unfilled == 1

    failed = await open_meeting(svc, "committee", 2, [])
    await svc.stub.CheckIn(pb.CheckInRequest(
        idempotency_key=key(), actor=STREET, meeting_id=failed.meeting_id, committee_size=9,
        headcount=6))
    failed = await svc.stub.ConfirmAttendance(pb.MeetingActionRequest(
        idempotency_key=key(), actor=STREET, meeting_id=failed.meeting_id))
    assert (failed.status, failed.quorum_met) == ("quorum_failed", False)
    await assert_audit_verifies(svc)


async def test_close_meeting_refused_with_open_round(svc: Service) -> None:
    meeting = await congress(svc, 3, 3)
    await open_round(svc, meeting.meeting_id)
    err = await refused(svc.stub.CloseMeeting(pb.MeetingActionRequest(
        idempotency_key=key(), actor=OFFICE, meeting_id=meeting.meeting_id)),
        grpc.StatusCode.FAILED_PRECONDITION)
    assert trailer(err, "field") == "meeting_id"
    got = await svc.stub.GetMeeting(pb.GetMeetingRequest(meeting_id=meeting.meeting_id))
    assert got.status == "in_session" and len(got.rounds) == 1
    assert (await svc.stub.GetRound(pb.GetRoundRequest(round_id=got.rounds[0].round_id))
            ).status == "open"


# --------------------------------------------------------------------------- the schema
PERSON_COLUMNS = {"person_id", "name", "voter", "voter_id", "elector", "elector_id", "class",
                  "actor", "actor_role", "actor_scope"}
BALLOT_COLUMNS = {"code", "code_hash", "ballot_id", "marks_json", "marks", "receipt", "salt",
                  "used", "invalid_rule"}
SECRET_TABLES = ("ballots", "ballot_codes")


def test_schema_keeps_ballots_apart_from_persons() -> None:
    tables = models.Base.metadata.tables
    assert {"ballot_issues", *SECRET_TABLES} <= set(tables)
    for table in tables.values():
        columns = {c.name for c in table.columns}
        assert not (columns & PERSON_COLUMNS and columns & BALLOT_COLUMNS), table.name
    issues = {c.name for c in tables["ballot_issues"].columns}
    assert issues == {"round_id", "person_id"}
    for name in SECRET_TABLES:
        table = tables[name]
        columns = {c.name for c in table.columns}
        assert columns & issues == {"round_id"}, name
        # nothing that orders rows by time of writing: no timestamps, no sequential ids,
        # and no hidden SQLite rowid either
        assert not any(c.name.endswith(("_at", "time", "seq")) for c in table.columns), name
        assert not any(c.autoincrement is True for c in table.columns), name
        assert all(str(c.type).startswith("VARCHAR") for c in table.primary_key.columns), name
        assert table.dialect_options["sqlite"]["with_rowid"] is False, name
    assert tables["ballot_issues"].dialect_options["sqlite"]["with_rowid"] is False


def test_rules_api_is_the_one_the_service_calls() -> None:
    assert rules.stroke_key("丁一") < rules.stroke_key("王建国") < rules.stroke_key("赵磊")
