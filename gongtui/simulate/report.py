"""The scenario output (docs/scenarios.md, "Output"), read back from the services' records."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from core.vocabulary import POSTS
from gongtui.simulate.driver import Play
from proto import approval_pb2, common_pb2, nomination_pb2, voting_pb2
from services.common.paging import all_audit_records

STAGE_KEYS = (("shortlist", "shortlisted"), ("inspected", "inspected"), ("candidates", "candidate"))


async def build_output(play: Play) -> dict[str, Any]:
    c = play.clients
    eid = play.election_id
    status = play.status
    out: dict[str, Any] = {"scenario": play.scenario["name"]}

    if play.error:
        out["status"] = "failed"
    elif play.waiting_for is not None:
        out["status"] = "waiting"
    elif status is not None and status.status == "completed":
        out["status"] = "completed"
    else:
        out["status"] = "failed"
    out["waiting_for"] = play.waiting_for
    if play.notes and out["status"] == "waiting":
        out["refused"] = list(play.notes)
    if out["status"] == "failed":
        out["error"] = play.error or (status.error if status else "no status")
    out["steps"] = [{"step": s.step, "name": s.name, "status": s.status}
                    for s in (status.timeline if status else [])]

    regs = (await c.nomination.ListRegistrations(
        nomination_pb2.ListRegistrationsRequest(election_id=eid))).registrations
    channels = {"self": 0, "joint": 0, "organization": 0}
    for r in regs:
        channels[r.channel] = channels.get(r.channel, 0) + 1
    out["registrants"] = {
        **channels,
        "passed": sum(1 for r in regs if r.review == "approved"),
        "rejected": [{"name": r.name, "post": r.post, "rule": r.rejected_rule}
                     for r in regs if r.rejected_rule],
    }

    names = {r.person_id: r.name for r in regs}
    audit = await all_audit_records(c.nomination, eid)
    stages: dict[str, dict[str, list[str]]] = {stage: {} for _, stage in STAGE_KEYS}
    elected: dict[str, list[str]] = {}
    for record in audit:
        if record.kind != "stage.advanced":
            continue
        payload = json.loads(record.payload_json)
        stage, post = payload.get("stage"), payload.get("post")
        people = [names.get(p, p) for p in payload.get("person_ids", [])]
        if stage in stages:
            stages[stage][post] = people  # the latest decision for the post stands
        elif stage == "elected":
            elected[post] = people
    for key, stage in STAGE_KEYS:
        out[key] = _ordered(stages[stage])

    congress = await _meetings(play, "congress", names)
    out["congress"] = congress
    plenary = await _meetings(play, "plenary", names)
    if plenary["sessions"]:
        out["plenary"] = plenary  # P7 national: the first plenary of the new committee
        for r in plenary["rounds"]:
            if r["elected"]:
                elected[r["post"]] = elected.get(r["post"], []) + r["elected"]
    out["elected"] = _ordered(elected)

    approvals = (await c.approval.ListApprovals(
        approval_pb2.ListApprovalsRequest(election_id=eid))).approvals
    by_post: dict[str, dict[str, str]] = {}
    for a in approvals:
        by_post.setdefault(a.post, {})[a.name] = a.status
    out["approvals"] = _ordered(by_post)

    reports = [await c.nomination.VerifyAudit(common_pb2.AuditRequest(election_id=eid)),
               await c.voting.VerifyAudit(common_pb2.AuditRequest(election_id=eid)),
               await c.approval.VerifyAudit(common_pb2.AuditRequest(election_id=eid))]
    head = hashlib.sha256("|".join(f"{r.service}:{r.head}" for r in reports).encode()).hexdigest()
    out["audit"] = {"records": sum(r.records for r in reports), "head": f"sha256:{head}",
                    "verified": all(r.verified for r in reports)}
    return out


def _ordered(by_post: dict[str, Any]) -> dict[str, Any]:
    return {p: by_post[p] for p in sorted(by_post, key=lambda p: POSTS.index(p)
                                          if p in POSTS else 9)}


async def _meetings(play: Play, kind: str, names: dict[str, str]) -> dict[str, Any]:
    meetings = (await play.clients.voting.ListMeetings(voting_pb2.ListMeetingsRequest(
        election_id=play.election_id, kind=kind))).meetings
    sessions, rounds = [], []
    for m in sorted(meetings, key=lambda m: m.session):
        if m.status == "checking_in":
            continue
        entry: dict[str, Any] = {"session": m.session, "expected": m.expected,
                                 "present": m.present_members, "quorum_met": m.quorum_met}
        if not m.quorum_met:
            entry["rule"] = m.quorum_rule or "M1"
        sessions.append(entry)
        for r in sorted(m.rounds, key=lambda r: r.number):
            if r.status != "counted":
                continue
            rounds.append({
                "session": m.session, "post": r.post, "kind": r.kind, "void": r.void,
                "valid": r.valid, "invalid": r.invalid,
                "for": {t.name or names.get(t.person_id, t.person_id): t.votes_for
                        for t in r.tally},
                "elected": [names.get(p, p) for p in r.elected], "rules": list(r.rules)})
    return {"sessions": sessions, "rounds": rounds}
