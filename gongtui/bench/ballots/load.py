"""The load generator: concurrent callers of CastBallot, the election they vote in, and the
echo (or durable floor) measured beside each measurement of the voting service."""

from __future__ import annotations

import asyncio
import secrets
import sqlite3
import statistics
import time
import uuid
from typing import Any

import grpc

from gongtui.bench.ballots.cpu import Usage
from gongtui.bench.ballots.echo import ECHO_METHOD
from gongtui.bench.ballots.plumbing import dsn, pb_modules
from gongtui.bench.ballots.processes import Proc, start_echo


async def drive(address: str, method: str, requests: list[Any], clients: int,
                response_type: Any) -> tuple[float, list[Any]]:
    """``clients`` concurrent callers, each one RPC in flight, over a few channels."""
    _, voting_pb2, _ = pb_modules()
    channels = [grpc.aio.insecure_channel(address) for _ in range(min(clients, 4))]
    calls = [ch.unary_unary(method, request_serializer=voting_pb2.CastBallotRequest.SerializeToString,
                            response_deserializer=response_type.FromString) for ch in channels]
    for ch in channels:
        await ch.channel_ready()
    results: list[Any] = [None] * len(requests)
    cursor = 0

    async def client(i: int) -> None:
        nonlocal cursor
        call = calls[i % len(calls)]
        while cursor < len(requests):
            n = cursor
            cursor += 1
            results[n] = await call(requests[n], timeout=60)

    start = time.perf_counter()
    await asyncio.gather(*(client(i) for i in range(clients)))
    elapsed = time.perf_counter() - start
    for ch in channels:
        await ch.close()
    return elapsed, results



# ----------------------------------------------------------------------------- ballots
class Election:
    """One congress meeting of ``size`` members; one round per measurement."""

    def __init__(self, address: str, size: int):
        common_pb2, voting_pb2, voting_pb2_grpc = pb_modules()
        self.pb = voting_pb2
        self.actor = common_pb2.Actor(role="community_office", scope="community:bench")
        self.channel = grpc.aio.insecure_channel(address)
        self.stub = voting_pb2_grpc.VotingStub(self.channel)
        self.size = size
        self.election_id = f"bench-{uuid.uuid4().hex[:8]}"
        self.meeting_id = ""
        self.persons = [f"m{i:06d}" for i in range(size)]

    def key(self) -> str:
        return uuid.uuid4().hex

    async def open(self) -> None:
        pb = self.pb
        electorate = [pb.Elector(person_id=p, name=f"党员{i}", expected=True,
                                 **{"class": "member"}) for i, p in enumerate(self.persons)]
        meeting = await self.stub.OpenMeeting(pb.OpenMeetingRequest(
            idempotency_key=self.key(), actor=self.actor, election_id=self.election_id,
            kind="congress", session=1, electorate=electorate, profile="nanjing"), timeout=300)
        self.meeting_id = meeting.meeting_id
        await self.stub.CheckIn(pb.CheckInRequest(
            idempotency_key=self.key(), actor=self.actor, meeting_id=self.meeting_id,
            person_ids=self.persons), timeout=300)
        await self.stub.ConfirmAttendance(pb.MeetingActionRequest(
            idempotency_key=self.key(), actor=self.actor, meeting_id=self.meeting_id))

    async def round(self, n: int) -> tuple[str, list[str], list[str]]:
        pb = self.pb
        rnd = await self.stub.OpenRound(pb.OpenRoundRequest(
            idempotency_key=self.key(), actor=self.actor, meeting_id=self.meeting_id,
            post="secretary", kind="regular", seats=1,
            candidates=[pb.Candidate(person_id="c-wang", name="王建国"),
                        pb.Candidate(person_id="c-zhao", name="赵磊")]))
        issued = await self.stub.IssueBallots(pb.IssueBallotsRequest(
            idempotency_key=self.key(), actor=self.actor, round_id=rnd.round_id,
            person_ids=self.persons[:n]), timeout=300)
        await self.stub.OpenCasting(pb_round_action(self.pb, self.key(), self.actor,
                                                    rnd.round_id), timeout=300)
        return rnd.round_id, list(issued.codes), [c.person_id for c in rnd.candidates]

    def requests(self, round_id: str, codes: list[str], candidates: list[str]) -> list[Any]:
        pb = self.pb
        return [pb.CastBallotRequest(round_id=round_id, code=code, marks=[
            pb.Mark(person_id=candidates[i % 2], choice="for")]) for i, code in enumerate(codes)]

    async def count(self, round_id: str) -> Any:
        return await self.stub.CloseRound(pb_round_action(self.pb, self.key(), self.actor,
                                                          round_id), timeout=300)

    async def close(self) -> None:
        await self.channel.close()


