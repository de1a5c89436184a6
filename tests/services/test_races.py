"""Races on PostgreSQL, where writes of one service run in parallel (on SQLite the owning
process serialises them): two co-signatures by one person for one post, check-ins of the same
voter, decisions on one approval, and objections against the closing of their notice, each
fired concurrently from many clients. Exactly one
wins, the others are refused (or find it done), and the stored facts and the audit chain
agree."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any

import grpc
import pytest

from core.config import Settings
from proto import approval_pb2, approval_pb2_grpc, common_pb2, nomination_pb2_grpc, voting_pb2_grpc
from proto import nomination_pb2 as npb
from proto import voting_pb2 as vpb
from services.approval import server as approval_server
from services.nomination import server as nomination_server
from services.voting import server as voting_server
from tests.services.nomination import support as nom
from tests.support.postgres import SqlProbe

pytestmark = pytest.mark.postgres
OFFICE = common_pb2.Actor(role="community_office", scope="community:xw-001")
APPROVER = common_pb2.Actor(role="approver", scope="street:xw-mf")
ROUNDS = 5  # each race is run this many times
CLIENTS = 12


def key() -> str:
    return uuid.uuid4().hex


async def serving(main: Callable[..., Coroutine[Any, Any, None]], settings: Settings,
                  address: str) -> tuple[asyncio.Task[None], asyncio.Event, grpc.aio.Channel]:
    ready, stop = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(main(settings, ready, stop))
    waiter = asyncio.ensure_future(ready.wait())
    done, _ = await asyncio.wait({task, waiter}, timeout=60, return_when=asyncio.FIRST_COMPLETED)
    if task in done:
        task.result()
    # several channels: the clients' RPCs really arrive side by side
    return task, stop, grpc.aio.insecure_channel(address)


@pytest.fixture
async def services(tmp_path: Path, postgres_url: str) -> AsyncIterator[dict[str, Any]]:
    ports = {s: nom.free_port() for s in ("nomination", "voting", "approval")}
    addresses: dict[str, Any] = {f"{s}_address": f"127.0.0.1:{p}" for s, p in ports.items()}
    settings = Settings(data_dir=tmp_path, database_url=postgres_url, temporal_address="",
                        **addresses)
    started = []
    out: dict[str, Any] = {"url": postgres_url}
    for name, main in (("nomination", nomination_server.main), ("voting", voting_server.main),
                       ("approval", approval_server.main)):
        task, stop, channel = await serving(main, settings, settings.service_address(name))
        started.append((task, stop, channel))
        out[name] = channel
    yield out
    for task, stop, channel in started:
        await channel.close()
        stop.set()
        await asyncio.wait_for(task, 30)


async def outcomes(calls: list[Awaitable[Any]]) -> tuple[list[Any], list[grpc.StatusCode]]:
    results = await asyncio.gather(*calls, return_exceptions=True)
    ok = [r for r in results if not isinstance(r, BaseException)]
    errors = [r.code() for r in results if isinstance(r, grpc.aio.AioRpcError)]
    others = [r for r in results if isinstance(r, BaseException)
              and not isinstance(r, grpc.aio.AioRpcError)]
    assert not others, others
    return ok, errors


async def nominations_open(services: dict[str, Any]) -> nom.Service:
    """The nomination service's test election, its plan approved and nominations open."""
    stub = nomination_pb2_grpc.NominationStub(services["nomination"])
    svc = nom.Service(stub, SqlProbe(services["url"], "nomination"))
    await nom.create(svc, nom.ROSTER)
    await nom.approved_plan(svc)
    await stub.OpenNominations(npb.WindowRequest(idempotency_key=key(), actor=OFFICE,
                                                 election_id=nom.ELECTION))
    return svc


