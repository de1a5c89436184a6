"""A paused district (communities in step 4) holds still, its notice
deadlines move by the pause, and after resuming every community completes with the results of
an unpaused run of the same seed; a worker SIGKILLed mid-district changes nothing either."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import datetime
from typing import Any

import pytest
from temporalio.client import Client, WorkflowUpdateFailedError

from core.ids import district_election_id, district_workflow_id, election_workflow_id
from gongtui.demo.calibrate import nanjing_2009
from gongtui.runner import DistrictOutcome, run_district
from gongtui.stack import EmbeddedStack
from proto import common_pb2, nomination_pb2, nomination_pb2_grpc
from workflows.district.types import ControlInput
from workflows.district.workflows import DistrictElectionWorkflow
from workflows.election.types import ElectionStatus

pytestmark = [pytest.mark.stack, pytest.mark.timeout(420)]

COMMUNITIES = 6
SEED = 4
DAY = 1.5          # one day in seconds: a 5-day notice lasts 7.5 s
HOLD = 4.0         # how long the district stays paused


def scenarios() -> list[dict[str, Any]]:
    return nanjing_2009(COMMUNITIES, SEED)


def comparable(out: dict[str, Any]) -> dict[str, Any]:
    out = dict(out)
    out.pop("election_id", None)
    out["audit"] = {k: v for k, v in out["audit"].items() if k not in ("head", "records")}
    return out


def by_name(outcome: DistrictOutcome) -> dict[str, dict[str, Any]]:
    return {o["scenario"]: o for o in outcome.outputs}


async def statuses(client: Client, district_id: str) -> list[ElectionStatus | None]:
    async def one(sc: dict[str, Any]) -> ElectionStatus | None:
        wid = election_workflow_id(district_election_id(district_id, sc['community']['id']))
        try:
            return await client.get_workflow_handle(wid).query(  # type: ignore[no-any-return]
                "status", result_type=ElectionStatus)
        except Exception:
            return None

    return list(await asyncio.gather(*(one(s) for s in scenarios())))


async def wait_for(client: Client, district_id: str, cond: Any, timeout: float = 120) -> list[Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sts = await statuses(client, district_id)
        if all(s is not None for s in sts) and cond(sts):
            return sts
        await asyncio.sleep(0.2)
    raise AssertionError(f"condition not reached in {timeout}s: "
                         f"{[(s.step, s.waiting) if s else None for s in sts]}")


@pytest.fixture(scope="module")
async def unpaused(stack: EmbeddedStack) -> DistrictOutcome:
    outcome = await asyncio.wait_for(run_district(
        scenarios(), stack.settings, district_id=f"plain-{uuid.uuid4().hex[:6]}",
        day_seconds=DAY, refresh_seconds=1.0), 300)
    assert outcome.result.completed == COMMUNITIES, outcome.result
    assert all(o["status"] == "completed" for o in outcome.outputs)
    return outcome


async def test_pause_district_in_step_4(stack: EmbeddedStack, unpaused: DistrictOutcome) -> None:
    s = stack.settings
    client = await Client.connect(s.temporal_address, namespace=s.temporal_namespace)
    did = f"pause-{uuid.uuid4().hex[:6]}"
    run = asyncio.create_task(run_district(scenarios(), s, district_id=did, day_seconds=DAY,
                                           refresh_seconds=1.0))
    district = client.get_workflow_handle(district_workflow_id(did))

    def in_step_4_notice(sts: list[ElectionStatus]) -> bool:
        """Communities sit in step 4's notice period, none has gone beyond step 4."""
        return (all(st.step <= 4 for st in sts)
                and sum(st.step == 4 and st.waiting is not None and st.waiting.kind == "notice"
                        for st in sts) >= 2)

    await wait_for(client, did, in_step_4_notice)
    with pytest.raises(WorkflowUpdateFailedError):  # a pause needs a reason
        await district.execute_update(DistrictElectionWorkflow.control,
                                      ControlInput("pause", "district", "", " ", "test"))
    res = await district.execute_update(
        DistrictElectionWorkflow.control,
        ControlInput("pause", "district", "", "申诉调查 / appeal under investigation", "test"))
    assert len(res.affected) == COMMUNITIES and res.paused == COMMUNITIES
    before = await wait_for(client, did, lambda sts: all(st.paused for st in sts), 30)
    await asyncio.sleep(HOLD)
    held = await statuses(client, did)
    progress = await district.query(DistrictElectionWorkflow.progress)
    assert progress.paused == COMMUNITIES
    for b, h in zip(before, held, strict=True):  # no step advanced while paused
        assert h is not None and h.paused and h.step == b.step
        assert [(t.step, t.status) for t in h.timeline] == [(t.step, t.status) for t in b.timeline]
        assert h.waiting == b.waiting

    resumed_at = time.monotonic()
    res = await district.execute_update(
        DistrictElectionWorkflow.control,
        ControlInput("resume", "district", "", "调查结束 / investigation closed", "test"))
    assert len(res.affected) == COMMUNITIES and res.paused == 0
    after = await wait_for(client, did, lambda sts: all(not st.paused for st in sts), 30)
    moved = 0
    for b, a in zip(before, after, strict=True):
        if b.step == 4 and b.waiting is not None and b.waiting.kind == "notice" and a.step == 4 and a.waiting is not None and a.waiting.kind == "notice":
            shift = (datetime.fromisoformat(a.waiting.deadline)
                     - datetime.fromisoformat(b.waiting.deadline)).total_seconds()
            assert HOLD - 0.5 <= shift <= HOLD + (time.monotonic() - resumed_at) + 3, shift
            moved += 1
    assert moved >= 2  # the notice clocks stopped while paused: deadlines moved by the pause

    outcome = await asyncio.wait_for(run, 300)
    assert outcome.result.completed == COMMUNITIES
    plain, paused = by_name(unpaused), by_name(outcome)
    assert set(plain) == set(paused)
    for name in plain:
        assert comparable(paused[name]) == comparable(plain[name]), name
        # the pause and the resume are two more records in each election's audit chain
        assert paused[name]["audit"]["records"] == plain[name]["audit"]["records"] + 2
        assert paused[name]["audit"]["verified"] is True
    eid = district_election_id(did, scenarios()[0]["community"]["id"])
    from services.common.clients import open_channel

    async with open_channel(s.nomination_address, s, "nomination") as channel:
        audit = await nomination_pb2_grpc.NominationStub(channel).ListAudit(
            common_pb2.AuditRequest(election_id=eid))
    kinds = [(r.kind, r.payload_json) for r in audit.records
             if r.kind in ("election.paused", "election.resumed", "election.aborted")]
    assert [k for k, _ in kinds] == ["election.paused", "election.resumed"]
    assert "appeal under investigation" in kinds[0][1]
    assert [c["action"] for c in outcome.result.controls] == ["pause", "resume"]
    _ = nomination_pb2  # the request types live there


