"""O1/O2 on the real stack: a notice period ends with its close, after which objections are
refused, so the election never goes on with a list an objection is about to change. A
simulated member who takes longer to object than the whole (compressed) notice period still
objects in time: the simulation holds the period while it acts (await_turn). Before both, a
slow objector on a loaded machine saw its objection land after the workflow had moved on,
and the upheld objection broke a later step (seen once in CI on PostgreSQL)."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import datetime

import grpc
import pytest
from temporalio.worker import Replayer

from gongtui.simulate.clients import Clients
from gongtui.simulate.driver import Play
from gongtui.simulate.report import build_output
from gongtui.simulate.scenario import load
from gongtui.stack import EmbeddedStack
from proto import common_pb2
from proto import nomination_pb2 as npb
from tests.e2e.test_scenarios import comparable
from tests.paths import SCENARIOS
from workflows.election.workflows import CommunityElectionWorkflow

NAME = "o2-objection-upheld"
DAY = 0.05  # seconds: the nanjing notice period of 5 days lasts a quarter of a second
LATE = 2.0  # seconds after the period's deadline the slow objector files
pytestmark = pytest.mark.stack


class SlowObjector(Play):
    """Files the scenario's objections well after the notice period would have ended (its
    deadline as the wait announced it, plus LATE: the timer, the workflow task and the close
    take a moment after the deadline)."""

    async def _object(self, notice: str) -> None:
        w = self.status.waiting if self.status else None
        if any(o["notice"] == notice for o in self.scenario.get("objections", [])) and w:
            late = datetime.fromisoformat(w.deadline).timestamp() + LATE - time.time()
            await asyncio.sleep(max(late, 0.0))
        await super()._object(notice)


async def test_a_slow_objector_still_objects_in_time(stack: EmbeddedStack) -> None:
    scenario = load(SCENARIOS / f"{NAME}.yaml")
    clients = await Clients.connect(stack.settings)
    try:
        play = SlowObjector(scenario, clients, stack.settings, day_seconds=DAY)
        await play.run()
        out = await build_output(play)
        expected = json.loads((SCENARIOS / f"{NAME}.expected.json").read_text("utf-8"))
        assert comparable(out) == comparable(expected), play.error

        # every notice with a period was closed by the workflow, and is closed for objections
        notices = (await clients.nomination.ListNotices(npb.ListNoticesRequest(
            election_id=play.election_id))).notices
        assert {n.kind for n in notices if n.closed_at} == {
            "registrants", "shortlist", "candidates", "results"}
        assert all(not n.closed_at for n in notices if n.kind == "announcement")
        with pytest.raises(grpc.aio.AioRpcError) as late:
            await clients.nomination.FileObjection(npb.FileObjectionRequest(
                idempotency_key=play.key("late"), actor=common_pb2.Actor(
                    role="member", scope=f"community:{scenario['community']['id']}"),
                election_id=play.election_id, notice_kind="results",
                person_id=play.by_name["张三"].person_id, reason="公示期后反映 / after the period"))
        assert late.value.code() == grpc.StatusCode.FAILED_PRECONDITION
        assert dict(late.value.trailing_metadata() or ())["gongtui-rule"] == "O2"

        # the held and closed periods replay deterministically (a slow objector's history;
        # tests/workflows/replay/histories/o2-objection-upheld-closes-local.json is a prompt one's)
        history = await clients.temporal.get_workflow_handle(play.workflow_id).fetch_history()
        await Replayer(workflows=[CommunityElectionWorkflow]).replay_workflow(history)
    finally:
        await clients.close()
