"""The stack a campaign plays on: one ``gongtui up`` process (the supervised topology: the
Temporal dev server, the three services, the worker and the API, each its own process) on
free loopback ports, started and cut by the campaign, and the ``gongtui`` commands run against
it (``simulate``, ``audit``, ``recount``) as child processes of the campaign.

Every process started here is owned (gongtui/supervisor.py): it dies with the campaign, so a
campaign cut short leaves nothing behind; and only these PIDs are ever signalled."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil

from gongtui.stack import embedded_settings, free_port, settings_env
from gongtui.supervisor import spawn_owned

#: the children of ``gongtui up`` a fault can hit, by the name the supervisor gives them
CHILDREN = ("temporal", "nomination", "voting", "approval", "worker", "api")


class Topology:
    """``gongtui up --data-dir DATA`` on free loopback ports, its console in ``console``."""

    def __init__(self, data_dir: Path, console: Path, database_url: str = ""):
        self.data_dir = data_dir.resolve()
        self.console = console
        self.database_url = database_url
        settings = embedded_settings(self.data_dir, database_url=database_url)
        self.settings = settings  # the operator's, as the campaign calls the services
        self.api_port = settings.api_port
        self.env = {**os.environ, **settings_env(settings), "PYTHONUNBUFFERED": "1"}
        if database_url:
            self.env["GONGTUI_DATABASE_URL"] = database_url
        self.temporal_address = settings.temporal_address
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def argv(self) -> list[str]:
        argv = [sys.executable, "-m", "gongtui.cli", "up", "--data-dir", str(self.data_dir),
                "--api-port", str(self.api_port), "--no-temporal-ui"]
        return argv + (["--database-url", self.database_url] if self.database_url else [])

    def start(self, timeout: float = 240.0) -> float:
        """Start ``up`` and wait for it to say it is up; the seconds it took."""
        started = time.monotonic()
        self.console.parent.mkdir(parents=True, exist_ok=True)
        offset = self.console.stat().st_size if self.console.exists() else 0
        self.starts += 1
        with open(self.console, "ab") as out:
            out.write(f"=== chaos: up start {self.starts} ===\n".encode())
            out.flush()
            self.proc = spawn_owned(self.argv(), self.env, out)
        while True:
            said = self.said(offset)
            if "gongtui is up" in said:
                return time.monotonic() - started
            if self.proc.poll() is not None:
                raise RuntimeError(f"gongtui up exited ({self.proc.returncode}): "
                                   f"{said[-2000:]}")
            if time.monotonic() - started > timeout:
                self.power_cut()
                raise RuntimeError(f"gongtui up was not up within {timeout:.0f}s: "
                                   f"{said[-2000:]}")
            time.sleep(0.3)

    def said(self, offset: int = 0) -> str:
        try:
            with open(self.console, "rb") as f:
                f.seek(offset)
                return f.read().decode(errors="replace")
        except OSError:
            return ""

    def children(self) -> dict[str, psutil.Process]:
        """The live children of ``up`` by component (as the supervisor names them)."""
        if self.proc is None or self.proc.poll() is not None:
            return {}
        found: dict[str, psutil.Process] = {}
        try:
            kids = psutil.Process(self.proc.pid).children()
        except psutil.NoSuchProcess:
            return {}
        for child in kids:
            try:
                cmd = child.cmdline()
                if child.status() == psutil.STATUS_ZOMBIE:
                    continue
            except psutil.Error:
                continue
            if "start-dev" in cmd:
                found["temporal"] = child
            elif cmd and cmd[-1] in CHILDREN:
                found[cmd[-1]] = child
        return found

    def wait_children(self, timeout: float = 120.0) -> bool:
        """Wait until every child is alive again and not stopped (after a fault)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            kids = self.children()
            if set(kids) == set(CHILDREN) and all(
                    _status(p) not in (psutil.STATUS_STOPPED, "gone") for p in kids.values()):
                return True
            time.sleep(0.5)
        return False

    async def answering(self, timeout: float = 120.0) -> bool:
        """Wait until Temporal and the three services answer (a child just restarted is alive
        before it serves)."""
        from gongtui.stack import stack_reachable

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if await stack_reachable(self.settings):
                return True
            await asyncio.sleep(0.5)
        return False

    def power_cut(self) -> None:
        """SIGKILL of ``up``: the kernel kills its children (their parent-death signal); wait
        until every one of them is gone."""
        if self.proc is None:
            return
        kids = list(self.children().values())
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(30)
        psutil.wait_procs(kids, timeout=30)
        for kid in kids:  # a stopped child gets the parent-death SIGKILL too; only ours
            if kid.is_running() and _status(kid) != psutil.STATUS_ZOMBIE:
                kid.kill()

    def stop(self) -> None:
        """Ctrl-C of ``up``: the children stop in order; SIGKILL after 60 s."""
        if self.proc is None or self.proc.poll() is not None:
            return
        for kid in self.children().values():  # a stopped child would not hear the SIGTERM
            if _status(kid) == psutil.STATUS_STOPPED:
                kid.send_signal(signal.SIGCONT)
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.power_cut()

    def journal(self) -> str:
        """The supervisor's log of the current run of ``up``."""
        path = self.data_dir / "logs" / "latest" / "supervisor.log"
        try:
            return path.read_text(errors="replace")
        except OSError:
            return ""

    def command(self, *args: str, timeout: float = 120.0) -> subprocess.CompletedProcess[str]:
        """``gongtui ARGS`` against this stack, waited for (bounded)."""
        return subprocess.run([sys.executable, "-m", "gongtui.cli", *args], env=self.env,
                              capture_output=True, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL)

    def spawn_command(self, args: list[str], log: Path) -> subprocess.Popen[bytes]:
        """``gongtui ARGS`` in the background, owned (it dies with the campaign)."""
        with open(log, "ab") as out:
            return spawn_owned([sys.executable, "-m", "gongtui.cli", *args], self.env, out)


def _status(proc: psutil.Process) -> str:
    try:
        return str(proc.status())
    except psutil.Error:
        return "gone"


__all__ = ["CHILDREN", "Topology", "free_port"]
