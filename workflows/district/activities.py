"""Activities of the district workflow: read the children's state, apply a control command
(audit record, then the child's signal) and assemble the district report from the services'
own records. One instance per worker holds the Temporal client and the services' client bundle,
reused by every activity."""

from __future__ import annotations

import asyncio
import json
import statistics
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, TypeVar

from temporalio import activity
from temporalio.client import Client, WorkflowFailureError, WorkflowQueryRejectedError
from temporalio.common import QueryRejectCondition
from temporalio.service import RPCError, RPCStatusCode

from core.config import Settings
from core.ids import election_workflow_id
from core.vocabulary import POSTS
from proto import (
    approval_pb2,
    common_pb2,
    nomination_pb2,
    voting_pb2,
)
from services.common.clients import ServiceCaller, ServiceClients
from services.common.paging import all_audit_records
from workflows.district.types import (
    FINAL,
    PROGRESS_SIGNAL,
    ChildSummary,
    ControlBatch,
    RefreshInput,
    RefreshResult,
    ReportInput,
    summarize,
)
from workflows.election.types import ActorRef, ElectionStatus, ParentSignal, PauseInput

T = TypeVar("T")
FUNNEL_STAGES = (("shortlisted", "shortlisted"), ("inspected", "inspected"),
                 ("candidates", "candidate"), ("elected", "elected"))
PAST = {"pause": "paused", "resume": "resumed", "abort": "aborted"}


async def gather_limited(limit: int, items: list[Any],
                         fn: Callable[[Any], Awaitable[T]]) -> list[T]:
    gate = asyncio.Semaphore(limit)

    async def one(item: Any) -> T:
        async with gate:
            return await fn(item)

    return list(await asyncio.gather(*(one(i) for i in items)))