async def test_two_cosignatures_one_person_one_post(services: dict[str, Any]) -> None:
    svc = await nominations_open(services)
    stub = svc.stub
    # two joint nominations for the same post; p06 may co-sign only one of them (NM2)
    regs = [await nom.register(svc, pid, "secretary", "joint") for pid in ("p03", "p04")]
    for attempt in range(ROUNDS):
        signer = ["p06", "p07", "p08", "p09", "p10"][attempt]
        ok, errors = await outcomes([
            stub.Cosign(npb.CosignRequest(idempotency_key=key(), actor=OFFICE,
                                          registration_id=regs[i % 2].registration_id,
                                          cosigner_person_id=signer))
            for i in range(CLIENTS)])
        assert {e for e in errors} <= {grpc.StatusCode.FAILED_PRECONDITION}, errors
        winners = {c.registration_id for c in ok}
        assert len(winners) == 1, winners  # all the successes are the one co-signature
        assert svc.count("SELECT count(*) FROM cosignatures WHERE cosigner_person_id=? "
                         "AND NOT withdrawn", signer) == 1
        assert svc.count("SELECT count(*) FROM audit_records WHERE kind='cosignature.added' "
                         "AND payload_json LIKE ?", f'%"cosigner_person_id":"{signer}"%') == 1
    report = await stub.VerifyAudit(common_pb2.AuditRequest(election_id=nom.ELECTION))
    assert report.verified


async def test_objections_racing_the_close_of_their_notice(services: dict[str, Any]) -> None:
    """O2: objections filed while the workflow closes the notice are either refused or seen by
    the read that follows the close, never acknowledged and missed by the workflow."""
    svc = await nominations_open(services)
    stub = svc.stub
    await nom.register(svc, "p01", "secretary", "self")
    for attempt in range(ROUNDS):
        await stub.PublishNotice(npb.PublishNoticeRequest(
            idempotency_key=key(), actor=nom.SYSTEM, election_id=nom.ELECTION, kind="shortlist"))

        async def close_then_read(delay: float) -> set[str]:
            await asyncio.sleep(delay)  # the close lands at a different point each time
            await stub.CloseNotice(npb.CloseNoticeRequest(
                idempotency_key=key(), actor=nom.SYSTEM, election_id=nom.ELECTION,
                kind="shortlist"))
            listed = await stub.ListObjections(npb.ListObjectionsRequest(
                election_id=nom.ELECTION))
            return {o.objection_id for o in listed.objections}

        reader = asyncio.ensure_future(close_then_read(0.002 * attempt))
        ok, errors = await outcomes([
            stub.FileObjection(npb.FileObjectionRequest(
                idempotency_key=key(), actor=OFFICE, election_id=nom.ELECTION,
                notice_kind="shortlist", person_id="p01", reason=f"反映{attempt}-{i}"))
            for i in range(CLIENTS)])
        seen = await reader
        assert set(errors) <= {grpc.StatusCode.FAILED_PRECONDITION}, errors
        assert {o.objection_id for o in ok} <= seen  # every acknowledged objection is read
        assert svc.count("SELECT count(*) FROM objections") == len(seen)
    report = await stub.VerifyAudit(common_pb2.AuditRequest(election_id=nom.ELECTION))
    assert report.verified


async def test_check_ins_of_the_same_voter(services: dict[str, Any]) -> None:
    stub = voting_pb2_grpc.VotingStub(services["voting"])
    probe = SqlProbe(services["url"], "voting")
    electorate = [vpb.Elector(person_id=f"m{i:03d}", name=f"党员{i}", expected=True,
                              **{"class": "member"}) for i in range(1, 41)]
    meeting = await stub.OpenMeeting(vpb.OpenMeetingRequest(
        idempotency_key=key(), actor=OFFICE, election_id="race-1", kind="congress", session=1,
        electorate=electorate, profile="nanjing"))
    for attempt in range(ROUNDS):
        voter = f"m{attempt + 1:03d}"
        ok, errors = await outcomes([
            stub.CheckIn(vpb.CheckInRequest(idempotency_key=key(), actor=OFFICE,
                                            meeting_id=meeting.meeting_id, person_ids=[voter]))
            for _ in range(CLIENTS)])
        assert not errors, errors
        assert sum(r.checked_in for r in ok) == 1  # one of them checked the voter in
        assert max(r.meeting.present_members for r in ok) == attempt + 1
    # and different voters at once: no lost update of the meeting's count
    rest = [f"m{i:03d}" for i in range(ROUNDS + 1, 41)]
    ok, errors = await outcomes([
        stub.CheckIn(vpb.CheckInRequest(idempotency_key=key(), actor=OFFICE,
                                        meeting_id=meeting.meeting_id, person_ids=[p]))
        for p in rest])
    assert not errors
    final = await stub.GetMeeting(vpb.GetMeetingRequest(meeting_id=meeting.meeting_id))
    assert final.present_members == 40
    assert probe.count("SELECT count(*) FROM electors WHERE checked_in") == 40
    checked = probe.rows("SELECT payload_json FROM audit_records WHERE kind='meeting.checked_in'")
    import json

    assert sum(json.loads(p)["count"] for (p,) in checked) == 40
    report = await stub.VerifyAudit(common_pb2.AuditRequest(election_id="race-1"))
    assert report.verified


