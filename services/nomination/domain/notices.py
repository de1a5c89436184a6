"""Public notices (公示) and their notice periods (O1)."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

from google.protobuf.json_format import MessageToDict
from sqlalchemy import select

import rules
from core.vocabulary import NOTICE_ZH
from proto import nomination_pb2
from services.common.anchors import head_to_dict
from services.common.errors import FailedPrecondition, InvalidArgument
from services.common.signing import check_signed_head
from services.common.store import Tx, utcnow
from services.nomination.domain.lookups import SubDomain, digest, require_notice_kind
from services.nomination.domain.messages import notice_message
from services.nomination.models import NoticeRow

#: the most notices one listing returns
NOTICE_LIMIT_MAX = 1000


def anchored(req: nomination_pb2.PublishNoticeRequest
             ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The signed heads and round digests a notice publishes, as JSON; a head of another
    election, two heads of one service, or a signature that does not check under the key the
    head names is refused (docs/audit.md)."""
    seen: set[str] = set()
    for n, head in enumerate(req.heads):
        where = f"heads[{n}]"
        if head.election_id != req.election_id:
            raise InvalidArgument(f"a head of election {head.election_id!r}", field=where,
                                  value=head.service)
        if head.service in seen:
            raise InvalidArgument("a second head of the service", field=where,
                                  value=head.service)
        seen.add(head.service)
        bad = check_signed_head(head)
        if bad:
            raise InvalidArgument(bad, field=where, value=head.service)
    for n, d in enumerate(req.digests):
        if not d.round_id or not d.digest.startswith("sha256:"):
            raise InvalidArgument("a round and a sha256: digest are required",
                                  field=f"digests[{n}]", value=d.round_id)
    return ([head_to_dict(h) for h in req.heads],
            [MessageToDict(d, preserving_proto_field_name=True,
                           always_print_fields_with_no_presence=True) for d in req.digests])


class Notices(SubDomain):
    async def publish(self, tx: Tx, req: nomination_pb2.PublishNoticeRequest
                      ) -> nomination_pb2.Notice:
        election = await self.lookups.election(tx.session, req.election_id)
        require_notice_kind(req.kind)
        if req.days < 0:
            raise InvalidArgument("cannot be negative", field="days", value=req.days)
        days = req.days
        if days == 0 and req.kind != "announcement":  # O1: the profile's notice period
            days = rules.notice_days(self.lookups.profile_of(election))
        heads, digests = anchored(req)
        seq = await self.lookups.next_seq(tx.session, NoticeRow, req.election_id)
        title = req.title or f"{election.community_name}{NOTICE_ZH[req.kind]}"
        values = dict(
            notice_id="nt-" + digest(req.election_id, req.kind, seq),
            election_id=req.election_id, seq=seq, kind=req.kind, title=title, body=req.body,
            names_json=json.dumps(list(req.names), ensure_ascii=False), days=days,
            community_name=election.community_name, published_at=utcnow(),
            heads_json=json.dumps(heads, ensure_ascii=False),
            digests_json=json.dumps(digests, ensure_ascii=False))
        tx.insert(NoticeRow, **values)
        row = SimpleNamespace(**values)
        await tx.audit(req.election_id, "notice.published", {
            "notice_id": row.notice_id, "kind": req.kind, "title": title, "body": req.body,
            "names": list(req.names), "days": days, "rule": "O1", "heads": heads,
            "digests": digests})
        return notice_message(row)

    async def close(self, tx: Tx, req: nomination_pb2.CloseNoticeRequest
                    ) -> nomination_pb2.Notice:
        """O1: the notice period has run. From now on objections against it are refused (O2),
        so the objections the workflow reads next are all the notice will get."""
        await self.lookups.election(tx.session, req.election_id)
        require_notice_kind(req.kind)
        row = await self.lookups.newest_notice(tx.session, req.election_id, req.kind)
        if row is None:
            raise FailedPrecondition(f"no {req.kind} notice has been published", field="kind",
                                     rule="O1", value=req.kind)
        if row.closed_at is None:
            row.closed_at = utcnow()
        return notice_message(row)

    async def list(self, req: nomination_pb2.ListNoticesRequest
                   ) -> nomination_pb2.ListNoticesResponse:
        limit = req.limit if req.limit > 0 else 100
        limit = min(limit, NOTICE_LIMIT_MAX)
        stmt = select(*NoticeRow.__table__.c)
        if req.election_id:
            stmt = stmt.where(NoticeRow.election_id == req.election_id)
        stmt = stmt.order_by(NoticeRow.published_at.desc(), NoticeRow.seq.desc()).limit(limit)
        async with self.store.read() as session:
            rows = await self.store.rows(session, stmt)
        return nomination_pb2.ListNoticesResponse(notices=[notice_message(r) for r in rows])