class DistrictActivities(ServiceCaller):
    def __init__(self, settings: Settings, client: Client,
                 clients: ServiceClients | None = None):
        super().__init__(settings, clients)
        self.client = client

    def all(self) -> list[Callable[..., Any]]:
        return [self.district_refresh, self.district_control, self.district_report,
                self.tell_parent]

    # ---- following the children -----------------------------------------------------------
    @activity.defn(name="district_refresh")
    async def district_refresh(self, inp: RefreshInput) -> RefreshResult:
        async def one(c: ChildSummary) -> ChildSummary:
            activity.heartbeat()  # alive: a killed worker's refresh is retried within seconds
            handle = self.client.get_workflow_handle(election_workflow_id(c.election_id),
                                                     result_type=ElectionStatus)
            try:
                st = await handle.query("status", result_type=ElectionStatus,
                                        reject_condition=QueryRejectCondition.NOT_OPEN,
                                        rpc_timeout=_seconds(10))
                return summarize(c, st)
            except WorkflowQueryRejectedError:
                pass  # closed: read its result (the last event of its history)
            except RPCError:
                return c  # not there yet, or no worker answers right now: next time
            try:
                return summarize(c, await handle.result(rpc_timeout=_seconds(10)))
            except WorkflowFailureError as exc:
                return ChildSummary(**{**c.__dict__, "status": "failed",
                                       "error": str(exc.cause or exc)})
            except RPCError:
                return c

        return RefreshResult(await gather_limited(32, inp.children, one))

    @activity.defn(name="tell_parent")
    async def tell_parent(self, inp: ParentSignal) -> None:
        """A child's progress summary to its district (a local activity of the child): a parent
        that has ended no longer needs it."""
        try:
            await self.client.get_workflow_handle(inp.parent_workflow_id).signal(
                PROGRESS_SIGNAL, inp.summary, rpc_timeout=_seconds(10))
        except RPCError as exc:
            if exc.status != RPCStatusCode.NOT_FOUND:
                raise

    # ---- pause / resume / abort -----------------------------------------------------------
    @activity.defn(name="district_control")
    async def district_control(self, batch: ControlBatch) -> None:
        actor = common_pb2.Actor(role="district_admin", scope=f"district:{batch.district_id}",
                                 name=batch.actor or "district", token_id=batch.token_id)
        # recorded here for every child: the child applies the act without recording it again,
        # and knows the district paused it (CTL2)
        by = ActorRef(actor.role, actor.scope, batch.token_id, actor.name)
        payload = {"reason": batch.reason, "scope": batch.scope,
                   "target": batch.target or batch.district_id, "district": batch.district_id,
                   "actor": batch.actor}

        async def one(t: Any) -> None:
            activity.heartbeat()
            await self.nomination.RecordElectionEvent(nomination_pb2.RecordElectionEventRequest(
                idempotency_key=f"{batch.key}/{t.election_id}", actor=actor,
                election_id=t.election_id, kind=f"election.{PAST[batch.action]}",
                payload_json=json.dumps(payload, ensure_ascii=False, sort_keys=True)))
            handle = self.client.get_workflow_handle(t.workflow_id)
            try:
                await handle.signal(batch.action, PauseInput(
                    reason=batch.reason, actor=batch.actor, by=by, recorded=True))
            except RPCError as exc:  # the election has ended meanwhile: nothing to pause
                if "completed" not in str(exc).lower() and "not found" not in str(exc).lower():
                    raise

        await gather_limited(32, batch.targets, one)

    # ---- the district report --------------------------------------------------------------
    @activity.defn(name="district_report")
    async def district_report(self, inp: ReportInput) -> dict[str, Any]:
        done = 0

        async def one(c: ChildSummary) -> dict[str, Any]:
            nonlocal done
            out = await self.community_figures(c.election_id)
            done += 1
            if done % 25 == 0:
                activity.heartbeat(done)
            return out

        per = await gather_limited(16, inp.children, one)
        return assemble_report(inp.children, per)

    async def community_figures(self, election_id: str) -> dict[str, Any]:
        """One community's figures, read from the services' records."""
        n, v, a = self.nomination, self.voting, self.approval
        regs, rec, congress, approvals, audit = await asyncio.gather(
            n.ListRegistrations(nomination_pb2.ListRegistrationsRequest(election_id=election_id)),
            v.ListMeetings(voting_pb2.ListMeetingsRequest(election_id=election_id,
                                                         kind="recommendation")),
            v.ListMeetings(voting_pb2.ListMeetingsRequest(election_id=election_id,
                                                         kind="congress")),
            a.ListApprovals(approval_pb2.ListApprovalsRequest(election_id=election_id)),
            all_audit_records(n, election_id))
        channels = {"self": 0, "joint": 0, "organization": 0}
        for r in regs.registrations:
            channels[r.channel] = channels.get(r.channel, 0) + 1
        stages: dict[str, dict[str, int]] = {p: {} for p in POSTS}
        for record in audit:
            if record.kind != "stage.advanced":
                continue
            payload = json.loads(record.payload_json)
            post, stage = payload.get("post"), payload.get("stage")
            if post in stages:  # the latest decision for the post stands
                stages[post][stage] = len(payload.get("person_ids", []))
        rec_meetings = [m for m in rec.meetings if m.status != "checking_in"]
        sessions = sorted((m for m in congress.meetings if m.quorum_met), key=lambda m: m.session)
        last = sessions[-1] if sessions else None
        return {
            "election_id": election_id,
            "registrants": {**channels, "total": len(regs.registrations),
                            "passed": sum(1 for r in regs.registrations if r.review == "approved")},
            "cosigners": sum(r.cosigners for r in regs.registrations),
            "non_voting_participants": sum(m.present_others for m in rec_meetings),
            "member_attendance": (rec_meetings[-1].present_members / rec_meetings[-1].expected
                                  if rec_meetings and rec_meetings[-1].expected else None),
            "congress_attendance": (last.present_members / last.expected
                                    if last is not None and last.expected else None),
            "funnel": {p: {key: stages[p].get(stage, 0) for key, stage in FUNNEL_STAGES}
                       for p in POSTS if stages[p]},
            "approvals": {s: sum(1 for x in approvals.approvals if x.status == s)
                          for s in ("approved", "rejected", "filed", "pending")},
        }