async def test_worker_killed_mid_district(stack: EmbeddedStack,
                                          unpaused: DistrictOutcome) -> None:
    s = stack.settings
    client = await Client.connect(s.temporal_address, namespace=s.temporal_namespace)
    did = f"kill-{uuid.uuid4().hex[:6]}"
    # a low history limit makes the district continue as new on the way
    run = asyncio.create_task(run_district(scenarios(), s, district_id=did, day_seconds=DAY,
                                           refresh_seconds=0.5, max_history_events=120))
    await wait_for(client, did, lambda sts: any(st.step >= 4 for st in sts))
    stack.kill("worker")  # SIGKILL: no graceful shutdown
    await asyncio.sleep(2)
    await stack.restart("worker")
    outcome = await asyncio.wait_for(run, 300)
    assert outcome.result.completed == COMMUNITIES, outcome.result
    assert outcome.result.runs >= 2  # continued as new at least once
    plain, killed = by_name(unpaused), by_name(outcome)
    for name in plain:
        assert comparable(killed[name]) == comparable(plain[name]), name
        assert killed[name]["audit"]["records"] == plain[name]["audit"]["records"]
    report, plain_report = outcome.result.report, unpaused.result.report
    for key in ("registrants", "cosigners", "recommendation", "congress_attendance", "funnel",
                "approvals", "completed", "failed"):
        assert report[key] == plain_report[key], key


async def test_pause_and_resume_one_street(stack: EmbeddedStack) -> None:
    """A street paused alone: only its communities stop; a community resumed by itself runs on."""
    s = stack.settings
    client = await Client.connect(s.temporal_address, namespace=s.temporal_namespace)
    did = f"street-{uuid.uuid4().hex[:6]}"
    scs = scenarios()
    run = asyncio.create_task(run_district(scs, s, district_id=did, day_seconds=0.3,
                                           refresh_seconds=0.5))
    district = client.get_workflow_handle(district_workflow_id(did))
    await wait_for(client, did, lambda sts: all(st.step >= 1 for st in sts))
    street = scs[0]["community"]["street"]
    members = [sc["community"]["id"] for sc in scs if sc["community"]["street"] == street]
    res = await district.execute_update(DistrictElectionWorkflow.control, ControlInput(
        "pause", "street", street, "节假日 / holiday", "test"))
    assert sorted(res.affected) == sorted(members)
    res = await district.execute_update(DistrictElectionWorkflow.control, ControlInput(
        "resume", "community", members[0], "提前恢复 / resumed early", "test"))
    assert res.affected == [members[0]] and res.paused == len(members) - 1
    await asyncio.sleep(1.0)
    progress = await district.query(DistrictElectionWorkflow.progress)
    assert progress.paused == len(members) - 1
    await district.execute_update(DistrictElectionWorkflow.control, ControlInput(
        "resume", "street", street, "假期结束 / holiday over", "test"))
    outcome = await asyncio.wait_for(run, 300)
    assert outcome.result.completed == COMMUNITIES