async def test_two_decisions_on_one_approval(services: dict[str, Any]) -> None:
    stub = approval_pb2_grpc.ApprovalStub(services["approval"])
    probe = SqlProbe(services["url"], "approval")
    for attempt in range(ROUNDS):
        request = await stub.RequestApproval(approval_pb2.RequestApprovalRequest(
            idempotency_key=key(), actor=OFFICE, election_id="race-2", community_id="xw-001",
            street_id="xw-mf", committee_id="xw-mf", post="secretary",
            person_id=f"p{attempt}", name=f"候选人{attempt}"))
        ok, errors = await outcomes([
            stub.Decide(approval_pb2.DecideRequest(
                idempotency_key=key(), actor=APPROVER, approval_id=request.approval_id,
                decision="approve" if i % 2 else "reject", reason="" if i % 2 else "不符合"))
            for i in range(CLIENTS)])
        assert len(ok) == 1, (ok, errors)  # one decision; every other one is refused
        assert set(errors) == {grpc.StatusCode.FAILED_PRECONDITION}
        stored = await stub.GetApproval(approval_pb2.GetApprovalRequest(
            approval_id=request.approval_id))
        assert stored.status == ok[0].status
        assert probe.count("SELECT count(*) FROM audit_records WHERE kind IN "
                           "('approval.approved', 'approval.rejected') AND payload_json LIKE ?",
                           f'%{request.approval_id}%') == 1
    report = await stub.VerifyAudit(common_pb2.AuditRequest(election_id="race-2"))
    assert report.verified


