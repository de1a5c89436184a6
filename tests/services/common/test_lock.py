"""One owner per data folder or database file: a second owner is refused at once with the
folder and the PID that holds it; the lock goes with its holder however it ends."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from services.common.lock import LockHeld, file_lock, folder_lock

ROOT = Path(__file__).resolve().parents[3]
HOLD = """
import sys, time
from pathlib import Path
from services.common.lock import folder_lock
lock = folder_lock(Path(sys.argv[1]), shared=sys.argv[2] == "shared").acquire()
print("held", flush=True)
time.sleep(60)
"""


@pytest.fixture
def holders() -> Iterator[list[subprocess.Popen[str]]]:
    procs: list[subprocess.Popen[str]] = []
    yield procs
    for proc in procs:
        proc.kill()
        proc.wait()


def hold(folder: Path, mode: str, procs: list[subprocess.Popen[str]]) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(folder), mode], cwd=ROOT,
                            stdout=subprocess.PIPE, text=True)
    procs.append(proc)
    assert proc.stdout is not None and proc.stdout.readline() == "held\n"
    return proc


def test_a_second_owner_is_refused_naming_the_folder_and_the_holder(
        tmp_path: Path, holders: list[subprocess.Popen[str]]) -> None:
    owner = hold(tmp_path, "exclusive", holders)
    started = time.monotonic()
    with pytest.raises(LockHeld) as refused:
        folder_lock(tmp_path).acquire()
    assert time.monotonic() - started < 1  # at once, no waiting
    assert refused.value.holders == [owner.pid]
    assert str(tmp_path.resolve()) in str(refused.value)
    assert f"PID {owner.pid}" in str(refused.value)
    assert (tmp_path / "gongtui.lock").read_text().split()[0] == str(owner.pid)


def test_the_lock_goes_with_a_killed_holder(tmp_path: Path,
                                            holders: list[subprocess.Popen[str]]) -> None:
    owner = hold(tmp_path, "exclusive", holders)
    owner.kill()  # no clean-up runs: the lock file stays, with the dead PID in it
    owner.wait()
    with folder_lock(tmp_path) as lock:
        assert lock.held
        assert (tmp_path / "gongtui.lock").read_text().split()[0] != str(owner.pid)


def test_shared_holders_coexist_and_refuse_an_exclusive_owner(
        tmp_path: Path, holders: list[subprocess.Popen[str]]) -> None:
    a = hold(tmp_path, "shared", holders)
    b = hold(tmp_path, "shared", holders)
    with pytest.raises(LockHeld) as refused:
        folder_lock(tmp_path).acquire()
    assert refused.value.holders == sorted([a.pid, b.pid])  # both, from the kernel's table
    with folder_lock(tmp_path, shared=True):
        pass


def test_a_shared_holder_is_refused_by_an_exclusive_owner(
        tmp_path: Path, holders: list[subprocess.Popen[str]]) -> None:
    owner = hold(tmp_path, "exclusive", holders)
    with pytest.raises(LockHeld, match=f"PID {owner.pid}"):
        folder_lock(tmp_path, shared=True).acquire()


def test_a_database_file_has_its_own_lock(tmp_path: Path) -> None:
    db = tmp_path / "voting.db"
    with file_lock(db):
        assert (tmp_path / "voting.db.lock").exists()
        with pytest.raises(LockHeld, match="voting.db"):
            file_lock(db).acquire()  # a second open file: refused even in this process
    with file_lock(db):
        pass
