"""Worker metrics: an activity interceptor (durations, failures, log context) and a workflow
interceptor that records each election step's duration when the step ends.

Step durations are recorded through the workflow's metric meter (which Temporal skips on
replay, so a step is counted once however often its history is replayed) into a metric
buffer of the worker's runtime, and copied from there into the Prometheus registry served
on /metrics.
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime
from typing import Any

from temporalio import activity, workflow
from temporalio.runtime import MetricBuffer, MetricBufferDurationFormat, Runtime, TelemetryConfig
from temporalio.worker import (
    ActivityInboundInterceptor,
    ExecuteActivityInput,
    ExecuteWorkflowInput,
    Interceptor,
    StartActivityInput,
    WorkflowInboundInterceptor,
    WorkflowInterceptorClassInput,
    WorkflowOutboundInterceptor,
)

from services.common.metrics import ACTIVITIES_FAILED, ACTIVITY_DURATION, WORKFLOW_STEP_DURATION

STEP_METRIC = "gongtui_workflow_step_seconds"


class _Activities(ActivityInboundInterceptor):
    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        from services.common.logs import bind, ids_of

        name = activity.info().activity_type
        election = community = ""
        for arg in input.args:
            election, community = ids_of(arg)
            if election or community:
                break
        if not election:
            election = activity.info().workflow_id or ""
        unbind = bind(election, community)
        start = time.perf_counter()
        outcome = "ok"
        try:
            return await self.next.execute_activity(input)
        except BaseException:
            outcome = "failed"
            ACTIVITIES_FAILED.labels(name).inc()
            raise
        finally:
            ACTIVITY_DURATION.labels(name, outcome).observe(time.perf_counter() - start)
            unbind()


def _record_steps() -> None:
    """Record the steps that ended since the last look (the workflow's own timeline)."""
    try:
        inst = workflow.instance()
    except Exception:  # noqa: BLE001 - not a workflow context
        return
    # the election workflow keeps its timeline in its state dataclass (``inst.s``)
    state = getattr(inst, "s", None)
    timeline = getattr(state, "timeline", None) or getattr(inst, "_timeline", None)
    if not timeline:
        return
    seen: set[int] = inst.__dict__.setdefault("_gongtui_steps_recorded", set())
    for rec in timeline:
        if getattr(rec, "status", "") != "done" or rec.step in seen:
            continue
        seen.add(rec.step)
        try:
            seconds = (datetime.fromisoformat(rec.ended_at)
                       - datetime.fromisoformat(rec.started_at)).total_seconds()
        except (TypeError, ValueError):
            continue
        workflow.metric_meter().create_histogram_float(
            STEP_METRIC, "step duration", "s").record(
            max(0.0, seconds), {"step": f"{rec.step}-{rec.name}"})


class _Outbound(WorkflowOutboundInterceptor):
    def start_activity(self, input: StartActivityInput) -> Any:
        _record_steps()
        return self.next.start_activity(input)


class _Inbound(WorkflowInboundInterceptor):
    def init(self, outbound: WorkflowOutboundInterceptor) -> None:
        self.next.init(_Outbound(outbound))

    async def execute_workflow(self, input: ExecuteWorkflowInput) -> Any:
        try:
            return await self.next.execute_workflow(input)
        finally:
            _record_steps()


class MetricsInterceptor(Interceptor):
    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _Activities(next)

    def workflow_interceptor_class(self, input: WorkflowInterceptorClassInput
                                   ) -> type[WorkflowInboundInterceptor] | None:
        return _Inbound


def metrics_runtime() -> tuple[Runtime, MetricBuffer]:
    buffer = MetricBuffer(10_000, duration_format=MetricBufferDurationFormat.SECONDS)
    return Runtime(telemetry=TelemetryConfig(metrics=buffer)), buffer


async def copy_buffer(buffer: MetricBuffer, every: float = 1.0) -> None:
    """Copy the step durations recorded by workflows into the Prometheus registry."""
    while True:
        for update in buffer.retrieve_updates():
            if update.metric.name == STEP_METRIC:
                step = str(update.attributes.get("step", ""))
                WORKFLOW_STEP_DURATION.labels(step).observe(float(update.value))
        await asyncio.sleep(every)