def _seconds(s: float) -> Any:
    from datetime import timedelta

    return timedelta(seconds=s)


def _parse(ts: str) -> datetime | None:
    try:
        return datetime.fromisoformat(ts) if ts else None
    except ValueError:
        return None


def assemble_report(children: list[ChildSummary], per: list[dict[str, Any]]) -> dict[str, Any]:
    """The district report (the demo's --json), summed over the communities' figures."""
    reg = {"total": 0, "self": 0, "joint": 0, "organization": 0, "passed": 0}
    funnel: dict[str, dict[str, int]] = {}
    funnel_min: dict[str, dict[str, int]] = {}
    approvals = {"approved": 0, "rejected": 0, "filed": 0, "pending": 0}
    member_att, congress_att = [], []
    cosigners = non_voting = 0
    streets: dict[str, dict[str, Any]] = {}
    communities = []
    for c, f in zip(children, per, strict=True):
        for k in reg:
            reg[k] += f["registrants"].get(k, 0)
        cosigners += f["cosigners"]
        non_voting += f["non_voting_participants"]
        if f["member_attendance"] is not None:
            member_att.append(f["member_attendance"])
        if f["congress_attendance"] is not None:
            congress_att.append(f["congress_attendance"])
        for post, stages in f["funnel"].items():
            tot = funnel.setdefault(post, {k: 0 for k, _ in FUNNEL_STAGES})
            low = funnel_min.setdefault(post, dict(stages))
            for k, value in stages.items():
                tot[k] += value
                low[k] = min(low[k], value)
        for k in approvals:
            approvals[k] += f["approvals"].get(k, 0)
        st = streets.setdefault(c.street_id, {"communities": 0, "completed": 0, "failed": 0,
                                              "aborted": 0, "attendance": []})
        st["communities"] += 1
        key = c.status if c.status in ("completed", "aborted") else "failed"
        st[key] += 1
        if f["congress_attendance"] is not None:
            st["attendance"].append(f["congress_attendance"])
        communities.append({"community_id": c.community_id, "street_id": c.street_id,
                            "election_id": c.election_id, "status": c.status,
                            "congress_attendance": _r(f["congress_attendance"]),
                            "registrants": f["registrants"]["total"],
                            "started_at": c.started_at, "ended_at": c.ended_at,
                            "funnel": f["funnel"]})
    for st in streets.values():
        values = st.pop("attendance")
        st["congress_attendance_mean"] = _r(statistics.mean(values)) if values else None
    starts = [t for t in (_parse(c.started_at) for c in children) if t]
    ends = [t for t in (_parse(c.ended_at) for c in children) if t]
    elapsed = (max(ends) - min(starts)).total_seconds() if starts and ends else 0.0
    order = {p: i for i, p in enumerate(POSTS)}
    return {
        "communities": len(children),
        "completed": sum(1 for c in children if c.status == "completed"),
        "failed": sum(1 for c in children if c.status not in ("completed", "aborted")),
        "aborted": sum(1 for c in children if c.status == "aborted"),
        "registrants": reg,
        "cosigners": cosigners,
        "recommendation": {"non_voting_participants": non_voting,
                           "member_attendance_mean": _r(statistics.mean(member_att))
                           if member_att else None},
        "congress_attendance": {"mean": _r(statistics.mean(congress_att)) if congress_att else None,
                                "max": _r(max(congress_att)) if congress_att else None,
                                "min": _r(min(congress_att)) if congress_att else None},
        "funnel": dict(sorted(funnel.items(), key=lambda kv: order.get(kv[0], 9))),
        "funnel_min_per_community": dict(sorted(funnel_min.items(),
                                                key=lambda kv: order.get(kv[0], 9))),
        "approvals": approvals,
        "elapsed_s": round(elapsed, 2),
        "streets": dict(sorted(streets.items())),
        "per_community": communities,
        "final_statuses": sorted({c.status for c in children if c.status in FINAL}),
    }


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 4)

