"""``gongtui bench ballots``: electronic ballots cast through the voting service's gRPC API.

For each database (SQLite in WAL mode with synchronous=FULL; PostgreSQL with
synchronous_commit=on) a voting service runs as its own process (``gongtui serve voting``);
this process is the clients: 1, 16 and 64 concurrent callers of CastBallot, each ballot
acknowledged only after its transaction committed. In the same run, two floors:

* **echo** — a no-op gRPC server (own process) answering the same request and response
  messages: the transport's ceiling on this machine;
* **raw commits** — one row, one commit, one client, straight on the same database: the
  durable commit rate of the storage;

and, beside each measurement of the voting service, a third server:

* **durable floor** — the echo server that, before it answers, writes the call's code as one
  row into the same database in group commits (the statements on the event loop, SQLite's
  COMMIT on a thread, as the ballot box does; on PostgreSQL one statement per batch): the
  least any server must do to acknowledge a call only once it is durable, on this stack. What
  the voting service loses against it is the ballot box's own work (judging, the ballot, the
  code's flag, the audit chain); what the floor loses against the echo is durability itself.

Afterwards every round is counted (CloseRound) and its stored ballots compared with the
receipts acknowledged: the run fails on a lost or duplicated ballot.

Measured in pairs: each measurement of the voting service follows one of the echo with the same
clients and the same number of calls, and the share of the echo is taken pair by pair, then the
median over ``--repeats`` pairs. This VM's speed drifts by half within minutes (a neighbour on
the host); an echo measured once at the start made the later shares meaningless — one run
showed PostgreSQL at "200 % of the echo".
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import grpc
import typer

from core.config import Settings
from gongtui.bench import bench_app
from gongtui.machine import machine
from gongtui.stack import free_port
from services.common.probes import grpc_healthy, split_address

ROOT = Path(__file__).resolve().parents[2]


def _pb() -> Any:
    from proto import common_pb2, voting_pb2, voting_pb2_grpc

    return common_pb2, voting_pb2, voting_pb2_grpc


# ----------------------------------------------------------------------------- echo server
ECHO_METHOD = "/gongtui.bench.Echo/CastBallot"


async def echo_server(port: int, durable: str = "") -> None:
    """The echo (``durable`` empty), or the durable floor writing into ``durable``
    (``sqlite:PATH`` or a PostgreSQL URL)."""
    _, voting_pb2, _ = _pb()
    answer = voting_pb2.CastBallotResponse(receipt="sha256:" + "0" * 64, valid=True)

    async def cast(request: Any, context: Any) -> Any:  # the echo: nothing but the answer
        return answer

    if durable:
        floor = _DurableFloor(durable)
        await floor.open()

        async def cast(request: Any, context: Any) -> Any:
            await floor.write(request.code)
            return answer

    handler = grpc.method_handlers_generic_handler("gongtui.bench.Echo", {
        "CastBallot": grpc.unary_unary_rpc_method_handler(
            cast, request_deserializer=voting_pb2.CastBallotRequest.FromString,
            response_serializer=voting_pb2.CastBallotResponse.SerializeToString)})
    server = grpc.aio.server()
    server.add_generic_rpc_handlers((handler,))
    server.add_insecure_port(f"127.0.0.1:{port}")
    await server.start()
    await server.wait_for_termination()


class _DurableFloor:
    """The durable floor's write path: each call's code one row, the calls waiting meanwhile
    written together, each answered after its batch committed."""

    def __init__(self, target: str):
        self.target = target
        self.pending: list[tuple[str, asyncio.Future[None]]] = []
        self.event = asyncio.Event()
        self.task: asyncio.Task[None] | None = None
        self.sqlite: sqlite3.Connection | None = None
        self.postgres: Any = None
        self.thread: Any = None

    async def open(self) -> None:
        if self.target.startswith("sqlite:"):
            from concurrent.futures import ThreadPoolExecutor

            self.thread = ThreadPoolExecutor(1)
            self.sqlite = sqlite3.connect(self.target.removeprefix("sqlite:"), isolation_level=None,
                                          check_same_thread=False)
            self.sqlite.execute("PRAGMA journal_mode=WAL")
            self.sqlite.execute("PRAGMA synchronous=FULL")
            self.sqlite.execute("CREATE TABLE IF NOT EXISTS durable_floor (code TEXT PRIMARY KEY)")
        else:
            import asyncpg

            self.postgres = await asyncpg.connect(_dsn(self.target))
            await self.postgres.execute(
                "CREATE TABLE IF NOT EXISTS durable_floor (code TEXT PRIMARY KEY)")

    async def write(self, code: str) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.pending.append((code, future))
        if self.task is None:
            self.task = asyncio.create_task(self._run())
        self.event.set()
        await future

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await self.event.wait()
            self.event.clear()
            while self.pending:
                batch = self.pending[:512]
                del self.pending[: len(batch)]
                try:
                    if self.sqlite is not None:
                        self.sqlite.execute("BEGIN IMMEDIATE")
                        self.sqlite.executemany("INSERT INTO durable_floor VALUES (?)",
                                                [(c,) for c, _ in batch])
                        await loop.run_in_executor(self.thread, self.sqlite.execute, "COMMIT")
                    else:  # one statement: its own transaction, committed before it returns
                        await self.postgres.execute(
                            "INSERT INTO durable_floor SELECT unnest($1::text[])",
                            [c for c, _ in batch])
                except Exception as exc:  # noqa: BLE001 - each caller gets the failure
                    for _, f in batch:
                        f.set_exception(exc)
                    continue
                for _, f in batch:
                    f.set_result(None)


# ----------------------------------------------------------------------------- processes
@dataclass
class Proc:
    proc: subprocess.Popen[bytes]
    address: str

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


async def wait_port(address: str, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    host, port = split_address(address)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode}")
        try:
            _, w = await asyncio.open_connection(host, port)
            w.close()
            return
        except OSError:
            await asyncio.sleep(0.1)
    raise RuntimeError(f"{address} did not open")


async def start_echo(durable: str = "") -> Proc:
    address = f"127.0.0.1:{free_port()}"
    proc = subprocess.Popen([sys.executable, "-m", "gongtui.bench.ballots", "echo",  # noqa: ASYNC220
                             str(split_address(address)[1]), *([durable] if durable else [])],
                            cwd=ROOT)
    await wait_port(address, proc)
    return Proc(proc, address)


async def start_voting(database_url: str, data_dir: Path, group_commit: bool,
                       log: Path) -> Proc:

    address = f"127.0.0.1:{free_port()}"
    env = dict(os.environ)
    env.update({"GONGTUI_VOTING_ADDRESS": address, "GONGTUI_DATA_DIR": str(data_dir),
                "GONGTUI_DATABASE_URL": database_url, "GONGTUI_TEMPORAL_ADDRESS": "",
                "GONGTUI_GROUP_COMMIT": "true" if group_commit else "false",
                "GONGTUI_LOG_LEVEL": "WARNING", "GONGTUI_METRICS_PORT": "0",
                # the ballot box's own cost, over plain gRPC on loopback like the echo baseline
                "GONGTUI_ALLOW_INSECURE": "true", "GONGTUI_TLS_CA": "",
                "GONGTUI_TLS_CERT": "", "GONGTUI_TLS_KEY": ""})
    proc = subprocess.Popen([sys.executable, "-m", "gongtui.cli", "serve", "voting"], env=env,  # noqa: ASYNC220
                            cwd=ROOT, stdout=open(log, "ab"), stderr=subprocess.STDOUT)  # noqa: SIM115, ASYNC230
    deadline = time.monotonic() + 90
    while not await grpc_healthy(address, Settings(allow_insecure=True, tls_ca="", tls_cert="",
                                                   tls_key=""), "voting"):
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"voting service did not start; see {log}")
        await asyncio.sleep(0.2)
    return Proc(proc, address)


# ----------------------------------------------------------------------------- clients
async def drive(address: str, method: str, requests: list[Any], clients: int,
                response_type: Any) -> tuple[float, list[Any]]:
    """``clients`` concurrent callers, each one RPC in flight, over a few channels."""
    _, voting_pb2, _ = _pb()
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
        common_pb2, voting_pb2, voting_pb2_grpc = _pb()
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


def stored_receipts(database_url: str, data_dir: Path, round_id: str) -> list[str]:
    if not database_url:
        with sqlite3.connect(data_dir / "voting.db") as conn:
            return [r for (r,) in conn.execute("SELECT receipt FROM ballots WHERE round_id=?",
                                               (round_id,))]

    async def fetch() -> list[str]:
        import asyncpg

        conn = await asyncpg.connect(_dsn(database_url))
        try:
            rows = await conn.fetch("SELECT receipt FROM voting.ballots WHERE round_id=$1",
                                    round_id)
            return [r[0] for r in rows]
        finally:
            await conn.close()

    return _run_sync(fetch())


def _run_sync(coro: Any) -> Any:
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def _dsn(url: str, database: str | None = None) -> str:
    from sqlalchemy.engine import make_url

    u = make_url(url).set(drivername="postgresql")
    if database is not None:
        u = u.set(database=database)
    return u.render_as_string(hide_password=False)


# ----------------------------------------------------------------------------- raw commits
def raw_sqlite_commits(path: Path, seconds: float) -> float:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE IF NOT EXISTS raw (id TEXT PRIMARY KEY, payload TEXT)")
    n = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        conn.execute("BEGIN")
        conn.execute("INSERT INTO raw VALUES (?, ?)", (secrets.token_hex(16), "x" * 200))
        conn.execute("COMMIT")
        n += 1
    elapsed = time.perf_counter() - start
    conn.close()
    return n / elapsed


async def raw_postgres_commits(url: str, seconds: float) -> float:
    import asyncpg

    conn = await asyncpg.connect(_dsn(url))
    try:
        await conn.execute("CREATE TABLE IF NOT EXISTS raw_commits (id TEXT PRIMARY KEY, payload TEXT)")
        n = 0
        start = time.perf_counter()
        while time.perf_counter() - start < seconds:
            await conn.execute("INSERT INTO raw_commits VALUES ($1, $2)",  # autocommit: one commit
                               secrets.token_hex(16), "x" * 200)
            n += 1
        elapsed = time.perf_counter() - start
        await conn.execute("DROP TABLE raw_commits")
        return n / elapsed
    finally:
        await conn.close()


async def postgres_database(server_url: str) -> str:
    import asyncpg
    from sqlalchemy.engine import make_url

    name = f"gongtui_test_bench_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(_dsn(server_url, "postgres"))
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return make_url(server_url).set(drivername="postgresql+asyncpg", database=name) \
        .render_as_string(hide_password=False)


async def drop_postgres_database(url: str) -> None:
    import asyncpg
    from sqlalchemy.engine import make_url

    name = make_url(url).database
    conn = await asyncpg.connect(_dsn(url, "postgres"))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


# ----------------------------------------------------------------------------- the run
def ballots_for(clients: int, scale: float) -> int:
    return int({1: 2000, 16: 8000}.get(clients, 8000) * scale)


async def run_database(name: str, database_url: str, clients_list: list[int], scale: float,
                       work: Path, echo: EchoFloor, say: Any, compare_single: bool,
                       repeats: int) -> dict[str, Any]:
    _, voting_pb2, _ = _pb()
    data_dir = work / name
    data_dir.mkdir(parents=True, exist_ok=True)
    out: dict[str, Any] = {"database": name, "runs": []}
    if name == "sqlite":
        out["raw_commits_per_s"] = round(raw_sqlite_commits(data_dir / "raw.db", 3.0))
        out["settings"] = "journal_mode=WAL, synchronous=FULL"
    else:
        out["raw_commits_per_s"] = round(await raw_postgres_commits(database_url, 3.0))
        out["settings"] = "synchronous_commit=on, fsync=on"
    say(f"{name}: raw durable commits (1 row, 1 commit, 1 client): "
        f"{out['raw_commits_per_s']}/s")
    # the durable floor, on the same database as the voting service (its own table)
    floor = EchoFloor(f"sqlite:{data_dir / 'floor.db'}" if name == "sqlite" else database_url)
    await floor.start()
    modes = [True] + ([False] if compare_single else [])
    try:
        for group in modes:
            await _run_mode(name, database_url, data_dir, work, group, clients_list, scale,
                            repeats, echo, floor, out, say)
    finally:
        floor.stop()
    return out


async def _run_mode(name: str, database_url: str, data_dir: Path, work: Path, group: bool,
                    clients_list: list[int], scale: float, repeats: int, echo: EchoFloor,
                    floor: EchoFloor, out: dict[str, Any], say: Any) -> None:
    """One voting service (group commits, or one commit per ballot) through every measurement:
    each a round of ballots beside the echo (and the durable floor), repeated in pairs."""
    service = await start_voting(database_url, data_dir, group, work / f"voting-{name}.log")
    try:
        plan = [(c, ballots_for(c, scale)) for c in clients_list] if group else \
            [(16, ballots_for(16, scale))]
        election = Election(service.address, max(n for _, n in plan))
        await election.open()
        for clients, n in plan:
            pairs: list[dict[str, Any]] = []
            for _ in range(repeats):
                echo_m = await echo.measure(clients, n)
                # the durable floor beside the group commits (what they are compared with)
                floor_m = await floor.measure(clients, n) if group else None
                pairs.append(await _measure_voting(service, election, database_url,
                                                   data_dir, clients, n)
                             | {"echo": echo_m, "floor": floor_m})
            run = _run_record(clients, group, out["raw_commits_per_s"], pairs)
            out["runs"].append(run)
            beside = (f"; the durable floor {run['durable_floor_per_s']}/s, "
                      f"{_share(run['durable_floor_vs_echo'])} of the echo, the ballots "
                      f"{_share(run['vs_durable_floor'])} of the floor") if group else ""
            say(f"{name}: {clients:>2} clients{'' if group else ', one commit per ballot'}: "
                f"{run['ballots_per_s']}/s ({_share(run['vs_echo'])} of the echo beside it; "
                f"pairs {', '.join(_share(r) for r in run['vs_echo_pairs'])}{beside}), "
                f"server CPU {run['server_cpu_us_per_ballot']} µs per ballot; at this CPU "
                f"per call the machine allows at most {_share(run['cpu_bound_vs_echo'])} of "
                f"the echo" + (f" (the floor {_share(run['durable_floor_cpu_bound_vs_echo'])})"
                               if group else "") + "; machine idle "
                f"{_share(run['machine_idle_share'])} (at the echo "
                f"{_share(run['echo_machine_idle_share'])}), lost {run['lost']}, "
                f"duplicated {run['duplicated']}, counted "
                f"{run['counted_returned']}/{run['ballots']}")
        await election.close()
    finally:
        service.stop()


async def _measure_voting(service: Proc, election: Election, database_url: str, data_dir: Path,
                          clients: int, n: int) -> dict[str, Any]:
    """One round of ``n`` ballots by ``clients`` callers, then counted and checked."""
    _, voting_pb2, _ = _pb()
    round_id, codes, candidates = await election.round(n)
    requests = election.requests(round_id, codes, candidates)
    usage = Usage(service.proc.pid)
    elapsed, responses = await drive(service.address, _cast_method(), requests, clients,
                                     voting_pb2.CastBallotResponse)
    cpu = usage.per_call(n)
    counted = await election.count(round_id)
    acknowledged = [r.receipt for r in responses]
    stored = await asyncio.to_thread(stored_receipts, database_url, data_dir, round_id)
    lost = len(set(acknowledged) - set(stored))
    duplicated = len(stored) - len(set(stored)) + max(0, len(stored) - len(acknowledged))
    return {"ballots": n, "seconds": elapsed, "ballots_per_s": n / elapsed,
            "counted_returned": counted.returned, "stored": len(stored), "lost": lost,
            "duplicated": duplicated} | cpu


def _run_record(clients: int, group: bool, raw_commits: float,
                pairs: list[dict[str, Any]]) -> dict[str, Any]:
    """The pairs of one measurement: rates and shares as medians, counts as totals."""
    cpus = os.cpu_count() or 1
    for p in pairs:
        p["echo_per_s"] = p["echo"]["per_s"]
        # the rate the machine's CPU allows at the CPU a call cost here (every core busy),
        # as a share of the echo beside it: an upper bound whatever the server's concurrency
        for m in (p, p["floor"]):
            if m:
                m["cpu_bound_vs_echo"] = cpus * 1e6 / max(m["machine_busy_us_per_call"], 1e-9) \
                    / p["echo_per_s"]
    ratios = [p["ballots_per_s"] / p["echo_per_s"] for p in pairs]
    rate = statistics.median(p["ballots_per_s"] for p in pairs)

    def median(key: str, of: str | None = None, digits: int = 0) -> Any:
        values = [(p[of] if of else p)[key] for p in pairs if not of or p[of]]
        return round(statistics.median(values), digits or None) if values else None

    floor: dict[str, Any] = {}
    if all(p["floor"] for p in pairs):
        floor = {
            "durable_floor_per_s": median("per_s", "floor"),
            "durable_floor_per_s_pairs": [round(p["floor"]["per_s"]) for p in pairs],
            "durable_floor_stored": sum(int(p["floor"]["stored"]) for p in pairs),
            "durable_floor_vs_echo": round(statistics.median(
                p["floor"]["per_s"] / p["echo_per_s"] for p in pairs), 3),
            "vs_durable_floor": round(statistics.median(
                p["ballots_per_s"] / p["floor"]["per_s"] for p in pairs), 3),
            "vs_durable_floor_pairs": [round(p["ballots_per_s"] / p["floor"]["per_s"], 3)
                                       for p in pairs],
            "durable_floor_server_cpu_us_per_call": median("server_cpu_us_per_call", "floor"),
            "durable_floor_client_cpu_us_per_call": median("client_cpu_us_per_call", "floor"),
            "durable_floor_machine_busy_us_per_call": median("machine_busy_us_per_call", "floor"),
            "durable_floor_machine_idle_share": median("machine_idle_share", "floor", 3),
            "durable_floor_cpu_bound_vs_echo": median("cpu_bound_vs_echo", "floor", 3)}
    return {"clients": clients, "group_commit": group, "repeats": len(pairs),
            "ballots": sum(p["ballots"] for p in pairs),
            "seconds": round(sum(p["seconds"] for p in pairs), 3),
            "ballots_per_s": round(rate),
            "ballots_per_s_pairs": [round(p["ballots_per_s"]) for p in pairs],
            "echo_per_s": round(statistics.median(p["echo_per_s"] for p in pairs)),
            "echo_per_s_pairs": [round(p["echo_per_s"]) for p in pairs],
            "counted_returned": sum(p["counted_returned"] for p in pairs),
            "stored": sum(p["stored"] for p in pairs),
            "lost": sum(p["lost"] for p in pairs),
            "duplicated": sum(p["duplicated"] for p in pairs),
            "server_cpu_us_per_ballot": median("server_cpu_us_per_call"),
            "client_cpu_us_per_ballot": median("client_cpu_us_per_call"),
            "machine_busy_us_per_ballot": median("machine_busy_us_per_call"),
            "machine_idle_share": median("machine_idle_share", digits=3),
            "cpu_bound_vs_echo": median("cpu_bound_vs_echo", digits=3),
            "echo_server_cpu_us_per_call": median("server_cpu_us_per_call", "echo"),
            "echo_client_cpu_us_per_call": median("client_cpu_us_per_call", "echo"),
            "echo_machine_busy_us_per_call": median("machine_busy_us_per_call", "echo"),
            "echo_machine_idle_share": median("machine_idle_share", "echo", 3),
            "vs_echo": round(statistics.median(ratios), 3),
            "vs_echo_pairs": [round(r, 3) for r in ratios],
            "vs_raw_commits": round(rate / raw_commits, 3)} | floor


def _share(ratio: float | None) -> str:
    return "n/a" if ratio is None else f"{ratio:.0%}"


def _cast_method() -> str:
    _, voting_pb2, _ = _pb()
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
        _, voting_pb2, _ = _pb()

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
        _, voting_pb2, _ = _pb()
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

        conn = await asyncpg.connect(_dsn(self.durable))
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


class Usage:
    """The CPU spent over one measurement: by the server's process, by this one (the clients),
    and by the whole machine (the database server too) — per call; and the share of the
    machine's time left idle. A 2-core machine whose echo leaves nothing idle has no CPU to
    give any server that does more than the echo."""

    def __init__(self, server_pid: int):
        import psutil

        self.server = psutil.Process(server_pid)
        self.me = psutil.Process()
        self.start = self._now()

    def _now(self) -> tuple[float, float, float, float]:
        import psutil

        s, m, t = self.server.cpu_times(), self.me.cpu_times(), psutil.cpu_times()
        idle = t.idle + getattr(t, "iowait", 0.0)
        # time this machine had: steal (the host's) and guest (already in user) left out
        busy = t.user + t.nice + t.system + getattr(t, "irq", 0.0) + getattr(t, "softirq", 0.0)
        return s.user + s.system, m.user + m.system, idle, busy + idle

    def per_call(self, calls: int) -> dict[str, float]:
        end = self._now()
        server, client, idle, total = (b - a for a, b in zip(self.start, end, strict=True))
        return {"server_cpu_us_per_call": server / calls * 1e6,
                "client_cpu_us_per_call": client / calls * 1e6,
                "machine_busy_us_per_call": max(total - idle, 0.0) / calls * 1e6,
                "machine_idle_share": idle / total if total > 0 else 0.0}


@bench_app.command("ballots")
def ballots(
    clients: Annotated[str, typer.Option(help="concurrent clients, comma-separated")] = "1,16,64",
    databases: Annotated[str, typer.Option(help="sqlite,postgres")] = "sqlite,postgres",
    postgres_url: Annotated[str, typer.Option(
        envvar="GONGTUI_BENCH_POSTGRES_URL",
        help="PostgreSQL server (a fresh gongtui_test_bench_* database is made and dropped)")] =
        "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres",
    scale: Annotated[float, typer.Option(help="multiplies the ballots per measurement")] = 1.0,
    compare_single: Annotated[bool, typer.Option(
        help="also measure one commit per ballot (group commit off) at 16 clients")] = True,
    repeats: Annotated[int, typer.Option(
        min=1, help="pairs (echo, then the voting service) per measurement; the median counts")] = 3,
    out: Annotated[Path | None, typer.Option(help="result file (default bench/results/"
                                                  "ballots-<date>.json)")] = None,
) -> None:
    """Durable ballots per second through the voting service, beside the echo, the durable
    floor (the echo making one row per call durable) and the raw commit rate, with the CPU each
    call cost; fails on any lost or duplicated ballot."""
    clients_list = [int(c) for c in clients.split(",") if c]
    dbs = [d for d in databases.split(",") if d]

    def say(msg: str) -> None:
        typer.echo(msg, err=True)

    async def main() -> dict[str, Any]:
        result: dict[str, Any] = {
            "benchmark": "ballots", "at": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": machine(grpcio=grpc.__version__), "command": "gongtui bench ballots " + " ".join(sys.argv[3:]),
            "clients": clients_list, "goal": "16 clients: >= 80% of the echo ceiling, "
                                              "0 lost, 0 duplicated", "databases": []}
        echo = EchoFloor()
        await echo.start()
        try:
            with tempfile.TemporaryDirectory(prefix="gongtui-bench-") as tmp:
                work = Path(tmp)
                for db in dbs:
                    if db == "sqlite":
                        result["databases"].append(await run_database(
                            "sqlite", "", clients_list, scale, work, echo, say, compare_single,
                            repeats))
                    elif db == "postgres":
                        url = await postgres_database(postgres_url)
                        try:
                            result["databases"].append(await run_database(
                                "postgres", url, clients_list, scale, work, echo, say,
                                compare_single, repeats))
                        finally:
                            await drop_postgres_database(url)
                    else:
                        raise typer.BadParameter(f"unknown database {db!r}")
        finally:
            echo.stop()
        result["echo_per_s"], result["echo_server_cpu_us_per_call"] = echo.summary()
        return result

    result = asyncio.run(main())
    bad = [r for d in result["databases"] for r in d["runs"] if r["lost"] or r["duplicated"]
           or r["counted_returned"] != r["ballots"]]
    summary = {}
    for d in result["databases"]:
        at16 = next((r for r in d["runs"] if r["clients"] == 16 and r["group_commit"]), None)
        if at16 and at16["vs_echo"] is not None:
            summary[d["database"]] = {"ballots_per_s_at_16": at16["ballots_per_s"],
                                      "echo_per_s_at_16": at16["echo_per_s"],
                                      "ratio_to_echo": at16["vs_echo"],
                                      "ratio_to_echo_pairs": at16["vs_echo_pairs"],
                                      "server_cpu_us_per_ballot": at16["server_cpu_us_per_ballot"],
                                      "echo_server_cpu_us_per_call":
                                          at16["echo_server_cpu_us_per_call"],
                                      "machine_idle_share": at16["machine_idle_share"],
                                      "echo_machine_idle_share": at16["echo_machine_idle_share"],
                                      "durable_floor_per_s_at_16": at16.get("durable_floor_per_s"),
                                      "durable_floor_vs_echo": at16.get("durable_floor_vs_echo"),
                                      "cpu_bound_vs_echo": at16["cpu_bound_vs_echo"],
                                      "durable_floor_cpu_bound_vs_echo":
                                          at16.get("durable_floor_cpu_bound_vs_echo"),
                                      "ratio_to_durable_floor": at16.get("vs_durable_floor"),
                                      "goal": ">= 0.8 of the echo (median of the pairs)",
                                      "goal_met": at16["vs_echo"] >= 0.8 and not at16["lost"]
                                      and not at16["duplicated"]}
    result["summary"] = summary
    path = out or ROOT / "bench" / "results" / (
        f"ballots-{datetime.now(UTC).strftime('%Y%m%d-%H%M%S')}.json")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    typer.echo(json.dumps(summary, indent=2))
    say(f"results → {path}")
    if bad:
        say(f"LOST OR DUPLICATED BALLOTS: {bad}")
        raise typer.Exit(1)


if __name__ == "__main__":
    if len(sys.argv) in (3, 4) and sys.argv[1] == "echo":
        asyncio.run(echo_server(int(sys.argv[2]), sys.argv[3] if len(sys.argv) == 4 else ""))
