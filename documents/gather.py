"""The facts of an election, read over gRPC from the three services with RPCs they already
have. The caller passes its own stubs (nomination, voting, approval), so the documents use
whatever client bundle — channels, credentials, deadlines — the caller has.

The term of office is the election's profile (P6, with its overrides); the meeting's details
(who presided and took the minutes, place and time) are the voting service's. The street's
name is in the API's registry, not in a service: the caller passes it (``street_name``).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import grpc

from documents.facts import (
    Approval,
    AuditRecord,
    AuditSegment,
    Candidate,
    ElectionFacts,
    Meeting,
    Notice,
    NoticeDigest,
    NoticeHead,
    PostPlan,
    Round,
    Stage,
    TallyLine,
    WriteIn,
)
from proto import approval_pb2, common_pb2, nomination_pb2, voting_pb2
from rules.loading import profile_from_json
from services.common.signing import fingerprint

SERVICES = ("nomination", "voting", "approval")
FUNNEL_STAGES = ("shortlisted", "inspected", "candidate", "elected", "approved", "filed")
NOTICE_LIMIT = 1000


def _round(r: Any) -> Round:
    return Round(
        round_id=r.round_id, post=r.post, kind=r.kind, number=r.number, seats=r.seats,
        candidates=tuple(Candidate(c.person_id, c.name) for c in r.candidates),
        status=r.status, issued=r.issued, returned=r.returned, valid=r.valid,
        invalid=r.invalid, void=r.void,
        tally=tuple(TallyLine(t.person_id, t.name, t.votes_for, t.votes_against,
                              t.votes_abstain) for t in r.tally),
        elected=tuple(r.elected), tied=tuple(r.tied), unfilled=r.unfilled,
        rules=tuple(r.rules), ballot_box_digest=r.ballot_box_digest,
        write_ins=tuple(WriteIn(w.name, w.votes) for w in r.write_ins), source=r.source,
        official=r.official, tally_entered_by=r.tally_entered_by,
        tally_confirmed_by=r.tally_confirmed_by, codes_cast=r.codes_cast,
        codes_void=r.codes_void)


def _meeting(m: Any) -> Meeting:
    return Meeting(
        meeting_id=m.meeting_id, kind=m.kind, session=m.session, status=m.status,
        expected=m.expected, present_members=m.present_members,
        present_others=m.present_others, quorum_met=m.quorum_met, quorum_rule=m.quorum_rule,
        rounds=tuple(_round(r) for r in sorted(m.rounds, key=lambda r: r.number)),
        presided_by=m.details.presided_by, recorded_by=m.details.recorded_by,
        place=m.details.place, held_at=m.details.held_at)


def chain_head(reports: list[Any]) -> str:
    """The election's head over the three services' segments (as the scenario output has it)."""
    text = "|".join(f"{r.service}:{r.head}" for r in reports)
    return f"sha256:{hashlib.sha256(text.encode()).hexdigest()}"


async def gather(election_id: str, nomination: Any, voting: Any, approval: Any,
                 notice_board_url: str = "", street_name: str = "") -> ElectionFacts:
    """Everything the documents print about ``election_id``, from the services' stubs."""
    audit_req = common_pb2.AuditRequest(election_id=election_id)
    election = await nomination.GetElection(
        nomination_pb2.GetElectionRequest(election_id=election_id))
    try:
        plan = await nomination.GetPlan(nomination_pb2.GetPlanRequest(election_id=election_id))
    except grpc.aio.AioRpcError as exc:
        if exc.code() != grpc.StatusCode.NOT_FOUND:
            raise
        plan = nomination_pb2.Plan(election_id=election_id)  # before step 1: no posts yet
    regs = (await nomination.ListRegistrations(
        nomination_pb2.ListRegistrationsRequest(election_id=election_id))).registrations
    names = {r.person_id: r.name for r in regs}

    stubs = {"nomination": nomination, "voting": voting, "approval": approval}
    reports = [await stubs[s].VerifyAudit(audit_req) for s in SERVICES]
    records: list[AuditRecord] = []
    funnel: dict[tuple[str, str], tuple[str, ...]] = {}
    for service in SERVICES:
        listed = (await stubs[service].ListAudit(audit_req)).records
        for rec in listed:
            records.append(AuditRecord(service, rec.seq, rec.kind, rec.payload_json,
                                       rec.actor_role, rec.actor_scope, rec.prev_hash,
                                       rec.hash, rec.created_at))
            if service == "nomination" and rec.kind == "stage.advanced":
                payload = json.loads(rec.payload_json)
                if payload.get("stage") in FUNNEL_STAGES:
                    # the latest decision for a post and stage stands
                    funnel[(payload.get("post", ""), payload["stage"])] = tuple(
                        names.get(p, p) for p in payload.get("person_ids", []))

    meetings = (await voting.ListMeetings(
        voting_pb2.ListMeetingsRequest(election_id=election_id))).meetings
    notices = (await nomination.ListNotices(nomination_pb2.ListNoticesRequest(
        election_id=election_id, limit=NOTICE_LIMIT))).notices
    approvals = (await approval.ListApprovals(
        approval_pb2.ListApprovalsRequest(election_id=election_id))).approvals

    return ElectionFacts(
        election_id=election.election_id, community_id=election.community_id,
        community_name=election.community_name, org_type=election.org_type,
        street_id=election.street_id, district_id=election.district_id,
        profile=election.profile, created_at=election.created_at,
        full_members=plan.full_members,
        posts=tuple(PostPlan(p.post, p.seats, p.shortlist, p.inspected, p.candidates)
                    for p in plan.posts),
        funnel=tuple(Stage(post, stage, people) for (post, stage), people in funnel.items()),
        registrants=len(regs), qualified=sum(1 for r in regs if r.review == "approved"),
        meetings=tuple(_meeting(m) for m in meetings),
        # oldest first: the service lists the newest first
        notices=tuple(Notice(n.kind, n.title, n.body, tuple(n.names), n.days, n.published_at,
                             n.closed_at,
                             tuple(NoticeHead(h.service, int(h.seq), h.head,
                                              fingerprint(h.public_key)) for h in n.heads),
                             tuple(NoticeDigest(d.post, d.number, d.digest) for d in n.digests))
                      for n in sorted(notices, key=lambda n: (n.published_at, n.notice_id))),
        approvals=tuple(Approval(a.post, a.person_id, a.name, a.kind, a.status, a.committee_id,
                                 a.reason, a.attempt, a.requested_at, a.decided_at)
                        for a in approvals),
        audit=tuple(AuditSegment(r.service, r.records, r.head, r.verified) for r in reports),
        audit_records=tuple(records),
        chain_head=chain_head(reports),
        notice_board_url=notice_board_url, street_name=street_name,
        term_years=int(profile_from_json(election.profile, election.overrides_json)
                       ["term_years"]) if election.profile else 0)