def pb_round_action(pb: Any, key: str, actor: Any, round_id: str) -> Any:
    return pb.RoundActionRequest(idempotency_key=key, actor=actor, round_id=round_id)


def cast_method() -> str:
    _, voting_pb2, _ = pb_modules()
    svc = voting_pb2.DESCRIPTOR.services_by_name["Voting"]
    return f"/{svc.full_name}/CastBallot"


class EchoFloor:
    """The echo server (or, given ``durable``, the durable floor), running for the whole
    benchmark or database; measured right before each measurement of the voting service (see
    the module's docstring)."""

    def __init__(self, durable: str = "") -> None:
        self.durable = durable
        self.proc: Proc | None = None
        self.warm: set[int] = set()
        self.requests: dict[int, list[Any]] = {}
        #: every measurement by clients: (calls per second, server CPU µs per call)
        self.measured: dict[int, list[tuple[float, float]]] = {}

    async def start(self) -> None:
        self.proc = await start_echo(self.durable)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.stop()

    def _requests(self, n: int) -> list[Any]:
        _, voting_pb2, _ = pb_modules()

        def make(k: int) -> list[Any]:
            return [voting_pb2.CastBallotRequest(
                round_id="rd-" + "0" * 16, code=secrets.token_urlsafe(24),
                marks=[voting_pb2.Mark(person_id="c-wang", choice="for")]) for _ in range(k)]

        if self.durable:  # the floor keeps each code (a primary key): new codes every time
            return make(n)
        if n not in self.requests:  # made once per size: the echo reads nothing of them
            self.requests[n] = make(n)
        return self.requests[n]

    async def measure(self, clients: int, n: int) -> dict[str, float]:
        """Calls per second, with the CPU spent per call (see :class:`Usage`)."""
        _, voting_pb2, _ = pb_modules()
        assert self.proc is not None
        if clients not in self.warm:
            await drive(self.proc.address, ECHO_METHOD, self._requests(min(500, n)), clients,
                        voting_pb2.CastBallotResponse)
            self.warm.add(clients)
        requests = self._requests(n)
        before = await self.stored()
        usage = Usage(self.proc.proc.pid)
        elapsed, _ = await drive(self.proc.address, ECHO_METHOD, requests, clients,
                                 voting_pb2.CastBallotResponse)
        measured = {"per_s": n / elapsed} | usage.per_call(n)
        if self.durable:  # every call acknowledged is a row: the floor writes what it answers
            measured["stored"] = await self.stored() - before
        self.measured.setdefault(clients, []).append(
            (measured["per_s"], measured["server_cpu_us_per_call"]))
        return measured

    async def stored(self) -> int:
        """Rows the durable floor holds (0 for the echo)."""
        if not self.durable:
            return 0
        if self.durable.startswith("sqlite:"):
            def count() -> int:
                with sqlite3.connect(self.durable.removeprefix("sqlite:")) as conn:
                    return int(conn.execute("SELECT count(*) FROM durable_floor").fetchone()[0])

            return await asyncio.to_thread(count)
        import asyncpg

        conn = await asyncpg.connect(dsn(self.durable))
        try:
            return int(await conn.fetchval("SELECT count(*) FROM durable_floor"))
        finally:
            await conn.close()

    def summary(self) -> tuple[dict[str, int], dict[str, int]]:
        """Median calls per second and server CPU µs per call, by clients."""
        return ({str(c): round(statistics.median(r for r, _ in m))
                 for c, m in sorted(self.measured.items())},
                {str(c): round(statistics.median(u for _, u in m))
                 for c, m in sorted(self.measured.items())})
