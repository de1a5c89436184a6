"""Rows to the nomination contract's messages (and the one timestamp format they carry)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from google.protobuf.json_format import ParseDict

from proto import common_pb2, nomination_pb2
from services.common.anchors import head_from_dict
from services.nomination.models import (
    CosignatureRow,
    ElectionRow,
    ObjectionRow,
    PersonRow,
    PlanRow,
)


def iso(value: datetime | None) -> str:
    """ISO 8601 in UTC; SQLite hands back naive datetimes for what was stored as UTC."""
    if value is None:
        return ""
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()


def election_message(row: ElectionRow) -> nomination_pb2.Election:
    return nomination_pb2.Election(
        election_id=row.election_id, community_id=row.community_id,
        community_name=row.community_name, org_type=row.org_type, street_id=row.street_id,
        district_id=row.district_id, profile=row.profile, overrides_json=row.overrides_json,
        workflow_id=row.workflow_id, window_status=row.window_status,
        created_at=iso(row.created_at))


def person_message(row: PersonRow) -> nomination_pb2.Person:
    return nomination_pb2.Person(
        person_id=row.person_id, name=row.name, status=row.status,
        excluded_reason=row.excluded_reason, party_years=row.party_years, age=row.age,
        resides_in_community=row.resides_in_community,
        exclusion_consent=row.exclusion_consent or "",
        exclusion_decided_by=row.exclusion_decided_by or "")


def plan_message(row: PlanRow) -> nomination_pb2.Plan:
    return nomination_pb2.Plan(
        election_id=row.election_id,
        posts=[nomination_pb2.PostPlan(**p) for p in json.loads(row.posts_json)],
        status=row.status, decided_reason=row.decided_reason, full_members=row.full_members)


def registration_message(row: Any, name: str) -> nomination_pb2.Registration:
    return nomination_pb2.Registration(
        registration_id=row.registration_id, election_id=row.election_id,
        person_id=row.person_id, name=name, post=row.post, channel=row.channel, stage=row.stage,
        review=row.review, rejected_rule=row.rejected_rule, reason=row.reason,
        cosigners=row.cosigners, member_cosigners=row.member_cosigners, rank=row.rank,
        held=row.held)


def cosignature_message(row: CosignatureRow) -> nomination_pb2.Cosignature:
    return nomination_pb2.Cosignature(registration_id=row.registration_id,
                                      cosigner_person_id=row.cosigner_person_id,
                                      withdrawn=row.withdrawn)


def inspection_message(row: Any) -> nomination_pb2.Inspection:
    return nomination_pb2.Inspection(election_id=row.election_id, post=row.post,
                                     person_id=row.person_id, passed=row.passed,
                                     report=row.report)


def notice_message(row: Any) -> nomination_pb2.Notice:
    return nomination_pb2.Notice(
        notice_id=row.notice_id, election_id=row.election_id, kind=row.kind, title=row.title,
        body=row.body, names=json.loads(row.names_json), days=row.days,
        published_at=iso(row.published_at), community_name=row.community_name,
        closed_at=iso(getattr(row, "closed_at", None)),
        heads=[head_from_dict(h) for h in json.loads(getattr(row, "heads_json", "[]"))],
        digests=[ParseDict(d, nomination_pb2.RoundDigest())
                 for d in json.loads(getattr(row, "digests_json", "[]"))])


def objection_message(row: ObjectionRow) -> nomination_pb2.Objection:
    return nomination_pb2.Objection(
        objection_id=row.objection_id, election_id=row.election_id, notice_kind=row.notice_kind,
        person_id=row.person_id, post=row.post, reason=row.reason, status=row.status,
        decision_reason=row.decision_reason)


def audit_record_message(row: Any) -> common_pb2.AuditRecord:
    return common_pb2.AuditRecord(seq=row.seq, kind=row.kind, payload_json=row.payload_json,
                                  actor_role=row.actor_role, actor_scope=row.actor_scope,
                                  prev_hash=row.prev_hash, hash=row.hash,
                                  created_at=row.created_at)
