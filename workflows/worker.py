"""The worker of the elections and districts: ``gongtui serve worker`` or
``python -m workflows.worker``. It runs the production workflows only; the benchmark's
no-op workflows have a worker of their own (``gongtui bench district``)."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from temporalio.client import Client
from temporalio.worker import Worker

from core.config import Settings, get_settings
from core.shutdown import stop_on_signals
from services.common.clients import ServiceClients
from workflows.district.activities import DistrictActivities
from workflows.district.workflows import DistrictElectionWorkflow
from workflows.election.activities import ElectionActivities
from workflows.election.workflows import CommunityElectionWorkflow

log = logging.getLogger(__name__)

WORKFLOWS: list[type] = [CommunityElectionWorkflow, DistrictElectionWorkflow]


async def run_worker(settings: Settings | None = None, stop_event: asyncio.Event | None = None,
                     ready: asyncio.Event | None = None) -> None:
    settings = settings or get_settings()
    from services.common.metrics import Probe, serve_metrics
    from services.common.worker_metrics import MetricsInterceptor, copy_buffer, metrics_runtime

    runtime, buffer = metrics_runtime()
    client = await Client.connect(settings.temporal_address, namespace=settings.temporal_namespace,
                                  runtime=runtime)
    probe = Probe()
    metrics = (await serve_metrics(settings.metrics_host, settings.metrics_port, probe)
               if settings.metrics_port else None)
    copier = asyncio.create_task(copy_buffer(buffer))
    clients = ServiceClients(settings)  # one bundle for both activity classes
    activities = ElectionActivities(settings, clients)
    district = DistrictActivities(settings, client, clients)
    worker = Worker(client, task_queue=settings.task_queue, workflows=WORKFLOWS,
                    activities=[*activities.all(), *district.all()],
                    max_cached_workflows=settings.max_cached_workflows,
                    max_concurrent_activities=settings.max_concurrent_activities,
                    # the elections' activities run as local activities (workflows.py)
                    max_concurrent_local_activities=settings.max_concurrent_activities,
                    interceptors=[MetricsInterceptor()],
                    graceful_shutdown_timeout=timedelta(seconds=settings.shutdown_grace_seconds))
    with stop_on_signals(stop_event) as stop:
        async with worker:
            log.info("worker polling %s on %s", settings.task_queue, settings.temporal_address)
            probe.ready = True
            if ready is not None:
                ready.set()
            await stop.wait()
            probe.ready = False  # in-flight activities finish (graceful_shutdown_timeout)
    await clients.close()
    copier.cancel()
    if metrics is not None:
        metrics.close()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(run_worker())
