"""``gongtui up`` owns its children: they die with it however it dies (SIGKILL of the process
group leader included) and give back every port; a second ``up`` on the same data folder is
refused naming the holder; a service killed under ``up`` is restarted and an election started
before goes on to the expected outcome. Real processes on loopback, each test bounded in time;
only the PIDs these tests started are ever signalled."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest

from gongtui.stack import embedded_settings, free_port, settings_env
from gongtui.supervisor import holds_port, listening_ports

pytestmark = [pytest.mark.stack, pytest.mark.one_database, pytest.mark.timeout(420)]
SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
CHILDREN = {"temporal", "nomination", "voting", "approval", "worker", "api"}


class Up:
    """One ``gongtui up`` in a session of its own (so its group is only itself), on free
    ports, its console in a file."""

    def __init__(self, data_dir: Path, out: Path):
        self.data_dir = data_dir
        self.out = out
        self.api_port = free_port()
        self.env = {**os.environ, **settings_env(embedded_settings(data_dir)),
                    "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
        self.proc: subprocess.Popen[bytes] | None = None
        self.seen: set[int] = set()  # every child PID ever seen, for the cleanup

    def argv(self, api_port: int) -> list[str]:
        return [sys.executable, "-m", "gongtui.cli", "up", "--data-dir", str(self.data_dir),
                "--api-port", str(api_port), "--no-temporal-ui"]

    def start(self, timeout: float = 150) -> None:
        with open(self.out, "ab") as console:
            self.proc = subprocess.Popen(self.argv(self.api_port), env=self.env, stdout=console,
                                         stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                         start_new_session=True)
        deadline = time.monotonic() + timeout
        while "gongtui is up" not in self.console():
            assert self.proc.poll() is None, f"up exited {self.proc.returncode}:\n{self.console()}"
            assert time.monotonic() < deadline, f"up not up in {timeout}s:\n{self.console()}"
            time.sleep(0.3)
        self.children()

    def console(self) -> str:
        return self.out.read_text(errors="replace") if self.out.exists() else ""

    def children(self) -> dict[str, psutil.Process]:
        """The live children of ``up`` by component."""
        assert self.proc is not None
        found = {}
        for child in psutil.Process(self.proc.pid).children():
            try:
                cmd = child.cmdline()
            except psutil.NoSuchProcess:
                continue
            self.seen.add(child.pid)
            found["temporal" if "start-dev" in cmd else cmd[-1]] = child
        return found

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for pid in self.seen:  # only ever our own children, should any have outlived it
            try:
                proc = psutil.Process(pid)
                if proc.parent() is None or proc.ppid() == 1:
                    proc.kill()
            except psutil.NoSuchProcess:
                pass


@pytest.fixture
def fresh_up(tmp_path: Path) -> Iterator[Up]:
    up = Up(tmp_path / "data", tmp_path / "up.out")
    try:
        yield up
    finally:
        up.stop()


@pytest.fixture(scope="module")
def running_up(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Up]:
    tmp = tmp_path_factory.mktemp("up")
    up = Up(tmp / "data", tmp / "up.out")
    try:
        up.start()
        yield up
    finally:
        up.stop()


def port_is_free(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as servers bind
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def test_sigkill_of_up_leaves_no_child_and_frees_every_port(fresh_up: Up) -> None:
    fresh_up.start()
    assert fresh_up.proc is not None
    children = fresh_up.children()
    assert set(children) == CHILDREN, children
    ports = listening_ports([c.pid for c in children.values()])
    assert len(ports) >= 6, ports  # every component's own port at least (and metrics)
    assert not any(port_is_free(p) for p in ports)

    os.killpg(fresh_up.proc.pid, signal.SIGKILL)  # the group of up is up alone
    killed_at = time.monotonic()
    fresh_up.proc.wait(5)
    gone, alive = psutil.wait_procs(list(children.values()), timeout=5)
    assert not alive, [(p.pid, p.cmdline()) for p in alive]
    assert time.monotonic() - killed_at < 5
    assert all(port_is_free(p) for p in ports), [p for p in ports if not port_is_free(p)]


def test_a_second_up_on_the_same_folder_is_refused_naming_the_holder(running_up: Up) -> None:
    assert running_up.proc is not None
    before = {name: p.pid for name, p in running_up.children().items()}
    started = time.monotonic()
    second = subprocess.run(running_up.argv(free_port()), env=running_up.env,
                            capture_output=True, timeout=60)
    took = time.monotonic() - started
    said = (second.stdout + second.stderr).decode(errors="replace")
    assert second.returncode != 0, said
    assert f"PID {running_up.proc.pid}" in said, said
    assert str(running_up.data_dir.resolve()) in said.replace("\n", ""), said
    assert "gongtui is up" not in said
    assert took < 20, took  # refused at once: nothing was started
    assert {name: p.pid for name, p in running_up.children().items()} == before


def test_a_service_outside_up_is_refused_on_its_folder(running_up: Up) -> None:
    assert running_up.proc is not None
    serve = subprocess.run([sys.executable, "-m", "gongtui.cli", "serve", "voting"],
                           env=running_up.env, capture_output=True, timeout=60)
    said = serve.stderr.decode(errors="replace")
    assert serve.returncode != 0, said
    assert f"PID {running_up.proc.pid}" in said and str(running_up.data_dir.resolve()) in said


def test_a_second_service_on_one_sqlite_file_is_refused_naming_the_first(tmp_path: Path) -> None:
    from gongtui.certs_cli import ensure, paths
    from gongtui.stack import certs_dir

    ensure(certs_dir(tmp_path), ("voting", "operator"))
    cert, key = paths(certs_dir(tmp_path), "voting")  # the service's own certificate
    env = {**os.environ, **settings_env(embedded_settings(tmp_path)),
           "GONGTUI_TLS_CERT": str(cert), "GONGTUI_TLS_KEY": str(key),
           "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    serve = [sys.executable, "-m", "gongtui.cli", "serve", "voting"]
    with open(tmp_path / "first.log", "wb") as log:
        first = subprocess.Popen(serve, env=env, stdout=log, stderr=subprocess.STDOUT,
                                 start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while not holds_port(first.pid, int(env["GONGTUI_VOTING_ADDRESS"].rsplit(":")[1])):
            assert first.poll() is None, (tmp_path / "first.log").read_text()
            assert time.monotonic() < deadline
            time.sleep(0.2)
        env["GONGTUI_VOTING_ADDRESS"] = f"127.0.0.1:{free_port()}"  # not the port: the file
        second = subprocess.run(serve, env=env, capture_output=True, timeout=60)
        said = second.stderr.decode(errors="replace")
        assert second.returncode != 0, said
        assert f"{(tmp_path / 'voting.db').resolve()} is in use by PID {first.pid}" in said
    finally:
        first.terminate()
        first.wait(30)


async def election_started(up: Up, timeout: float = 120) -> str:
    from temporalio.client import Client

    s = embedded_settings(up.data_dir)  # only for the address: the same env as up
    client = await Client.connect(up.env["GONGTUI_TEMPORAL_ADDRESS"],
                                  namespace=s.temporal_namespace)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        async for wf in client.list_workflows():
            return wf.id
        await asyncio.sleep(0.2)
    raise AssertionError("no election started")


def comparable(out: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in out.items() if k != "election_id"}
    out["audit"] = {k: v for k, v in out.get("audit", {}).items() if k != "head"}
    return out


async def test_a_killed_service_is_restarted_and_the_election_goes_on(
        running_up: Up, tmp_path: Path) -> None:
    old = running_up.children()["voting"]
    out = tmp_path / "foundation.json"
    play = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "gongtui.cli", "simulate", str(SCENARIOS / "foundation.yaml"),
        # a day of a second: the nomination window and the notice (7 + 5 days) leave the
        # restarted service time to be back before the player's first call to it
        "--json", str(out), "--day-seconds", "1", env=running_up.env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        await election_started(running_up)
        old.send_signal(signal.SIGKILL)  # under up: the supervisor brings it back
        assert play.returncode is None, "the election ended before the service was killed"
        _, err = await asyncio.wait_for(play.communicate(), 300)
    finally:
        if play.returncode is None:
            play.kill()
            await play.wait()
    said = err.decode(errors="replace")[-3000:]
    assert play.returncode == 0, said
    expected = json.loads((SCENARIOS / "foundation.expected.json").read_text("utf-8"))
    assert comparable(json.loads(out.read_text("utf-8"))) == comparable(expected)

    new = running_up.children()["voting"]
    assert new.pid != old.pid
    journal = (running_up.data_dir / "logs" / "latest" / "supervisor.log").read_text()
    assert "voting exited (killed by SIGKILL)" in journal, journal
    assert f"voting is up (pid {new.pid}" in journal, journal
    assert "restart 1 in 0.5s" in journal, journal


async def test_a_hung_child_is_killed_by_pid_and_restarted(tmp_path: Path) -> None:
    """SIGSTOP of a supervised service: it still holds its port but stops answering its
    health. A pause shorter than the watchdog's bound kills nothing; past it, the watchdog
    kills that PID and the supervisor starts the service again, both logged."""
    from gongtui.stack import WATCH_EVERY, EmbeddedStack

    hung_after = 10.0
    stack = EmbeddedStack(embedded_settings(tmp_path), components=("temporal", "approval"),
                          supervise=True, hung_after=hung_after)
    await stack.start()
    journal = stack.log_dir / "supervisor.log"
    try:
        first = psutil.Process(stack.procs["approval"].pid)
        first.send_signal(signal.SIGSTOP)  # a slow moment, not a hang
        await asyncio.sleep(hung_after / 3)
        first.send_signal(signal.SIGCONT)
        await asyncio.sleep(hung_after + 2 * WATCH_EVERY)
        assert stack.procs["approval"].pid == first.pid
        assert "has not answered" not in journal.read_text()

        first.send_signal(signal.SIGSTOP)
        stopped = time.monotonic()
        deadline = stopped + hung_after + 120
        while f"approval is up (pid {stack.procs['approval'].pid}" not in journal.read_text() \
                or stack.procs["approval"].pid == first.pid:
            assert time.monotonic() < deadline, journal.read_text()
            await asyncio.sleep(0.3)
        took = time.monotonic() - stopped
        said = journal.read_text()
        assert "approval has not answered for" in said, said
        assert f"(pid {first.pid}, stopped): hung, killed" in said, said
        assert "approval exited (killed by SIGKILL)" in said, said
        assert took >= hung_after - WATCH_EVERY, took  # not before its time
        assert not psutil.pid_exists(first.pid) or first.status() == psutil.STATUS_ZOMBIE
        assert "temporal has not answered" not in said  # the healthy one is left alone
    finally:
        stack.stop()


async def test_up_is_not_fooled_by_a_stranger_on_a_port_and_names_the_component(
        tmp_path: Path) -> None:
    """A process of someone else's answering gRPC health SERVING on the voting port (as an
    orphan of an earlier run would): up says voting cannot start, with the bind failure from
    voting's log, instead of taking the stranger for its child."""
    import grpc
    from grpc_health.v1 import health, health_pb2, health_pb2_grpc

    stranger = grpc.aio.server(options=[("grpc.so_reuseport", 0)])
    servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(servicer, stranger)
    port = stranger.add_insecure_port("127.0.0.1:0")
    await stranger.start()
    await servicer.set("", health_pb2.HealthCheckResponse.SERVING)
    up = Up(tmp_path / "data", tmp_path / "up.out")
    up.env["GONGTUI_VOTING_ADDRESS"] = f"127.0.0.1:{port}"
    try:
        proc = await asyncio.create_subprocess_exec(
            *up.argv(free_port()), env=up.env, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT, start_new_session=True)
        out, _ = await asyncio.wait_for(proc.communicate(), 180)
    finally:
        await stranger.stop(0)
    said = out.decode(errors="replace")
    assert proc.returncode == 1, said
    assert "gongtui is up" not in said
    assert "voting cannot start" in said and "Failed to bind" in said, said
    journal = (up.data_dir / "logs" / "latest" / "supervisor.log").read_text()
    pids = [int(line.split("(pid ")[1].split(",")[0]) for line in journal.splitlines()
            if " started (pid " in line]
    assert len(pids) >= 4  # temporal and the three services were started, then stopped
    assert not [pid for pid in pids if psutil.pid_exists(pid)
                and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE]


