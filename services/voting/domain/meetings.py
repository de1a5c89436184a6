"""Meetings and their electorates: opened (the electorate frozen), closed, read."""

from __future__ import annotations

from sqlalchemy import select

from core.ids import meeting_id_for
from proto import voting_pb2
from services.common.errors import FailedPrecondition, InvalidArgument, NotFound
from services.common.store import Tx
from services.voting.domain.converters import meeting_to_message
from services.voting.domain.shared import (
    ELECTOR_CLASSES,
    MEETING_KINDS,
    SubDomain,
    canonical_overrides,
    load_profile,
    meeting_message,
    meeting_row,
    required,
    round_rows,
)
from services.voting.models import ElectorRow, MeetingRow, RoundRow


class Meetings(SubDomain):
    """A meeting opened with its electorate frozen, closed once its rounds are, and read."""

    async def open_meeting(self, tx: Tx, req: voting_pb2.OpenMeetingRequest) -> voting_pb2.Meeting:
        required(req, "election_id", "kind", "profile")
        if req.kind not in MEETING_KINDS:
            raise InvalidArgument(f"must be one of {', '.join(MEETING_KINDS)}", field="kind",
                                  value=req.kind)
        if req.session < 1:
            raise InvalidArgument("a session number is 1, 2, ...", field="session",
                                  value=req.session)
        overrides_json = canonical_overrides(req.overrides_json)
        load_profile(req.profile, overrides_json)

        meeting_id = meeting_id_for(req.election_id, req.kind, req.session)
        existing = await tx.session.get(MeetingRow, meeting_id)
        if existing is not None:  # the same meeting again: its electorate is already frozen
            return await meeting_message(tx, existing)

        electors: list[ElectorRow] = []
        if req.kind == "committee":
            if req.electorate:
                raise InvalidArgument("a committee meeting checks in by headcount; send no"
                                      " electorate", field="electorate")
        elif not req.electorate:
            raise InvalidArgument("the electorate is empty", field="electorate")
        seen: set[str] = set()
        for i, e in enumerate(req.electorate):
            if not e.person_id:
                raise InvalidArgument("required", field=f"electorate[{i}].person_id")
            if e.person_id in seen:
                raise InvalidArgument(f"{e.person_id} is listed twice",
                                      field=f"electorate[{i}].person_id", value=e.person_id)
            seen.add(e.person_id)
            if getattr(e, "class") not in ELECTOR_CLASSES:
                raise InvalidArgument("must be member or other", field=f"electorate[{i}].class",
                                      value=getattr(e, "class"))
            electors.append(ElectorRow(meeting_id=meeting_id, person_id=e.person_id, name=e.name,
                                       elector_class=getattr(e, "class"), expected=e.expected,
                                       checked_in=False))
        expected = sum(1 for e in electors if e.elector_class == "member" and e.expected)
        row = MeetingRow(meeting_id=meeting_id, election_id=req.election_id, kind=req.kind,
                         session=req.session, status="checking_in", expected=expected,
                         present_members=0, present_others=0, quorum_met=False, quorum_rule="",
                         workflow_id=req.workflow_id, profile=req.profile,
                         overrides_json=overrides_json)
        tx.session.add(row)
        tx.session.add_all(electors)
        await tx.audit(req.election_id, "meeting.opened", {
            "meeting_id": meeting_id, "kind": req.kind, "session": req.session,
            "profile": req.profile, "overrides": overrides_json, "expected": expected,
            "electorate": [{"person_id": e.person_id, "name": e.name, "class": e.elector_class,
                            "expected": e.expected} for e in electors]})
        return meeting_to_message(row)

    async def close_meeting(self, tx: Tx, req: voting_pb2.MeetingActionRequest) -> voting_pb2.Meeting:
        meeting = await meeting_row(tx, req.meeting_id)
        if meeting.status == "closed":
            raise FailedPrecondition("the meeting is already closed", field="meeting_id")
        rounds = await round_rows(tx.session, [meeting.meeting_id])
        still_open = [r.number for r in rounds if r.status == "open"]
        if still_open:
            raise FailedPrecondition(f"rounds still open: {still_open}; close them first",
                                     field="meeting_id", value=still_open)
        previous, meeting.status = meeting.status, "closed"
        await tx.audit(meeting.election_id, "meeting.closed", {
            "meeting_id": meeting.meeting_id, "previous_status": previous,
            "rounds": len(rounds)})
        tx.wake(meeting.workflow_id, f"meeting {meeting.meeting_id} closed")
        return meeting_to_message(meeting, rounds)

    async def get_meeting(self, meeting_id: str) -> voting_pb2.Meeting:
        async with self.store.db.read() as session:
            row = await session.get(MeetingRow, meeting_id) if meeting_id else None
            if row is None:
                raise NotFound(f"no meeting {meeting_id!r}", field="meeting_id")
            rounds = await round_rows(session, [meeting_id])
        return meeting_to_message(row, rounds)

    async def list_meetings(self, req: voting_pb2.ListMeetingsRequest
                            ) -> voting_pb2.ListMeetingsResponse:
        if not req.election_id:
            raise InvalidArgument("required", field="election_id")
        stmt = select(MeetingRow).where(MeetingRow.election_id == req.election_id)
        if req.kind:
            stmt = stmt.where(MeetingRow.kind == req.kind)
        stmt = stmt.order_by(MeetingRow.kind, MeetingRow.session)
        async with self.store.db.read() as session:
            meetings = (await session.execute(stmt)).scalars().all()
            rounds = await round_rows(session, [m.meeting_id for m in meetings])
        by_meeting: dict[str, list[RoundRow]] = {}
        for r in rounds:
            by_meeting.setdefault(r.meeting_id, []).append(r)
        return voting_pb2.ListMeetingsResponse(meetings=[
            meeting_to_message(m, by_meeting.get(m.meeting_id, [])) for m in meetings])
