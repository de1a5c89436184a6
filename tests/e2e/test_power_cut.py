"""A power cut mid-congress: ``gongtui up`` and the ``gongtui simulate`` playing on it are
killed at once (SIGKILL of both process groups) while the election stands in the congress;
``gongtui up`` is started again on the same data folder, the election is where it stood, and
``gongtui simulate FILE --resume ELECTION`` plays the rest of the scenario to the output an
uninterrupted run gives — nothing the services recorded before the cut is recorded twice (the
audit chains hold as many records as an uninterrupted run's). Real processes on loopback, each
test bounded in time; only the PIDs this test started are ever signalled."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psutil
import pytest

from core.ids import election_workflow_id
from tests.gongtui.test_supervisor import Up, comparable

pytestmark = [pytest.mark.stack, pytest.mark.timeout(900)]
SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
SCENARIO = SCENARIOS / "foundation.yaml"
CONGRESS = ("congress_session", "congress_round")


def simulate(env: dict[str, str], ballots: str, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "gongtui.cli", "simulate", str(SCENARIO), "--json", str(out),
            "--ballots", ballots, *extra]


def election_said(err: Path, proc: subprocess.Popen[bytes], timeout: float = 120) -> str:
    """The election ID the player says on stderr as it starts."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = re.search(r"^election (\S+) ", err.read_text(errors="replace"), re.M)
        if found:
            return found.group(1)
        assert proc.poll() is None, err.read_text(errors="replace")
        time.sleep(0.1)
    raise AssertionError(f"no election said in {timeout}s:\n{err.read_text(errors='replace')}")


async def status(env: dict[str, str], election_id: str) -> Any:
    from temporalio.client import Client

    from workflows.election.workflows import CommunityElectionWorkflow

    client = await Client.connect(env["GONGTUI_TEMPORAL_ADDRESS"],
                                  namespace=env.get("GONGTUI_TEMPORAL_NAMESPACE", "default"))
    return await client.get_workflow_handle(election_workflow_id(election_id)).query(
        CommunityElectionWorkflow.status)


async def mid_congress(env: dict[str, str], election_id: str, player: subprocess.Popen[bytes],
                       timeout: float = 300) -> Any:
    """The election's status once it waits in a congress round (polled as fast as the
    workflow answers), the player stopped (SIGSTOP) there; fails if it gets past the congress
    unseen."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert player.poll() is None, "the player ended before the congress"
        try:
            st = await status(env, election_id)
        except Exception:  # not started yet
            await asyncio.sleep(0.1)
            continue
        w = st.waiting
        if st.status != "running" or any(s.step > 7 and s.status != "pending"
                                         for s in st.timeline):
            raise AssertionError(f"the election got past the congress unseen: {st}")
        if w is not None and w.kind == "congress_round":
            # the player frozen at once (the cut follows): on a loaded machine it went on to
            # count the congress in the moment between this read and the cut, and the
            # election stood at its approval when the power came back
            os.killpg(player.pid, signal.SIGSTOP)
            await asyncio.sleep(0.5)  # an act in flight lands
            return await status(env, election_id)
        await asyncio.sleep(0.02)
    raise AssertionError(f"no congress round in {timeout}s")


def power_cut(up: Up, player: subprocess.Popen[bytes]) -> None:
    """SIGKILL of both process groups at once; every child of ``up`` is gone after."""
    assert up.proc is not None
    children = list(up.children().values())
    os.killpg(player.pid, signal.SIGKILL)
    os.killpg(up.proc.pid, signal.SIGKILL)
    player.wait(10)
    up.proc.wait(10)
    _, alive = psutil.wait_procs(children, timeout=10)
    assert not alive, [p.pid for p in alive]


def uninterrupted(ballots: str, up: Up, tmp_path: Path) -> dict[str, Any]:
    """The scenario's output played without a cut: the committed one on paper; with
    electronic ballots, played on ``up`` (their audit records differ from a paper tally's)."""
    if ballots == "paper":
        return json.loads((SCENARIOS / "foundation.expected.json").read_text("utf-8"))
    out = tmp_path / "uninterrupted.json"
    run = subprocess.run(simulate(up.env, ballots, out), env=up.env, capture_output=True,
                         timeout=600)
    assert run.returncode == 0, run.stderr.decode(errors="replace")[-3000:]
    return json.loads(out.read_text("utf-8"))  # type: ignore[no-any-return]


# electronic ballots resumed mid-round: tests/gongtui/simulate/test_resume.py and the chaos
# campaign's power cuts
@pytest.mark.parametrize("ballots", ["paper"])
def test_a_power_cut_mid_congress_resumes_to_the_same_output(
        ballots: str, tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = Up(data, tmp_path / "up-1.out")
    again = Up(data, tmp_path / "up-2.out")  # the same folder, ports and environment
    again.env, again.api_port = first.env, first.api_port
    player: subprocess.Popen[bytes] | None = None
    try:
        first.start()
        cut_out, err = tmp_path / "cut.json", tmp_path / "cut.err"
        with open(err, "wb") as stderr:
            player = subprocess.Popen(simulate(first.env, ballots, cut_out), env=first.env,
                                      stdout=subprocess.DEVNULL, stderr=stderr,
                                      stdin=subprocess.DEVNULL, start_new_session=True)
        election = election_said(err, player)
        before = asyncio.run(mid_congress(first.env, election, player))
        power_cut(first, player)
        assert not cut_out.exists()

        again.start()
        after = asyncio.run(status(again.env, election))  # where it stood: in the congress
        assert after.status == "running" and after.waiting is not None, after
        assert before.waiting is not None and before.waiting.kind in CONGRESS, before
        # where it stood: an act in flight at the freeze may have landed since, no more
        assert after.waiting.kind in CONGRESS, (before.waiting, after.waiting)
        assert after.waiting.seq >= before.waiting.seq

        out = tmp_path / "resumed.json"
        resumed = subprocess.run(simulate(again.env, ballots, out, "--resume", election),
                                 env=again.env, capture_output=True, timeout=600)
        said = resumed.stderr.decode(errors="replace")[-3000:]
        assert resumed.returncode == 0, said
        assert f"resuming {election}" in said
        got = json.loads(out.read_text("utf-8"))
        assert got["election_id"] == election
        assert got["audit"]["verified"] is True
        assert comparable(got) == comparable(uninterrupted(ballots, again, tmp_path))
    finally:
        if player is not None and player.poll() is None:
            os.killpg(player.pid, signal.SIGKILL)
            player.wait()
        first.stop()
        again.stop()