async def test_casts_of_one_code_and_the_count_across_two_voting_replicas(
        services: dict[str, Any], tmp_path: Path) -> None:
    """Two voting processes on one database (replicas behind a balancer), each with its own
    ballot box: one code cast at both many times is stored once; casts racing the count are
    either in the count or refused, never acknowledged and left out."""
    ports = nom.free_port()
    settings = Settings(data_dir=tmp_path, database_url=services["url"], temporal_address="",
                        voting_address=f"127.0.0.1:{ports}")
    task, stop, replica = await serving(voting_server.main, settings, settings.voting_address)
    try:
        stubs = [voting_pb2_grpc.VotingStub(services["voting"]), voting_pb2_grpc.VotingStub(replica)]
        probe = SqlProbe(services["url"], "voting")
        people = [f"m{i:03d}" for i in range(1, 61)]
        meeting = await stubs[0].OpenMeeting(vpb.OpenMeetingRequest(
            idempotency_key=key(), actor=OFFICE, election_id="race-ballots", kind="congress",
            session=1, profile="nanjing", electorate=[
                vpb.Elector(person_id=p, name=p, expected=True, **{"class": "member"})
                for p in people]))
        await stubs[0].CheckIn(vpb.CheckInRequest(idempotency_key=key(), actor=OFFICE,
                                                  meeting_id=meeting.meeting_id, person_ids=people))
        await stubs[0].ConfirmAttendance(vpb.MeetingActionRequest(
            idempotency_key=key(), actor=OFFICE, meeting_id=meeting.meeting_id))
        rnd = await stubs[1].OpenRound(vpb.OpenRoundRequest(
            idempotency_key=key(), actor=OFFICE, meeting_id=meeting.meeting_id, post="secretary",
            kind="regular", seats=1, candidates=[vpb.Candidate(person_id="c1", name="甲"),
                                                 vpb.Candidate(person_id="c2", name="乙")]))
        codes = list((await stubs[0].IssueBallots(vpb.IssueBallotsRequest(
            idempotency_key=key(), actor=OFFICE, round_id=rnd.round_id,
            person_ids=people))).codes)
        await stubs[1].OpenCasting(vpb.RoundActionRequest(
            idempotency_key=key(), actor=OFFICE, round_id=rnd.round_id))

        def cast(i: int, code: str) -> Any:
            return stubs[i % 2].CastBallot(vpb.CastBallotRequest(
                round_id=rnd.round_id, code=code, marks=[vpb.Mark(person_id="c1", choice="for")]))

        for code in codes[:ROUNDS]:  # one code, many casts at both replicas: one ballot
            ok, errors = await outcomes([cast(i, code) for i in range(CLIENTS)])
            assert len(ok) == 1 and set(errors) == {grpc.StatusCode.ALREADY_EXISTS}, errors
        # the rest cast at both replicas while the count closes the round
        casts = [asyncio.ensure_future(cast(i, code)) for i, code in enumerate(codes[ROUNDS:])]
        await asyncio.sleep(0.01)
        counted = await stubs[0].CloseRound(vpb.RoundActionRequest(
            idempotency_key=key(), actor=OFFICE, round_id=rnd.round_id))
        ok, errors = await outcomes(casts)
        assert set(errors) <= {grpc.StatusCode.FAILED_PRECONDITION}, errors
        acknowledged = ROUNDS + len(ok)
        assert counted.returned == acknowledged  # every acknowledged ballot is in the count
        assert probe.count("SELECT count(*) FROM ballots") == acknowledged
        assert probe.count("SELECT count(*) FROM ballot_codes WHERE used") == acknowledged
        report = await stubs[1].VerifyAudit(common_pb2.AuditRequest(election_id="race-ballots"))
        assert report.verified
    finally:
        await replica.close()
        stop.set()
        await asyncio.wait_for(task, 30)


class _RacedAfterRead:
    """An asyncpg connection whose first read is followed, before the batch writes, by
    ``interfere()`` — another writer acting between the ballot box's read and its write."""

    def __init__(self, conn: Any, interfere: Callable[[], Awaitable[Any]]):
        self.conn = conn
        self.interfere: Callable[[], Awaitable[Any]] | None = interfere

    async def fetch(self, *args: Any) -> Any:
        rows = await self.conn.fetch(*args)
        if self.interfere is not None:
            interfere, self.interfere = self.interfere, None
            await interfere()
        return rows

    def __getattr__(self, name: str) -> Any:
        return getattr(self.conn, name)