OWNER = """
import asyncio, sys
from pathlib import Path
from gongtui.stack import EmbeddedStack, embedded_settings

async def main():
    stack = EmbeddedStack(embedded_settings(Path(sys.argv[1])), components=("temporal",))
    await stack.start()
    print(*stack.pids(), flush=True)
    await asyncio.sleep(120)

asyncio.run(main())
"""


def test_the_embedded_stack_dies_with_the_process_that_owns_it(tmp_path: Path) -> None:
    """Tests, simulate and demo start the embedded stack in their own process: killed, that
    process takes its children along (a test run cut short leaves no orphan behind)."""
    owner = subprocess.Popen([sys.executable, "-c", OWNER, str(tmp_path)],
                             env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])},
                             stdout=subprocess.PIPE, text=True, start_new_session=True)
    try:
        assert owner.stdout is not None
        pids = [int(pid) for pid in owner.stdout.readline().split()]
        assert len(pids) == 1 and psutil.Process(pids[0]).ppid() == owner.pid
        children = [psutil.Process(pid) for pid in pids]
        owner.kill()
        owner.wait(5)
        _, alive = psutil.wait_procs(children, timeout=5)
        assert not alive
    finally:
        if owner.poll() is None:
            owner.kill()
            owner.wait()


def test_restarts_back_off_doubling_up_to_a_cap() -> None:
    from gongtui.supervisor import backoff

    assert [backoff(n) for n in range(1, 9)] == [0.5, 1, 2, 4, 8, 16, 30, 30]


def test_the_cause_is_the_last_error_since_the_last_start(tmp_path: Path) -> None:
    from gongtui.supervisor import cause_from_log, start_marker

    log = tmp_path / "voting.log"
    log.write_bytes(start_marker("voting", 1) + b"RuntimeError: an old failure\n"
                    + start_marker("voting", 2)
                    + json.dumps({"level": "INFO", "msg": "migrating"}).encode() + b"\n"
                    + json.dumps({"level": "ERROR", "msg": "cannot open the database",
                                  "exc": "Traceback\nOSError: disk full"}).encode() + b"\n"
                    + b"shutting down\n")
    assert cause_from_log(log) == "cannot open the database (OSError: disk full)"
    log.write_bytes(start_marker("voting", 3) + b"serving\n")
    assert cause_from_log(log) == "its last line: serving"
    assert cause_from_log(log, last_line=False) == ""
