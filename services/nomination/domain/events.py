"""Procedural events of an election (pause, resume, abort, ...) recorded in its audit chain."""

from __future__ import annotations

import json

from proto import common_pb2, nomination_pb2
from services.common.errors import InvalidArgument
from services.common.store import Tx
from services.nomination.domain.lookups import SubDomain
from services.nomination.domain.messages import audit_record_message


class Events(SubDomain):
    async def record(self, tx: Tx, req: nomination_pb2.RecordElectionEventRequest
                     ) -> common_pb2.AuditRecord:
        if not req.kind or not all(part.isidentifier() for part in req.kind.split(".")):
            raise InvalidArgument("an event kind like election.paused is required", field="kind",
                                  value=req.kind)
        try:
            payload = json.loads(req.payload_json or "{}")
        except ValueError as exc:
            raise InvalidArgument(f"not JSON: {exc}", field="payload_json") from exc
        if not isinstance(payload, dict):
            raise InvalidArgument("must be a JSON object", field="payload_json")
        await self.lookups.election(tx.session, req.election_id)
        return audit_record_message(await tx.audit(req.election_id, req.kind, payload))
