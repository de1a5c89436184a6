"""What a run is held to: its output the same as the scenario's fault-free output, and its
ballot box whole — the election's audit bundle exported (``gongtui audit export``), every
chain verified offline (``gongtui audit verify --bundle``), every round recounted from the
ballots (``gongtui recount``), and the electronic ballots counted against the fault-free
run's: none lost, none twice."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.config import Settings


def comparable(out: dict[str, Any]) -> dict[str, Any]:
    """An output without what differs between two plays of one scenario: the election's id
    and its chain's head (it hashes ids and times)."""
    out = {k: v for k, v in out.items() if k != "election_id"}
    out["audit"] = {k: v for k, v in (out.get("audit") or {}).items() if k != "head"}
    return out


def differences(got: dict[str, Any], want: dict[str, Any], limit: int = 5) -> list[str]:
    """The top-level keys (and the first differing entries under them) where two outputs
    differ, for the run's error text."""
    got, want = comparable(got), comparable(want)
    found = []
    for key in sorted(set(got) | set(want)):
        if got.get(key) != want.get(key):
            a = json.dumps(got.get(key), ensure_ascii=False)[:200]
            b = json.dumps(want.get(key), ensure_ascii=False)[:200]
            found.append(f"{key}: got {a} want {b}")
    return found[:limit]


@dataclass
class BoxCheck:
    """The ballot box of one election, from its audit bundle."""

    ballots: int = 0  # electronic ballots in the bundle
    receipts: Counter[str] = field(default_factory=Counter)
    verified: bool = False  # every chain and signed head, offline
    recounted: bool = False  # every round's result from its ballots
    problems: list[str] = field(default_factory=list)

    @property
    def twice(self) -> int:
        """Ballots whose receipt is in the bundle more than once."""
        return sum(n - 1 for n in self.receipts.values() if n > 1)

    def lost_duplicated(self, expected: int) -> tuple[int, int]:
        """(lost, duplicated) against the ``expected`` number of ballots."""
        distinct = len(self.receipts)
        return max(0, expected - distinct), self.twice + max(0, distinct - expected)


async def check_box(settings: Settings, election_id: str, folder: Path) -> BoxCheck:
    """Export the election's bundle into ``folder``, verify it and recount it: what
    ``gongtui audit export``, ``gongtui audit verify --bundle`` and ``gongtui recount`` do
    (gongtui/audit_cli.py), called here in-process (three interpreters per run would cost
    more than the run on a small machine)."""
    from gongtui.simulate.clients import RidingServiceClients
    from services.common.bundle import BundleError, export_bundle, load_bundle, verify_chains
    from services.voting.recount import check_ballots, recount

    box = BoxCheck()
    clients = RidingServiceClients(settings)  # a service restarting is waited for
    try:
        await export_bundle(clients, election_id, folder)
    except Exception as exc:  # noqa: BLE001 - a run's failure is its outcome
        box.problems.append(f"audit export: {type(exc).__name__}: {exc}"[:600])
        return box
    finally:
        await clients.close()
    try:
        bundle = load_bundle(folder)
    except BundleError as exc:
        box.problems.append(f"the bundle cannot be read: {exc}")
        return box
    box.ballots = len(bundle.ballots)
    box.receipts = Counter(f"{b['round']}/{b['receipt']}" for b in bundle.ballots)
    chains = verify_chains(bundle)
    check_ballots(bundle, chains)
    box.verified = not chains.problems
    if chains.problems:
        box.problems.append(f"audit verify --bundle: first broken record: {chains.problems[0]}")
    counted = recount(bundle)
    box.recounted = counted.agrees
    if not counted.agrees:
        differs = [f"round {r.round_id}: {'; '.join(r.differences)}" for r in counted.rounds
                   if r.differences]
        box.problems.append("recount: " + " | ".join(
            [str(p) for p in counted.problems] + differs)[:600])
    return box
