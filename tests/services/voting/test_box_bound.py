"""The ballot box's queue is bounded: a flood of casts beyond it is answered RESOURCE_EXHAUSTED
at once instead of queueing in front of the one writer, and the box serves on afterwards."""

from __future__ import annotations

import asyncio
import secrets
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import grpc
import pytest

from core.config import Settings
from proto import voting_pb2 as pb
from proto import voting_pb2_grpc
from services.voting import server
from services.voting.ballot_box import BallotBox
from tests.conftest import service_probe
from tests.services.voting.support import (
    OFFICE,
    Service,
    congress,
    free_port,
    key,
    open_casting,
    open_round,
)


@pytest.fixture
async def tight(tmp_path: Path, service_database_url: str) -> AsyncIterator[Service]:
    address = f"127.0.0.1:{free_port()}"
    settings = Settings(data_dir=tmp_path, voting_address=address, temporal_address="",
                        database_url=service_database_url, ballot_box_max_pending=2)
    ready, stop = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(server.main(settings, ready, stop))
    await asyncio.wait_for(ready.wait(), timeout=30)
    async with grpc.aio.insecure_channel(address) as channel:
        yield Service(voting_pb2_grpc.VotingStub(channel), service_probe(settings, "voting"))
    stop.set()
    await asyncio.wait_for(task, timeout=30)


async def test_a_flood_beyond_the_queue_is_refused_and_real_casts_go_on(
        tight: Service, monkeypatch: pytest.MonkeyPatch) -> None:
    meeting = await congress(tight, expected=5, present=5)
    rnd = await open_round(tight, meeting.meeting_id)
    issued = await tight.stub.IssueBallots(pb.IssueBallotsRequest(
        idempotency_key=key(), actor=OFFICE, round_id=rnd.round_id,
        person_ids=[f"m{i:03d}" for i in range(1, 6)]))
    await open_casting(tight, rnd.round_id)

    async def cast(code: str) -> str:
        try:
            await tight.stub.CastBallot(pb.CastBallotRequest(
                round_id=rnd.round_id, code=code,
                marks=[pb.Mark(person_id="c-wang", choice="for")]))
        except grpc.aio.AioRpcError as exc:
            return exc.code().name
        return "OK"

    real, *others = issued.codes
    # the writer held on its first batch (the service runs in this event loop), as a slow
    # disk would hold it: what comes meanwhile queues
    gate = asyncio.Event()
    write = BallotBox._write

    async def held(self: BallotBox, batch: list[Any]) -> list[Any]:
        await gate.wait()
        return await write(self, batch)

    monkeypatch.setattr(BallotBox, "_write", held)
    first = asyncio.ensure_future(cast(real))
    await asyncio.sleep(0.2)
    flood = [asyncio.ensure_future(cast(secrets.token_urlsafe(24))) for _ in range(50)]
    try:
        done, waiting = await asyncio.wait(flood, timeout=1)
    finally:
        gate.set()
    refused = Counter(t.result() for t in done)
    # two wait: the held cast and one queued behind it
    assert refused == {"RESOURCE_EXHAUSTED": 49} and len(waiting) == 1, refused
    assert await first == "OK"
    assert {await t for t in waiting} == {"NOT_FOUND"}
    # the box drained and takes every real cast, one after the other
    assert [await cast(code) for code in others] == ["OK"] * 4
    assert tight.count("SELECT count(*) FROM ballots WHERE round_id = ?", rnd.round_id) == 5
