"""The election worker: ``gongtui serve worker`` or ``python -m workflows.election.worker``."""

from __future__ import annotations

import asyncio
import logging
import signal
from datetime import timedelta

from temporalio.client import Client
from temporalio.worker import Worker

from gongtui.config import Settings, get_settings
from workflows.election.activities import ElectionActivities
from workflows.election.workflows import CommunityElectionWorkflow

log = logging.getLogger(__name__)

WORKFLOWS: list[type] = [CommunityElectionWorkflow]


async def run_worker(settings: Settings | None = None, stop_event: asyncio.Event | None = None,
                     ready: asyncio.Event | None = None) -> None:
    settings = settings or get_settings()
    client = await Client.connect(settings.temporal_address, namespace=settings.temporal_namespace)
    activities = ElectionActivities(settings)
    stop = stop_event or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):
            pass
    worker = Worker(client, task_queue=settings.task_queue, workflows=WORKFLOWS,
                    activities=activities.all(),
                    max_cached_workflows=settings.max_cached_workflows,
                    max_concurrent_activities=settings.max_concurrent_activities,
                    graceful_shutdown_timeout=timedelta(seconds=5))
    async with worker:
        log.info("worker polling %s on %s", settings.task_queue, settings.temporal_address)
        if ready is not None:
            ready.set()
        await stop.wait()
    await activities.close()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(run_worker())
