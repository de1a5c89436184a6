"""A fault campaign: scenarios played one after another on the supervised topology, one fault
injected into one random component at a random moment of each run, every outcome held to the
same scenario's fault-free outcome and its ballot box to its audit bundle (docs/chaos.md).

Everything is drawn up front from the seed (which scenario, paper or electronic ballots, which
fault, on which component, at what fraction of the scenario's fault-free run time, how long a
stop lasts), so a seed names a campaign; only the moments in seconds depend on the machine.
The fault-free reference of each scenario is played on the same stack the first time the
scenario is drawn; its output, its ballot count and its run time are what the runs compare
with."""

from __future__ import annotations

import asyncio
import json
import random
import re
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from gongtui.chaos.check import check_box, comparable, differences
from gongtui.chaos.faults import Fault, draw, pg_terminate, signal_child, stop_for
from gongtui.chaos.topology import Topology

DAY_SECONDS = 0.2  # one day of the procedure, as ``gongtui simulate`` plays it by default
ESTIMATE_SECONDS = 30.0  # a scenario's run time before any was measured
RUN_TIMEOUT = 300.0  # seconds a run may take beyond its reference's run time (and a stop)


@dataclass(frozen=True)
class Case:
    """A scenario file played with paper or electronic ballots."""

    name: str
    path: Path
    ballots: str

    @property
    def key(self) -> str:
        return f"{self.name}/{self.ballots}"


@dataclass
class Reference:
    """A case's fault-free play: its output, its electronic ballots, its run time."""

    output: dict[str, Any]
    ballots: int
    seconds: float
    problems: list[str] = field(default_factory=list)
    source: str = "played"  # or "expected.json"

    @property
    def exit_code(self) -> int:
        """What ``gongtui simulate`` exits with for this outcome (1: the election failed)."""
        return 1 if self.output.get("status") == "failed" else 0


def suite_cases(folder: Path, generated: int, seed: int, work: Path) -> list[Case]:
    """Every scenario of ``folder`` (``*.yaml``) and ``generated`` ones from the demo's
    generator (written under ``work``), each with paper and with electronic ballots."""
    from gongtui.demo.generation import generate_scenario

    files = sorted(p for p in folder.glob("*.yaml"))
    rng = random.Random(seed)
    made = work / "scenarios"
    made.mkdir(parents=True, exist_ok=True)
    for i in range(generated):
        path = made / f"generated-{i + 1}.yaml"
        path.write_text(yaml.safe_dump(generate_scenario(i, rng), allow_unicode=True,
                                       sort_keys=False), encoding="utf-8")
        files.append(path)
    return [Case(p.name.removesuffix(".yaml"), p, b) for p in files
            for b in ("paper", "electronic")]


@dataclass
class Plan:
    """One run as drawn: the case, the fault, the moment as a fraction of the reference."""

    case: Case
    fault: Fault
    fraction: float


def plan_runs(cases: list[Case], runs: int, seed: int, database: str) -> list[Plan]:
    rng = random.Random(seed)
    plans = []
    for _ in range(runs):
        case = rng.choice(cases)
        fault = draw(rng, database, 1.0)  # ``at`` is a fraction until the reference is known
        plans.append(Plan(case, fault, fault.at))
    return plans