async def test_a_ballot_batch_raced_between_its_read_and_its_write(
        services: dict[str, Any], caplog: pytest.LogCaptureFixture) -> None:
    """The ballot box writes a batch in one conditional statement after an unlocked read; when
    another writer used one of its codes, or counted the round, in between, the statement
    leaves nothing and the batch is written again under row locks: the raced code refused,
    the others stored once, the chain intact; after the count, every cast refused."""
    import asyncpg

    from services.voting.ballot_box import write_batch_postgres
    from services.voting.domain import code_hash
    from tests.support.postgres import _dsn

    stub = voting_pb2_grpc.VotingStub(services["voting"])
    probe = SqlProbe(services["url"], "voting")
    rnd, codes, request = await _open_round(stub, "race-batch")

    caplog.set_level(logging.DEBUG, logger="services.voting.ballot_box")
    conn = await asyncpg.connect(_dsn(services["url"]))
    try:
        # another ballot box casts codes[1] after this batch read it as unused
        batch = [(request(c), code_hash(c)) for c in codes[:4]]
        answers = await write_batch_postgres(
            _RacedAfterRead(conn, lambda: stub.CastBallot(request(codes[1]))), "voting", batch)
        refused = [a for a in answers if isinstance(a, Exception)]
        assert [type(a).__name__ for a in refused] == ["AlreadyExists"]
        assert answers[1] is refused[0] and refused[0].field == "code"
        assert probe.count("SELECT count(*) FROM ballots") == 4  # 3 of the batch + the raced one
        assert probe.count("SELECT count(*) FROM ballot_codes WHERE used") == 4

        # the count closes the round after this batch read it as open
        batch = [(request(c), code_hash(c)) for c in codes[4:8]]
        answers = await write_batch_postgres(
            _RacedAfterRead(conn, lambda: stub.CloseRound(vpb.RoundActionRequest(
                idempotency_key=key(), actor=OFFICE, round_id=rnd.round_id))), "voting", batch)
        assert {type(a).__name__ for a in answers} == {"FailedPrecondition"}
        assert probe.count("SELECT count(*) FROM ballots") == 4
        assert probe.count("SELECT count(*) FROM ballot_codes WHERE used") == 4
        counted = await stub.GetRound(vpb.GetRoundRequest(round_id=rnd.round_id))
        assert counted.status != "open" and counted.returned == 4
        # both batches took the conditional statement, failed it, and went the locked way
        assert caplog.text.count("writing it under row locks") == 2
    finally:
        await conn.close()
    report = await stub.VerifyAudit(common_pb2.AuditRequest(election_id="race-batch"))
    assert report.verified


class _CountingReads:
    """An asyncpg connection that counts the reads (fetch) a ballot batch makes."""

    def __init__(self, conn: Any):
        self.conn = conn
        self.reads = 0

    async def fetch(self, *args: Any) -> Any:
        self.reads += 1
        return await self.conn.fetch(*args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.conn, name)


async def test_ballot_batches_against_the_cache_of_open_rounds(
        services: dict[str, Any]) -> None:
    """A batch judged against the cached open rounds skips the read; every presumption it
    makes is checked by its write, and when one fails (a code of another round, unknown or
    used elsewhere; the round counted) the
    statement leaves nothing and the batch is judged again after a read: the same answers as
    without the cache, each ballot stored once, the chain intact."""
    import asyncpg

    from services.voting.ballot_box import PostgresCache, write_batch_postgres
    from services.voting.domain import code_hash
    from tests.support.postgres import _dsn

    stub = voting_pb2_grpc.VotingStub(services["voting"])
    probe = SqlProbe(services["url"], "voting")
    rnd, codes, request = await _open_round(stub, "cache-batch", 30)
    other, other_codes, _ = await _open_round(stub, "cache-batch-2", 4)
    cache = PostgresCache()
    conn = _CountingReads(await asyncpg.connect(_dsn(services["url"])))

    async def cast(batch_codes: list[str], round_id: str = "") -> list[Any]:
        batch = [(request(c, round_id), code_hash(c)) for c in batch_codes]
        return await write_batch_postgres(conn, "voting", batch, cache)

    def ballots() -> int:
        return probe.count("SELECT count(*) FROM ballots")

    try:
        # the first batch reads (and fills the cache); the next ones do not
        assert all(not isinstance(a, Exception) for a in await cast(codes[0:3]))
        assert conn.reads == 1 and cache.hits == 0
        answers = await cast(codes[3:6] + [codes[3]])  # the same code twice in one batch
        assert conn.reads == 1 and cache.hits == 1
        assert [type(a).__name__ for a in answers][3] == "AlreadyExists"
        assert ballots() == 6

        # a code of another round, claimed for this one: refused by the write, then NotFound
        answers = await cast([codes[6], other_codes[0]])
        assert cache.misses == 1 and conn.reads == 2
        assert not isinstance(answers[0], Exception)
        assert type(answers[1]).__name__ == "NotFound" and answers[1].field == "code"
        assert ballots() == 7
        cache.cool = 0  # (a miss makes the next batches read first; this test wants the cache)

        # an unknown code, and a code used by another writer meanwhile
        await stub.CastBallot(request(codes[8]))  # the service's own box
        answers = await cast([codes[7], "no-such-code", codes[8]])
        assert cache.misses == 2
        assert [type(a).__name__ for a in answers] == ["CastBallotResponse", "NotFound",
                                                        "AlreadyExists"]
        assert ballots() == 9
        cache.cool = 0

        # another writer casting other codes of the round: nothing the cache presumed moved
        # (a cast moves no chain head)
        await stub.CastBallot(request(codes[9]))
        hits, misses = cache.hits, cache.misses
        answers = await cast(codes[10:12])
        assert cache.misses == misses and cache.hits == hits + 1
        assert all(not isinstance(a, Exception) for a in answers)
        assert all(not isinstance(a, Exception) for a in await cast(codes[12:14]))
        assert cache.hits == hits + 2
        assert ballots() == 14

        # the round counted after it was cached: every cast of the batch refused
        await stub.CloseRound(vpb.RoundActionRequest(idempotency_key=key(), actor=OFFICE,
                                                     round_id=rnd.round_id))
        answers = await cast(codes[14:17])
        assert {type(a).__name__ for a in answers} == {"FailedPrecondition"}
        assert ballots() == 14
        assert probe.count("SELECT count(*) FROM ballot_codes WHERE used") == 14
        counted = await stub.GetRound(vpb.GetRoundRequest(round_id=rnd.round_id))
        assert counted.returned == 14
        assert rnd.round_id not in cache.rounds  # a counted round is not cached again

        # a miss makes the next batches read first
        assert cache.cool == PostgresCache.COOL
        reads = conn.reads
        assert all(not isinstance(a, Exception)
                   for a in await cast(other_codes[1:3], other.round_id))
        assert conn.reads == reads + 1 and cache.cool == PostgresCache.COOL - 1
    finally:
        await conn.close()
    for election_id in ("cache-batch", "cache-batch-2"):
        report = await stub.VerifyAudit(common_pb2.AuditRequest(election_id=election_id))
        assert report.verified


