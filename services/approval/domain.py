"""Approval requests and decisions (A1, A3)."""

from __future__ import annotations

import hashlib
from datetime import datetime
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import Table, select, update

import rules
from core.vocabulary import POSTS
from proto import approval_pb2
from services.approval.models import ApprovalRequestRow
from services.common.errors import FailedPrecondition, InvalidArgument, NotFound, PermissionDenied
from services.common.store import Store, Tx, utcnow

_A = cast(Table, ApprovalRequestRow.__table__)  # typed as a FromClause


def _stamp(value: datetime | None) -> str:
    """ISO 8601 as the database hands it back (SQLite: without the UTC offset)."""
    return value.isoformat() if value else ""


def to_message(row: Any) -> approval_pb2.ApprovalRequest:
    return approval_pb2.ApprovalRequest(
        approval_id=row.approval_id, election_id=row.election_id, community_id=row.community_id,
        street_id=row.street_id, committee_id=row.committee_id, post=row.post,
        person_id=row.person_id, name=row.name, kind=row.kind, status=row.status,
        reason=row.reason, attempt=row.attempt,
        requested_at=_stamp(row.requested_at), decided_at=_stamp(row.decided_at))


def scope_covers(scope: str, committee_id: str) -> bool:
    """A3: an approver decides only for the communities under its own committee."""
    kind, _, value = scope.partition(":")
    if kind == "district":
        return True
    return kind in ("street", "committee") and value == committee_id


class ApprovalDomain:
    def __init__(self, store: Store):
        self.store = store

    async def request(self, tx: Tx, req: approval_pb2.RequestApprovalRequest
                      ) -> approval_pb2.ApprovalRequest:
        for name in ("election_id", "committee_id", "person_id", "post"):
            if not getattr(req, name):
                raise InvalidArgument("required", field=name)
        if req.post not in POSTS:
            raise InvalidArgument(f"unknown post {req.post!r}", field="post")
        attempt = req.attempt or 1
        existing = await self.store.first(tx.session, select(*_A.c).where(
            _A.c.election_id == req.election_id, _A.c.post == req.post,
            _A.c.person_id == req.person_id, _A.c.attempt == attempt))
        if existing is not None:
            return to_message(existing)
        # A1: approval for the secretary and deputies, filing for members
        kind = rules.approval_kind(req.post)
        approval_id = "ap-" + hashlib.sha256(
            f"{req.election_id}|{req.post}|{req.person_id}|{attempt}".encode()).hexdigest()[:16]
        now = utcnow()
        values = dict(
            approval_id=approval_id, election_id=req.election_id, community_id=req.community_id,
            street_id=req.street_id, committee_id=req.committee_id, post=req.post,
            person_id=req.person_id, name=req.name, kind=kind,
            status="filed" if kind == "filing" else "pending", reason="", attempt=attempt,
            workflow_id=req.workflow_id, requested_at=now,
            decided_at=now if kind == "filing" else None, decided_by="")
        tx.insert(ApprovalRequestRow, **values)
        row = SimpleNamespace(**values)
        await tx.audit(req.election_id,
                       "approval.requested" if kind == "approval" else "filing.received",
                       {"approval_id": approval_id, "post": req.post, "person_id": req.person_id,
                        "name": req.name, "kind": kind, "attempt": attempt, "rule": "A1"})
        return to_message(row)

    async def decide(self, tx: Tx, req: approval_pb2.DecideRequest
                     ) -> approval_pb2.ApprovalRequest:
        if req.decision not in ("approve", "reject"):
            raise InvalidArgument("must be approve or reject", field="decision",
                                  value=req.decision)
        # two decisions on one approval: the second waits for the first's row lock and then
        # finds it decided (PostgreSQL; SQLite's writes are serialised by the process)
        found = await self.store.first(tx.session, select(*_A.c).where(
            _A.c.approval_id == req.approval_id).with_for_update())
        if found is None:
            raise NotFound(f"no approval request {req.approval_id!r}", field="approval_id")
        row = SimpleNamespace(**found._asdict())
        if req.actor.role not in ("approver", "system"):
            raise PermissionDenied(f"role {req.actor.role or '(none)'} cannot decide approvals",
                                   field="actor.role", rule="A1")
        if req.actor.role == "approver" and not scope_covers(req.actor.scope, row.committee_id):
            raise PermissionDenied(
                f"scope {req.actor.scope!r} is not the committee {row.committee_id!r} of this"
                " community", field="actor.scope", rule="A3")
        if row.kind != "approval":
            raise FailedPrecondition("a filing (备案) takes no decision", field="approval_id",
                                     rule="A1")
        if row.status != "pending":
            raise FailedPrecondition(f"already decided: {row.status}", field="approval_id")
        if req.decision == "reject" and not req.reason.strip():
            raise InvalidArgument("a rejection needs a reason", field="reason")
        row.status = "approved" if req.decision == "approve" else "rejected"
        row.reason = req.reason
        row.decided_at = utcnow()
        row.decided_by = f"{req.actor.role}@{req.actor.scope}"
        await self.store.dml(tx.session, update(_A).where(
            _A.c.approval_id == row.approval_id).values(
            status=row.status, reason=row.reason, decided_at=row.decided_at,
            decided_by=row.decided_by))
        await tx.audit(row.election_id, f"approval.{row.status}",
                       {"approval_id": row.approval_id, "post": row.post,
                        "person_id": row.person_id, "name": row.name, "reason": req.reason,
                        "rule": "A1"})
        tx.wake(row.workflow_id, f"approval {row.approval_id} {row.status}")
        return to_message(row)

    async def get(self, approval_id: str) -> approval_pb2.ApprovalRequest:
        async with self.store.read() as session:
            row = await self.store.first(session, select(*_A.c).where(
                _A.c.approval_id == approval_id))
        if row is None:
            raise NotFound(f"no approval request {approval_id!r}", field="approval_id")
        return to_message(row)

    async def list(self, req: approval_pb2.ListApprovalsRequest
                   ) -> approval_pb2.ListApprovalsResponse:
        stmt = select(*_A.c)
        if req.election_id:
            stmt = stmt.where(ApprovalRequestRow.election_id == req.election_id)
        if req.committee_id:
            stmt = stmt.where(ApprovalRequestRow.committee_id == req.committee_id)
        if req.status:
            stmt = stmt.where(ApprovalRequestRow.status == req.status)
        stmt = stmt.order_by(ApprovalRequestRow.requested_at, ApprovalRequestRow.approval_id)
        async with self.store.read() as session:
            rows = await self.store.rows(session, stmt)
        return approval_pb2.ListApprovalsResponse(approvals=[to_message(r) for r in rows])
