"""``simulate --resume`` from every place a player can stop: edge scenarios are played by a
chain of players, each cut off after a few of its calls to the services have been answered (the
answer then lost with the player, as in a power cut), the next one resuming the same election
(``Play(resume=True)``), until the election ends. The chain's output must be the scenario's
expected output, audit record count included: nothing recorded twice, nothing lost. Cuts fall
between acts and inside them (after a check-in before its confirmation, between a tally and
the round's close, between the casts of electronic ballots)."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from gongtui.simulate.clients import Clients
from gongtui.simulate.driver import Play, new_election_id
from gongtui.simulate.report import build_output
from gongtui.simulate.scenario import load
from gongtui.stack import EmbeddedStack
from tests.e2e.test_scenarios import comparable
from tests.paths import SCENARIOS

pytestmark = [pytest.mark.stack, pytest.mark.timeout(900)]
# the happy path, a congress sitting again after a failed quorum, electronic ballots
# the happy path on paper and one with electronic ballots of its own (the chaos campaign
# resumes the other scenarios after its power cuts)
NAMES = ["foundation", "m3-m4-electronic-invalid"]
READS = ("Get", "List", "Verify", "Health", "Export")  # calls that record nothing
MAX_PLAYERS = 200


class Cut(Exception):
    """The player is gone: the call it made was answered, the answer lost with it."""


@dataclass
class Budget:
    left: int
    spent: int = 0

    def spend(self) -> None:
        self.left -= 1
        self.spent += 1
        if self.left <= 0:
            raise Cut


class CountedStub:
    """A service stub whose recording calls spend the budget once answered."""

    def __init__(self, stub: Any, budget: Budget):
        self._stub, self._budget = stub, budget

    def __getattr__(self, name: str) -> Any:
        call = getattr(self._stub, name)
        if name.startswith(READS):
            return call

        async def counted(*args: Any, **kwargs: Any) -> Any:
            answer = await call(*args, **kwargs)
            self._budget.spend()
            return answer

        return counted


@dataclass
class CutClients(Clients):
    budget: Budget = field(default_factory=lambda: Budget(1 << 30))

    @property
    def nomination(self) -> Any:
        return CountedStub(self.services.nomination, self.budget)

    @property
    def voting(self) -> Any:
        return CountedStub(self.services.voting, self.budget)

    @property
    def approval(self) -> Any:
        return CountedStub(self.services.approval, self.budget)


async def play_cut(name: str, clients: Clients, stack: EmbeddedStack) -> tuple[dict[str, Any],
                                                                             int]:
    """The scenario's output after a chain of cut-off players; how many players it took."""
    scenario = load(SCENARIOS / f"{name}.yaml")
    ballots = "electronic" if "electronic" in name else "paper"
    # player k makes 3k calls (25k with ballots: a round casts ~100) before it is cut off: a
    # resumed player sends the calls of a half-done act again, so the budget grows, and the
    # cuts fall at every distance from the start of an act
    step = 3 if ballots == "paper" else 25
    # the first player too is a resume, of an election it never got to start
    election_id = new_election_id(scenario)
    for players in range(1, MAX_PLAYERS + 1):
        cut = CutClients(clients.temporal, clients.services, Budget(players * step))
        play = Play(scenario, cut, stack.settings, ballots=ballots,
                    election_id=election_id, resume=True)
        try:
            await play.run()
        except Cut:
            continue
        cut.budget.left = 1 << 30  # the output only reads
        return await build_output(play), players
    raise AssertionError(f"{name}: not ended after {MAX_PLAYERS} players")


@pytest.fixture(scope="module")
async def played(stack: EmbeddedStack) -> dict[str, tuple[dict[str, Any], int]]:
    clients = await Clients.connect(stack.settings)
    try:
        outs = await asyncio.gather(*(play_cut(n, clients, stack) for n in NAMES))
        return dict(zip(NAMES, outs, strict=True))
    finally:
        await clients.close()


@pytest.mark.parametrize("name", NAMES)
def test_a_chain_of_cut_players_gives_the_uninterrupted_output(
        name: str, played: dict[str, tuple[dict[str, Any], int]]) -> None:
    out, players = played[name]
    expected = json.loads((Path(SCENARIOS) / f"{name}.expected.json").read_text("utf-8"))
    assert players > 1, f"{name}: never cut"
    assert out["audit"].get("verified", True) is True
    assert comparable(out) == comparable(expected), (name, players)
