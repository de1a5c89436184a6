"""How the stack owns its child processes: they die with it, a dead one comes back, and a
component counts as up only when that very process answers.

- **Parent death.** Every child is started with the Linux parent-death signal
  (``prctl(PR_SET_PDEATHSIG, SIGKILL)``), set between fork and exec, so it survives the exec
  of any program — the Temporal server is a Go binary, started directly, not through a shell
  or a wrapper. Whatever ends the supervisor (SIGKILL included), the kernel kills its children;
  for the stack that is a power cut, which every component is built to survive. The signal is
  tied to the thread that forked the child: children are spawned from the event loop's thread.
- **Health of the child itself.** A port that answers may belong to an orphan of an earlier
  run; :func:`holds_port` asks the kernel whether the child's own PID listens on it (gRPC
  servers bind without port sharing, so nobody else can hold it at the same time).
- **Restarts** back off (:func:`backoff`) and are logged to the run's ``supervisor.log``.
- **Logs** go to a folder per start (:func:`run_folder`), so a second run never writes into
  the first one's files.
"""

from __future__ import annotations

import ctypes
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

import psutil

from core.config import SERVICES, Settings
from services.common.lock import LockHeld, OwnerLock, file_lock, folder_lock

PR_SET_PDEATHSIG = 1
# the environment variable telling a ``gongtui serve`` child which PID owns its data folder
SUPERVISOR_ENV = "GONGTUI_SUPERVISOR_PID"
RUNS_KEPT = 20  # run folders of logs kept under <data>/logs (the oldest go first)
# restart delays (seconds): doubling from the first, capped; a child up this long starts over
BACKOFF_FIRST, BACKOFF_CAP, BACKOFF_RESET_AFTER = 0.5, 30.0, 60.0

# resolved here, once: the child between fork and exec only calls it
_prctl = ctypes.CDLL(None, use_errno=True).prctl if sys.platform.startswith("linux") else None


class StackError(RuntimeError):
    """A component that cannot start: its name, the cause read from its log, and the log."""

    def __init__(self, component: str, cause: str, log: Path | None = None, tail: str = ""):
        self.component = component
        self.cause = cause
        self.log = log
        where = f"; its log: {log}" if log else ""
        more = f"\n{tail}" if tail else ""
        super().__init__(f"{component} cannot start: {cause}{where}{more}")


def _die_with_parent(parent: int) -> None:
    # runs in the child between fork and exec (so it holds for the program exec'd, Go or not)
    if _prctl is not None:
        _prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the prctl: nobody would signal us
        os._exit(1)


def spawn_owned(argv: Sequence[str], env: dict[str, str], log: IO[bytes]) -> subprocess.Popen[bytes]:
    """Start a child that the kernel kills when this process dies, in a session of its own
    (a Ctrl-C at the terminal reaches the supervisor, which stops the children in order)."""
    parent = os.getpid()
    env = {**env, SUPERVISOR_ENV: str(parent)}
    return subprocess.Popen(list(argv), env=env, stdout=log, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, start_new_session=True,
                            preexec_fn=lambda: _die_with_parent(parent))


def holds_port(pid: int, port: int) -> bool:
    """Does process ``pid`` itself listen on TCP ``port``?"""
    try:
        conns = psutil.Process(pid).net_connections(kind="tcp")
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return False
    return any(c.status == psutil.CONN_LISTEN and c.laddr and c.laddr.port == port
               for c in conns)


def listening_ports(pids: Sequence[int]) -> set[int]:
    """Every TCP port the given processes listen on."""
    ports: set[int] = set()
    for pid in pids:
        try:
            conns = psutil.Process(pid).net_connections(kind="tcp")
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
        ports.update(c.laddr.port for c in conns if c.status == psutil.CONN_LISTEN and c.laddr)
    return ports


def backoff(failures: int) -> float:
    """The wait before restart number ``failures`` (1, 2, ...): 0.5 s, 1 s, 2 s, ... 30 s."""
    return min(BACKOFF_CAP, BACKOFF_FIRST * 2 ** max(0, failures - 1))