async def _open_round(stub: Any, election_id: str, size: int = 20
                      ) -> tuple[Any, list[str], Callable[..., vpb.CastBallotRequest]]:
    """A congress of ``size`` members checked in, a round of two candidates open, every member
    issued a ballot: the round, the codes, and a maker of casts (for the second candidate)."""
    people = [f"m{i:03d}" for i in range(1, size + 1)]
    meeting = await stub.OpenMeeting(vpb.OpenMeetingRequest(
        idempotency_key=key(), actor=OFFICE, election_id=election_id, kind="congress",
        session=1, profile="nanjing", electorate=[
            vpb.Elector(person_id=p, name=p, expected=True, **{"class": "member"})
            for p in people]))
    await stub.CheckIn(vpb.CheckInRequest(idempotency_key=key(), actor=OFFICE,
                                          meeting_id=meeting.meeting_id, person_ids=people))
    await stub.ConfirmAttendance(vpb.MeetingActionRequest(
        idempotency_key=key(), actor=OFFICE, meeting_id=meeting.meeting_id))
    rnd = await stub.OpenRound(vpb.OpenRoundRequest(
        idempotency_key=key(), actor=OFFICE, meeting_id=meeting.meeting_id, post="secretary",
        kind="regular", seats=1, candidates=[vpb.Candidate(person_id="c1", name="甲"),
                                             vpb.Candidate(person_id="c2", name="乙")]))
    codes = list((await stub.IssueBallots(vpb.IssueBallotsRequest(
        idempotency_key=key(), actor=OFFICE, round_id=rnd.round_id, person_ids=people))).codes)
    await stub.OpenCasting(vpb.RoundActionRequest(idempotency_key=key(), actor=OFFICE,
                                                  round_id=rnd.round_id))

    def request(code: str, round_id: str = "") -> vpb.CastBallotRequest:
        return vpb.CastBallotRequest(round_id=round_id or rnd.round_id, code=code,
                                     marks=[vpb.Mark(person_id="c2", choice="for")])

    return rnd, codes, request
