"""``gongtui bench ballots``: electronic ballots cast through the voting service's gRPC API.

For each database (SQLite in WAL mode with synchronous=FULL; PostgreSQL with
synchronous_commit=on) a voting service runs as its own process (``gongtui serve voting``);
this process is the clients: 1, 16 and 64 concurrent callers of CastBallot, each ballot
acknowledged only after its transaction committed. In the same run, two floors:

* **echo** — a no-op gRPC server (own process) answering the same request and response
  messages: the transport's ceiling on this machine;
* **raw commits** — one row, one commit, one client, straight on the same database: the
  durable commit rate of the storage.

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
import platform
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

from gongtui.bench import bench_app

ROOT = Path(__file__).resolve().parents[2]


def _pb() -> Any:
    from proto import common_pb2, voting_pb2, voting_pb2_grpc

    return common_pb2, voting_pb2, voting_pb2_grpc


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# ----------------------------------------------------------------------------- echo server
ECHO_METHOD = "/gongtui.bench.Echo/CastBallot"


async def echo_server(port: int) -> None:
    _, voting_pb2, _ = _pb()
    answer = voting_pb2.CastBallotResponse(receipt="sha256:" + "0" * 64, valid=True)

    async def cast(request: Any, context: Any) -> Any:
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
    host, port = address.rsplit(":", 1)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode}")
        try:
            _, w = await asyncio.open_connection(host, int(port))
            w.close()
            return
        except OSError:
            await asyncio.sleep(0.1)
    raise RuntimeError(f"{address} did not open")


async def start_echo() -> Proc:
    address = f"127.0.0.1:{free_port()}"
    proc = subprocess.Popen([sys.executable, "-m", "gongtui.bench.ballots", "echo",  # noqa: ASYNC220
                             address.rsplit(":", 1)[1]], cwd=ROOT)
    await wait_port(address, proc)
    return Proc(proc, address)


async def start_voting(database_url: str, data_dir: Path, group_commit: bool,
                       log: Path) -> Proc:
    from gongtui.stack import grpc_healthy

    address = f"127.0.0.1:{free_port()}"
    env = dict(os.environ)
    env.update({"GONGTUI_VOTING_ADDRESS": address, "GONGTUI_DATA_DIR": str(data_dir),
                "GONGTUI_DATABASE_URL": database_url, "GONGTUI_TEMPORAL_ADDRESS": "",
                "GONGTUI_GROUP_COMMIT": "true" if group_commit else "false",
                "GONGTUI_LOG_LEVEL": "WARNING", "GONGTUI_METRICS_PORT": "0"})
    proc = subprocess.Popen([sys.executable, "-m", "gongtui.cli", "serve", "voting"], env=env,  # noqa: ASYNC220
                            cwd=ROOT, stdout=open(log, "ab"), stderr=subprocess.STDOUT)  # noqa: SIM115, ASYNC230
    deadline = time.monotonic() + 90
    while not await grpc_healthy(address):
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
    modes = [True] + ([False] if compare_single else [])
    for group in modes:
        service = await start_voting(database_url, data_dir, group, work / f"voting-{name}.log")
        try:
            plan = [(c, ballots_for(c, scale)) for c in clients_list] if group else \
                [(16, ballots_for(16, scale))]
            election = Election(service.address, max(n for _, n in plan))
            await election.open()
            for clients, n in plan:
                pairs: list[dict[str, Any]] = []
                for _ in range(repeats):
                    echo_rate, _echo_cpu = await echo.measure(clients, n)
                    pairs.append(await _measure_voting(service, election, database_url,
                                                       data_dir, clients, n)
                                 | {"echo_per_s": echo_rate})
                run = _run_record(clients, group, out["raw_commits_per_s"], pairs)
                out["runs"].append(run)
                say(f"{name}: {clients:>2} clients{'' if group else ', one commit per ballot'}: "
                    f"{run['ballots_per_s']}/s ({_share(run['vs_echo'])} of the echo beside it; "
                    f"pairs {', '.join(_share(r) for r in run['vs_echo_pairs'])}), server CPU "
                    f"{run['server_cpu_us_per_ballot']} µs per ballot, lost {run['lost']}, "
                    f"duplicated {run['duplicated']}, counted "
                    f"{run['counted_returned']}/{run['ballots']}")
            await election.close()
        finally:
            service.stop()
    return out


async def _measure_voting(service: Proc, election: Election, database_url: str, data_dir: Path,
                          clients: int, n: int) -> dict[str, Any]:
    """One round of ``n`` ballots by ``clients`` callers, then counted and checked."""
    _, voting_pb2, _ = _pb()
    round_id, codes, candidates = await election.round(n)
    requests = election.requests(round_id, codes, candidates)
    cpu0 = _cpu_seconds(service.proc.pid)
    elapsed, responses = await drive(service.address, _cast_method(), requests, clients,
                                     voting_pb2.CastBallotResponse)
    server_cpu_us = (_cpu_seconds(service.proc.pid) - cpu0) / n * 1e6
    counted = await election.count(round_id)
    acknowledged = [r.receipt for r in responses]
    stored = await asyncio.to_thread(stored_receipts, database_url, data_dir, round_id)
    lost = len(set(acknowledged) - set(stored))
    duplicated = len(stored) - len(set(stored)) + max(0, len(stored) - len(acknowledged))
    return {"ballots": n, "seconds": elapsed, "ballots_per_s": n / elapsed,
            "counted_returned": counted.returned, "stored": len(stored), "lost": lost,
            "duplicated": duplicated, "server_cpu_us_per_ballot": server_cpu_us}


def _run_record(clients: int, group: bool, raw_commits: float,
                pairs: list[dict[str, Any]]) -> dict[str, Any]:
    """The pairs of one measurement: rates and shares as medians, counts as totals."""
    ratios = [p["ballots_per_s"] / p["echo_per_s"] for p in pairs]
    rate = statistics.median(p["ballots_per_s"] for p in pairs)
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
            "server_cpu_us_per_ballot": round(statistics.median(
                p["server_cpu_us_per_ballot"] for p in pairs)),
            "vs_echo": round(statistics.median(ratios), 3),
            "vs_echo_pairs": [round(r, 3) for r in ratios],
            "vs_raw_commits": round(rate / raw_commits, 3)}


def _share(ratio: float | None) -> str:
    return "n/a" if ratio is None else f"{ratio:.0%}"


def _cast_method() -> str:
    _, voting_pb2, _ = _pb()
    svc = voting_pb2.DESCRIPTOR.services_by_name["Voting"]
    return f"/{svc.full_name}/CastBallot"


class EchoFloor:
    """The echo server, running for the whole benchmark; measured right before each
    measurement of the voting service (see the module's docstring)."""

    def __init__(self) -> None:
        self.proc: Proc | None = None
        self.warm: set[int] = set()
        self.requests: dict[int, list[Any]] = {}
        #: every measurement by clients: (calls per second, server CPU µs per call)
        self.measured: dict[int, list[tuple[float, float]]] = {}

    async def start(self) -> None:
        self.proc = await start_echo()

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.stop()

    async def measure(self, clients: int, n: int) -> tuple[float, float]:
        _, voting_pb2, _ = _pb()
        assert self.proc is not None
        if n not in self.requests:  # made once per size: the echo reads nothing of them
            self.requests[n] = [voting_pb2.CastBallotRequest(
                round_id="rd-" + "0" * 16, code=secrets.token_urlsafe(24),
                marks=[voting_pb2.Mark(person_id="c-wang", choice="for")]) for _ in range(n)]
        requests = self.requests[n]
        if clients not in self.warm:
            await drive(self.proc.address, ECHO_METHOD, requests[: min(500, n)], clients,
                        voting_pb2.CastBallotResponse)
            self.warm.add(clients)
        cpu0 = _cpu_seconds(self.proc.proc.pid)
        elapsed, _ = await drive(self.proc.address, ECHO_METHOD, requests, clients,
                                 voting_pb2.CastBallotResponse)
        measured = (n / elapsed, (_cpu_seconds(self.proc.proc.pid) - cpu0) / n * 1e6)
        self.measured.setdefault(clients, []).append(measured)
        return measured

    def summary(self) -> tuple[dict[str, int], dict[str, int]]:
        """Median calls per second and server CPU µs per call, by clients."""
        return ({str(c): round(statistics.median(r for r, _ in m))
                 for c, m in sorted(self.measured.items())},
                {str(c): round(statistics.median(u for _, u in m))
                 for c, m in sorted(self.measured.items())})


def _cpu_seconds(pid: int) -> float:
    import psutil

    t = psutil.Process(pid).cpu_times()
    return float(t.user + t.system)


def machine() -> dict[str, Any]:
    import psutil

    info: dict[str, Any] = {"cpus": os.cpu_count(), "platform": platform.platform(),
                            "python": platform.python_version(), "grpcio": grpc.__version__,
                            "memory_gb": round(psutil.virtual_memory().total / 2**30, 1)}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return info


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
    """Durable ballots per second through the voting service, beside the echo and raw-commit
    floors; fails on any lost or duplicated ballot."""
    clients_list = [int(c) for c in clients.split(",") if c]
    dbs = [d for d in databases.split(",") if d]

    def say(msg: str) -> None:
        typer.echo(msg, err=True)

    async def main() -> dict[str, Any]:
        result: dict[str, Any] = {
            "benchmark": "ballots", "at": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": machine(), "command": "gongtui bench ballots " + " ".join(sys.argv[3:]),
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
                                          result["echo_server_cpu_us_per_call"].get("16"),
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
    if len(sys.argv) == 3 and sys.argv[1] == "echo":
        asyncio.run(echo_server(int(sys.argv[2])))