def run_folder(logs: Path) -> Path:
    """A new folder for this run's logs under ``logs`` (UTC time and PID), with ``latest``
    pointing at it; only the newest :data:`RUNS_KEPT` runs are kept."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    folder = logs / f"{stamp}-{os.getpid()}"
    folder.mkdir(parents=True, exist_ok=True)
    runs = sorted(p for p in logs.iterdir() if p.is_dir() and not p.is_symlink()
                  and re.fullmatch(r"\d{8}T[\d.]+Z-\d+", p.name))
    for old in runs[:-RUNS_KEPT]:
        for f in old.iterdir():
            f.unlink(missing_ok=True)
        old.rmdir()
    latest = logs / "latest"
    try:
        if latest.is_symlink() or latest.exists():
            latest.unlink()
        latest.symlink_to(folder.name)
    except OSError:
        pass  # a convenience only
    return folder


def start_marker(name: str, attempt: int) -> bytes:
    when = datetime.now(UTC).isoformat(timespec="milliseconds")
    return f"=== gongtui: {name} start {attempt}, {when} ===\n".encode()


_CAUSE = re.compile(r"^\w[\w.]*(Error|Exception|Exit|Interrupt)\b.*|.*\b(error|failed|cannot|"
                    r"refused|in use|denied|address already)\b.*", re.IGNORECASE)


def cause_from_log(path: Path, last_line: bool = True) -> str:
    """The line of a child's log (since its last start) that says why it stopped: the last
    JSON record at ERROR or above or line that reads as an error; else its last line (or "",
    without ``last_line``: a child killed by a signal may have had nothing to say)."""
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "no log" if last_line else ""
    lines = text.split("=== gongtui: ")[-1].splitlines()[1:]
    lines = [line.strip() for line in lines if line.strip()]
    found = ""
    for line in lines:
        if line.startswith("{"):
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if str(record.get("level", "")).upper() in ("ERROR", "CRITICAL"):
                exc = str(record.get("exc", "")).strip().splitlines()
                found = str(record.get("msg", "")) + (f" ({exc[-1]})" if exc else "")
        elif _CAUSE.match(line):
            found = line
    if not found and last_line:
        found = f"its last line: {lines[-1]}" if lines else "its log is empty"
    return found[:500]


def tail(path: Path, lines: int = 30) -> str:
    if not path.exists():
        return ""
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


class Journal:
    """The supervisor's own log of starts, exits and restarts (``supervisor.log`` of the run),
    echoed to ``echo`` (the console of ``gongtui up``)."""

    def __init__(self, path: Path, echo: Callable[[str], None] | None = None):
        self.path = path
        self.echo = echo

    def __call__(self, message: str) -> None:
        when = datetime.now(UTC).isoformat(timespec="milliseconds")
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(f"{when} {message}\n")
        if self.echo is not None:
            self.echo(message)


class Restarts:
    """How often each child failed in a row, for its backoff."""

    def __init__(self) -> None:
        self.failures: dict[str, int] = {}
        self.started: dict[str, float] = {}

    def started_now(self, name: str) -> None:
        self.started[name] = time.monotonic()

    def next_delay(self, name: str) -> tuple[int, float, float]:
        """(restart number, delay, seconds the dead child had run)."""
        ran = time.monotonic() - self.started.get(name, time.monotonic())
        if ran >= BACKOFF_RESET_AFTER:
            self.failures[name] = 0
        self.failures[name] = self.failures.get(name, 0) + 1
        return self.failures[name], backoff(self.failures[name]), ran


# --- what ``gongtui serve`` claims before it runs --------------------------------------------

_claimed: list[OwnerLock] = []  # held for the life of the process


def claim_data(component: str, settings: Settings) -> None:
    """A service (or the API) on SQLite owns its file (``<service>.db.lock``), and does not run
    in a data folder that another process's stack owns; standalone components share their
    folder. Exits with the folder or file and the holder's PID when refused."""
    if component in SERVICES:
        url = settings.service_database_url(component)
    elif component == "api":
        from api.db import database_url

        url = database_url(settings)[0]
    else:
        return  # the worker keeps nothing on disk
    if not url.startswith("sqlite"):
        return
    db = Path(url.split("///", 1)[1])
    locks = [file_lock(db)]
    owner = os.environ.get(SUPERVISOR_ENV, "")
    if owner != str(os.getppid()):  # a supervised child's parent holds the folder already
        locks.insert(0, folder_lock(db.parent, shared=True))
    try:
        for lock in locks:
            _claimed.append(lock.acquire())
    except LockHeld as exc:
        sys.stderr.write(f"error: {component}: {exc}\n")
        raise SystemExit(3) from exc
