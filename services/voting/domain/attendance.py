"""Attendance and quorum: check-in (by person, or by headcount for a committee) and its
confirmation against the quorum rules (M1, M8, M11)."""

from __future__ import annotations

from sqlalchemy import func, select

import rules
from proto import voting_pb2
from services.common.errors import FailedPrecondition, InvalidArgument, NotFound
from services.common.store import Tx
from services.voting.domain.shared import SubDomain, load_profile, meeting_message, meeting_row
from services.voting.models import ElectorRow


async def count_present(tx: Tx, meeting_id: str) -> dict[str, int]:
    rows = (await tx.session.execute(
        select(ElectorRow.elector_class, func.count())
        .where(ElectorRow.meeting_id == meeting_id, ElectorRow.checked_in.is_(True))
        .group_by(ElectorRow.elector_class))).all()
    return {cls: int(n) for cls, n in rows}


class Attendance(SubDomain):
    """Who is present, and whether that makes the quorum the meeting needs."""

    async def check_in(self, tx: Tx, req: voting_pb2.CheckInRequest) -> voting_pb2.CheckInResponse:
        meeting = await meeting_row(tx, req.meeting_id)
        if meeting.status != "checking_in":
            raise FailedPrecondition(f"check-in is over: the meeting is {meeting.status}",
                                     field="meeting_id")
        if meeting.kind == "committee":
            if req.person_ids:
                raise InvalidArgument("a committee meeting checks in by headcount",
                                      field="person_ids")
            if req.committee_size < 1:
                raise InvalidArgument("the committee's membership is required",
                                      field="committee_size", value=req.committee_size)
            if not 0 <= req.headcount <= req.committee_size:
                raise InvalidArgument(
                    f"headcount {req.headcount} must be between 0 and the committee size"
                    f" {req.committee_size}", field="headcount", value=req.headcount)
            added = max(0, req.headcount - meeting.present_members)
            meeting.expected = req.committee_size
            meeting.present_members = req.headcount
            await tx.audit(meeting.election_id, "meeting.checked_in", {
                "meeting_id": meeting.meeting_id, "committee_size": req.committee_size,
                "headcount": req.headcount})
            return voting_pb2.CheckInResponse(meeting=await meeting_message(tx, meeting),
                                              checked_in=added)

        if req.committee_size or req.headcount:
            raise InvalidArgument("only a committee meeting checks in by headcount",
                                  field="committee_size" if req.committee_size else "headcount")
        if not req.person_ids:
            raise InvalidArgument("required", field="person_ids")
        wanted = list(dict.fromkeys(req.person_ids))
        found = {e.person_id: e for e in (await tx.session.execute(select(ElectorRow).where(
            ElectorRow.meeting_id == meeting.meeting_id,
            ElectorRow.person_id.in_(wanted)))).scalars().all()}
        missing = [p for p in wanted if p not in found]
        if missing:
            raise NotFound(f"not in the electorate of this meeting: {', '.join(missing)}",
                           field="person_ids", value=missing)
        if meeting.kind in ("congress", "plenary"):
            # E2: a member excluded from the expected attendance is not counted present either,
            # or the attendance could exceed the electorate it is measured against (M1)
            excluded = [p for p in wanted
                        if found[p].elector_class == "member" and not found[p].expected]
            if excluded:
                raise InvalidArgument(
                    f"excluded from the expected attendance: {', '.join(excluded)}",
                    field="person_ids", rule="E2", value=excluded)
        newly = [p for p in wanted if not found[p].checked_in]
        for p in newly:
            found[p].checked_in = True
        await tx.session.flush()
        present = await count_present(tx, meeting.meeting_id)
        meeting.present_members = present.get("member", 0)
        meeting.present_others = present.get("other", 0)
        await tx.audit(meeting.election_id, "meeting.checked_in", {
            "meeting_id": meeting.meeting_id, "count": len(newly), "person_ids": newly})
        return voting_pb2.CheckInResponse(meeting=await meeting_message(tx, meeting),
                                          checked_in=len(newly))

    async def confirm_attendance(self, tx: Tx,
                                 req: voting_pb2.MeetingActionRequest) -> voting_pb2.Meeting:
        meeting = await meeting_row(tx, req.meeting_id)
        if meeting.status != "checking_in":
            raise FailedPrecondition(f"attendance is already confirmed: the meeting is"
                                     f" {meeting.status}", field="meeting_id")
        profile = load_profile(meeting.profile, meeting.overrides_json)
        reason = ""
        if meeting.kind == "committee":
            if meeting.expected < 1:
                raise FailedPrecondition("check the committee in first (committee_size,"
                                         " headcount)", field="committee_size")
            outcome = rules.committee_vote(profile, meeting.expected, meeting.present_members,
                                           {}, 0, [])
            meeting.quorum_met, meeting.quorum_rule = outcome.quorum_met, "M11"
        else:
            present = await count_present(tx, meeting.meeting_id)
            meeting.present_members = present.get("member", 0)
            meeting.present_others = present.get("other", 0)
            if meeting.kind in ("congress", "plenary"):
                verdict = rules.congress_quorum(profile, meeting.present_members, meeting.expected)
                meeting.quorum_met, meeting.quorum_rule = verdict.ok, verdict.rule
                reason = verdict.reason
            else:  # recommendation meeting: attendance of both groups is recorded (M8)
                meeting.quorum_met, meeting.quorum_rule = True, ""
        meeting.status = "in_session" if meeting.quorum_met else "quorum_failed"
        await tx.audit(meeting.election_id, "meeting.attendance_confirmed", {
            "meeting_id": meeting.meeting_id, "kind": meeting.kind, "expected": meeting.expected,
            "present_members": meeting.present_members, "present_others": meeting.present_others,
            "quorum_met": meeting.quorum_met, "rule": meeting.quorum_rule, "reason": reason,
            "status": meeting.status})
        tx.wake(meeting.workflow_id, f"meeting {meeting.meeting_id} {meeting.status}")
        return await meeting_message(tx, meeting)
