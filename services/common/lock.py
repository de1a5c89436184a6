"""One owner per data folder and per SQLite file: an advisory ``flock`` on a lock file beside
what it guards, taken without waiting, so a second owner is refused at once with the PID that
holds it.

``fcntl.flock`` (the standard library) rather than the ``filelock`` package: the refusal must
name the holder, which ``filelock`` does not report. The kernel drops the lock when its holder
dies however it dies (SIGKILL, power cut), so a lock file left behind never blocks anyone;
the PID written into the file is only what the refusal shows, and the kernel's own table
(``/proc/locks``) is asked first, which also names the holders of a shared lock.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO


class LockHeld(RuntimeError):
    """Someone else owns it: ``what`` (a folder or a file) and the PIDs that hold its lock."""

    def __init__(self, what: Path, holders: list[int]):
        self.what = what
        self.holders = holders
        who = ", ".join(f"PID {pid}{describe(pid)}" for pid in holders) or "another process"
        super().__init__(f"{what} is in use by {who}: one owner at a time; stop it first "
                         f"or choose another data folder")


def describe(pid: int) -> str:
    """`` (gongtui up --data-dir x)``: the holder's command line, when it can be read."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return ""
    words = [w.decode(errors="replace") for w in raw.split(b"\0") if w]
    if not words:
        return ""
    if len(words) > 2 and words[1:3] == ["-m", "gongtui.cli"]:
        words = ["gongtui", *words[3:]]  # python -m gongtui.cli up ... reads as gongtui up ...
    return f" ({' '.join([Path(words[0]).name, *words[1:]])[:120]})"


def kernel_holders(path: Path) -> list[int]:
    """PIDs holding a lock on ``path``, from the kernel's lock table (empty off Linux)."""
    try:
        st = path.stat()
        table = Path("/proc/locks").read_text()
    except OSError:
        return []
    want = f"{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino}"
    pids = []
    for line in table.splitlines():
        fields = line.split()
        # "1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF"; blocked waiters start with "->"
        if len(fields) >= 6 and fields[1] != "->" and fields[5] == want and fields[4].isdigit():
            pids.append(int(fields[4]))
    return sorted(set(pids))


class OwnerLock:
    """``with OwnerLock(lock_file, guards=folder):`` — held until released or the process ends.

    Exclusive by default (the owner writes its PID into the file); ``shared=True`` lets several
    holders coexist while refusing an exclusive owner (and being refused by one)."""

    def __init__(self, path: Path, guards: Path | None = None, shared: bool = False):
        self.path = path
        self.guards = guards or path
        self.shared = shared
        self._file: IO[str] | None = None

    @property
    def held(self) -> bool:
        return self._file is not None

    def acquire(self) -> OwnerLock:
        if self._file is not None:
            return self
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # O_CLOEXEC (Python's default): a child never inherits the lock, so an orphan cannot
        # keep a folder locked in the name of a dead owner
        f = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held for the owner's life
        try:
            fcntl.flock(f, (fcntl.LOCK_SH if self.shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
        except BlockingIOError:
            f.seek(0)
            written = f.read().split()
            f.close()
            holders = kernel_holders(self.path)
            if not holders and written and written[0].isdigit():
                holders = [int(written[0])]
            raise LockHeld(self.guards, holders) from None
        if not self.shared:
            f.seek(0)
            f.truncate()
            f.write(f"{os.getpid()}\n")
            f.flush()
        self._file = f
        return self

    def release(self) -> None:
        if self._file is None:
            return
        if not self.shared:
            self._file.truncate(0)  # the PID leaves with its owner (the lock goes either way)
        fcntl.flock(self._file, fcntl.LOCK_UN)
        self._file.close()
        self._file = None

    def __enter__(self) -> OwnerLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


def folder_lock(folder: Path, shared: bool = False) -> OwnerLock:
    """The lock of a data folder: ``<folder>/gongtui.lock``."""
    folder = folder.resolve()
    return OwnerLock(folder / "gongtui.lock", guards=folder, shared=shared)


def file_lock(path: Path) -> OwnerLock:
    """The lock of one database file: ``<file>.lock`` beside it (SQLite's own -wal/-shm files
    are not ours to lock)."""
    path = path.resolve()
    return OwnerLock(path.with_name(path.name + ".lock"), guards=path)
