"""A meeting's details for its minutes (会议记录): who presided (主持人), who took the minutes
(记录人), the place (地点) and the time (时间). The office (the street committee for its own
vote) records them; the latest call stands, each call in the audit chain. Once a round of the
meeting is official the minutes are fixed and the details refuse every change."""

from __future__ import annotations

import json
import unicodedata
from datetime import datetime

from proto import voting_pb2
from services.common.errors import FailedPrecondition, InvalidArgument, NotFound
from services.common.store import Tx
from services.voting.domain.shared import round_rows
from services.voting.models import MeetingRow
from services.voting.official import is_official

LIMITS = {"presided_by": 40, "recorded_by": 40, "place": 120, "held_at": 32}


def _clean(field: str, value: str) -> str:
    text = value.strip()
    if len(text) > LIMITS[field]:
        raise InvalidArgument(f"at most {LIMITS[field]} characters", field=f"details.{field}",
                              value=text[:LIMITS[field] + 1])
    if any(unicodedata.category(ch).startswith("C") for ch in text):
        raise InvalidArgument("no control characters", field=f"details.{field}", value=text)
    return text


def _held_at(text: str) -> str:
    if not text:
        return ""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise InvalidArgument("an ISO 8601 local date and time, e.g. 2026-03-08T09:00",
                              field="details.held_at", value=text) from exc
    if moment.tzinfo is not None:
        raise InvalidArgument("the meeting's local time, without a UTC offset",
                              field="details.held_at", value=text)
    return moment.isoformat(timespec="minutes")


async def set_meeting_details(tx: Tx, req: voting_pb2.SetMeetingDetailsRequest) -> MeetingRow:
    row = await tx.session.get(MeetingRow, req.meeting_id, with_for_update=True) \
        if req.meeting_id else None
    if row is None:
        raise NotFound(f"no meeting {req.meeting_id!r}", field="meeting_id")
    d = req.details
    details = {f: _clean(f, getattr(d, f)) for f in ("presided_by", "recorded_by", "place")}
    details["held_at"] = _held_at(_clean("held_at", d.held_at))
    official = [r.round_id for r in await round_rows(tx.session, [row.meeting_id])
                if is_official(r)]
    if official:
        raise FailedPrecondition(f"round {official[0]} of meeting {row.meeting_id} is official:"
                                 " its minutes cannot change", field="meeting_id")
    text = json.dumps({k: v for k, v in details.items() if v}, ensure_ascii=False,
                      sort_keys=True)
    if text != (row.details_json or "{}"):
        row.details_json = text
        await tx.audit(row.election_id, "meeting.details", {
            "meeting_id": row.meeting_id, **details, "by": req.actor.name})
    return row
