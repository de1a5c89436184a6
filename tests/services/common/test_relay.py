"""The outbox relay on a real outbox table (SQLite, or PostgreSQL in the suite's PostgreSQL
pass), with a stand-in for Temporal's client (a unit test of relay.py): a wake-up that keeps
failing stays in the outbox and is retried on its own with a growing backoff, counted, while
the others are delivered and deleted."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, insert, select

from services.approval.models import MODELS, Base
from services.common.db import Database
from services.common.metrics import WAKE_SIGNALS_FAILED
from services.common.migrate import upgrade
from services.common.relay import RelayStalled, SignalRelay


class Client:
    """Temporal's client as the relay uses it: ``get_workflow_handle(id).signal(name, arg)``."""

    def __init__(self, stuck: set[str]):
        self.stuck = stuck
        self.signalled: list[str] = []

    def get_workflow_handle(self, workflow_id: str) -> Any:
        client = self

        class Handle:
            async def signal(self, name: str, reason: str) -> None:
                if workflow_id in client.stuck:
                    raise RuntimeError("history size exceeds the limit")
                client.signalled.append(workflow_id)

        return Handle()


@pytest.fixture
async def db(tmp_path: Path, service_database_url: str) -> AsyncIterator[Database]:
    url = service_database_url or f"sqlite+aiosqlite:///{tmp_path / 'approval.db'}"
    found = Database(url, Base, schema="approval")
    await upgrade(found, "approval")
    yield found
    await found.dispose()


async def queue(db: Database, *workflows: str) -> None:
    async with db.write() as session:
        await session.execute(insert(MODELS.outbox), [
            {"workflow_id": w, "reason": "test"}
            for w in workflows])


async def waiting(db: Database) -> dict[str, int]:
    async with db.read() as session:
        rows = (await session.execute(select(MODELS.outbox.workflow_id, func.count())
                                      .group_by(MODELS.outbox.workflow_id))).all()
    return {w: int(n) for w, n in rows}


async def test_a_stuck_wake_up_does_not_hold_back_the_others(db: Database) -> None:
    relay = SignalRelay(db, MODELS.outbox, "127.0.0.1:1", "default", service="test",
                        first_backoff=30, max_backoff=120)
    client = Client(stuck={"wf-stuck"})
    relay._client = client  # type: ignore[assignment]
    failed = WAKE_SIGNALS_FAILED.labels("test")._value.get()
    await queue(db, "wf-stuck", "wf-1", "wf-stuck", "wf-2")
    assert await relay.deliver_pending() == 2
    assert sorted(client.signalled) == ["wf-1", "wf-2"]
    assert await waiting(db) == {"wf-stuck": 2}  # kept, not lost
    assert WAKE_SIGNALS_FAILED.labels("test")._value.get() == failed + 1
    # while its backoff runs the stuck workflow is not tried; new wake-ups go out at once
    await queue(db, "wf-3", "wf-stuck")
    assert await relay.deliver_pending() == 1
    assert client.signalled[-1] == "wf-3" and await waiting(db) == {"wf-stuck": 3}
    assert 25 < (relay.next_retry() or 0) <= 30
    # its backoff over, it is tried again (and fails again: the backoff doubles)
    relay._held["wf-stuck"] = (1, 0.0)
    with pytest.raises(RelayStalled):
        await relay.deliver_pending()
    assert relay._held["wf-stuck"][0] == 2 and 55 < (relay.next_retry() or 0) <= 60
    # once it goes through, its rows go and it is held no more
    client.stuck.clear()
    relay._held["wf-stuck"] = (2, 0.0)
    assert await relay.deliver_pending() == 3
    assert await waiting(db) == {} and relay.next_retry() is None