class Campaign:
    def __init__(self, top: Topology, work: Path, database: str, seed: int,
                 deadline: float | None = None, log: Any = print):
        self.top = top
        self.work = work
        self.database = database
        self.seed = seed
        self.deadline = deadline
        self.log = log
        self.references: dict[str, Reference] = {}
        self.seen: set[str] = set()  # election workflows that existed before this run
        self.count = 0

    # ---- elections ---------------------------------------------------------------------------
    async def elections(self, timeout: float = 120.0) -> set[str]:
        """Every election workflow Temporal knows (asked again while it is restarting)."""
        from temporalio.client import Client

        deadline = time.monotonic() + timeout
        while True:
            try:
                client = await Client.connect(self.top.temporal_address)
                return {w.id async for w in client.list_workflows()
                        if w.id.startswith("election-")}
            except Exception:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(1.0)

    async def new_election(self, timeout: float = 60.0) -> str:
        """The election the current run started (the one workflow not seen before)."""
        deadline = time.monotonic() + timeout
        while True:
            fresh = sorted(await self.elections() - self.seen)
            if fresh:
                return fresh[0].removeprefix("election-")
            if time.monotonic() > deadline:
                raise RuntimeError("the run's election was not found in Temporal")
            await asyncio.sleep(0.5)

    # ---- one play ------------------------------------------------------------------------------
    def simulate_args(self, case: Case, out: Path, resume: str = "") -> list[str]:
        args = ["simulate", str(case.path), "--json", str(out), "--ballots", case.ballots,
                "--day-seconds", str(DAY_SECONDS)]
        return args + (["--resume", resume] if resume else [])

    async def wait(self, proc: subprocess.Popen[bytes], timeout: float) -> int:
        deadline = time.monotonic() + timeout
        while proc.poll() is None:
            if time.monotonic() > deadline:
                proc.kill()
                proc.wait()
                raise TimeoutError(f"the driver did not finish within {timeout:.0f}s")
            await asyncio.sleep(0.2)
        return int(proc.returncode)

    def expected(self, case: Case) -> Reference | None:
        """A suite scenario's own fault-free outcome with paper ballots (``NAME.expected.json``,
        which tests/e2e holds the paper play to): no reference play needed. Its run time is estimated from the references played so far."""
        path = case.path.with_name(f"{case.name}.expected.json")
        # the suite plays a scenario named "electronic" so; its electronic ballots are counted
        # by a reference play all the same (the expected output does not list them)
        if not path.exists() or case.ballots != "paper" or "electronic" in case.name:
            return None
        played = sorted(r.seconds for r in self.references.values() if r.source == "played")
        seconds = played[len(played) // 2] if played else ESTIMATE_SECONDS
        return Reference(_read(path), 0, seconds, source="expected.json")

    async def reference(self, case: Case) -> Reference:
        if case.key in self.references:
            return self.references[case.key]
        known = self.expected(case)
        if known is not None:
            self.references[case.key] = known
            return known
        self.count += 1
        folder = self.work / "references" / f"{self.count:03d}-{case.name}-{case.ballots}"
        folder.mkdir(parents=True, exist_ok=True)
        self.seen = await self.elections()
        started = time.monotonic()
        proc = self.top.spawn_command(self.simulate_args(case, folder / "out.json"),
                                      folder / "simulate.log")
        code = await self.wait(proc, RUN_TIMEOUT * 2)
        seconds = time.monotonic() - started
        out = _read(folder / "out.json")
        election = (out.get("election_id") or logged_election(folder / "simulate.log")
                    or await self.new_election())
        box = await check_box(self.top.settings, election, folder / "bundle")
        problems = list(box.problems)
        ref = Reference(out, box.ballots, seconds, problems)
        if not out or code != ref.exit_code:
            problems.insert(0, f"the fault-free play exited {code}: "
                               f"{_tail(folder / 'simulate.log')}")
        self.references[case.key] = ref
        self.log(f"reference {case.key}: {out.get('status')} in {seconds:.1f}s, "
                 f"{box.ballots} ballots" + (f" — {problems[0]}" if problems else ""))
        return ref

    async def run(self, index: int, plan: Plan) -> dict[str, Any]:
        case, fault = plan.case, plan.fault
        ref = await self.reference(case)
        fault.at = plan.fraction * ref.seconds
        folder = self.work / "runs" / f"{index:03d}-{case.name}-{case.ballots}"
        folder.mkdir(parents=True, exist_ok=True)
        record: dict[str, Any] = {"run": index, "scenario": case.name, "ballots": case.ballots,
                                  "component": fault.component, "fault": fault.fault,
                                  "at": round(fault.at, 2), "at_fraction": round(plan.fraction, 3),
                                  "identical": False, "lost": 0, "duplicated": 0,
                                  "reference": ref.source}
        if fault.fault == "stop":
            record["hold"] = round(fault.hold, 2)
        started = time.monotonic()
        try:
            record.update(await self._play(case, fault, ref, folder))
        except Exception as exc:  # noqa: BLE001 - a run's failure is its outcome
            record["error"] = f"{type(exc).__name__}: {exc}"
            await asyncio.to_thread(self.recover)
        record["seconds"] = round(time.monotonic() - started, 1)
        if ref.source != "played" and record.get("play_seconds"):
            # an estimated run time comes down to the quickest run of the case seen: a fault
            # only ever adds time, and the next run's moment falls within the election
            ref.seconds = min(ref.seconds, float(record["play_seconds"]))
        if ref.problems:
            record.setdefault("error", "the reference failed: " + ref.problems[0])
        return record

    async def _play(self, case: Case, fault: Fault, ref: Reference,
                    folder: Path) -> dict[str, Any]:
        self.seen = await self.elections()
        hung_before = self.top.journal().count("hung, killed")
        out_path = folder / "out.json"
        log = folder / "simulate.log"
        started = time.monotonic()
        proc = self.top.spawn_command(self.simulate_args(case, out_path), log)
        await asyncio.sleep(max(0.0, started + fault.at - time.monotonic()))
        found: dict[str, Any] = {"after_end": proc.poll() is not None}
        proc, injected = await self.inject(case, fault, proc, out_path, log)
        found["injected"] = injected
        timeout = ref.seconds + RUN_TIMEOUT + fault.hold
        code = await self.wait(proc, max(30.0, timeout - (time.monotonic() - started)))
        found["play_seconds"] = round(time.monotonic() - started, 1)
        if not await asyncio.to_thread(self.top.wait_children, 120.0) \
                or not await self.top.answering(120.0):
            raise RuntimeError(f"the stack did not come back whole: {self.top.children()}")
        out = _read(out_path)
        errors = []
        if code != ref.exit_code:
            errors.append(f"the driver exited {code}: {_tail(log)}")
        found["identical"] = bool(out) and comparable(out) == comparable(ref.output)
        if out and not found["identical"]:
            errors += differences(out, ref.output)
        election = (out.get("election_id") or logged_election(log)
                    or await self.new_election(10.0))
        found["election_id"] = election
        box = await check_box(self.top.settings, election, folder / "bundle")
        found["ballots_in_box"] = box.ballots
        found["lost"], found["duplicated"] = box.lost_duplicated(ref.ballots)
        found["chains_verified"], found["recount_agrees"] = box.verified, box.recounted
        errors += box.problems
        if errors:
            found["error"] = " | ".join(errors)[:3000]
        found["watchdog_kills"] = max(0, self.top.journal().count("hung, killed") - hung_before)
        return found

    async def inject(self, case: Case, fault: Fault, proc: subprocess.Popen[bytes],
                     out: Path, log: Path) -> tuple[subprocess.Popen[bytes], dict[str, Any]]:
        """Do ``fault``; the driver to wait for (a new one after a power cut) and what was
        done."""
        if fault.fault == "kill":
            return proc, {"pid": signal_child(self.top, fault.component, signal.SIGKILL)}
        if fault.fault == "stop":
            return proc, await stop_for(self.top, fault.component, fault.hold)
        if fault.fault == "pg_terminate":
            return proc, await pg_terminate(self.top.database_url, fault.component)
        # the power cut: up (its children die with it) and the driver, at once
        up_pid = self.top.proc.pid if self.top.proc else 0
        if proc.poll() is None:
            proc.kill()
        await asyncio.to_thread(self.top.power_cut)
        proc.wait()
        restart = await asyncio.to_thread(self.top.start)
        # the driver said its election's id at start; Temporal, now back, says whether the
        # election was started before the cut (else the scenario is played again from the top)
        election = await self._started(logged_election(log))
        _note(log, f"=== chaos: power cut; resuming {election or '(none yet)'} ===")
        resumed = self.top.spawn_command(self.simulate_args(case, out, election), log)
        return resumed, {"up_pid": up_pid, "election_id": election,
                         "restart_seconds": round(restart, 1)}

    async def _started(self, election: str) -> str:
        """``election`` if Temporal knows its workflow, else ""."""
        if not election:
            return ""
        from temporalio.client import Client
        from temporalio.service import RPCError, RPCStatusCode

        from core.ids import election_workflow_id

        for _ in range(60):
            try:
                client = await Client.connect(self.top.temporal_address)
                await client.get_workflow_handle(election_workflow_id(election)).describe()
                return election
            except RPCError as exc:
                if exc.status == RPCStatusCode.NOT_FOUND:
                    return ""
            except RuntimeError:  # Temporal not answering yet
                pass
            await asyncio.sleep(1.0)
        raise RuntimeError(f"Temporal did not say whether {election} was started")

    def recover(self) -> None:
        """After a failed run: the stack cut and started again on the same folder."""
        try:
            self.top.power_cut()
            self.top.start()
        except Exception as exc:  # noqa: BLE001 - the next run reports it
            self.log(f"the stack could not be started again: {exc}")


def _read(path: Path) -> dict[str, Any]:
    try:
        return dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return {}


def logged_election(log: Path) -> str:
    """The election id ``gongtui simulate`` says on stderr at start ("election ID (...")."""
    try:
        text = log.read_text(errors="replace")
    except OSError:
        return ""
    found = re.findall(r"^(?:election|resuming) (\S+) \(scenario", text, re.MULTILINE)
    return found[-1] if found else ""


def _note(path: Path, line: str) -> None:
    with open(path, "a", encoding="utf-8") as f:
        f.write(line + "\n")


def _tail(path: Path, chars: int = 800) -> str:
    try:
        return path.read_text(errors="replace")[-chars:].strip()
    except OSError:
        return ""


def cleanup(work: Path, keep: bool) -> None:
    if not keep:
        shutil.rmtree(work, ignore_errors=True)
