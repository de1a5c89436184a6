"""What the voting service's tests share: the actors, electorates and candidates, and the
calls that open meetings and rounds, enter tallies and read refusals and the audit chain."""

from __future__ import annotations

import socket
import uuid
from dataclasses import dataclass

import grpc
import pytest

from proto import common_pb2, voting_pb2_grpc
from proto import voting_pb2 as pb
from tests.support.postgres import SqlProbe

OFFICE = common_pb2.Actor(role="community_office", scope="community:xw-001", name="选举工作小组")
STREET = common_pb2.Actor(role="street_committee", scope="street:xw-mf")
SUPERVISOR = common_pb2.Actor(role="supervisor", scope="street:xw-mf", name="总监票人")
ELECTION = "xw-001-2026"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def key() -> str:
    return uuid.uuid4().hex


@dataclass
class Service:
    stub: voting_pb2_grpc.VotingStub
    db: SqlProbe  # the service's tables, on SQLite or PostgreSQL

    def rows(self, sql: str, *args: object) -> list[tuple]:
        return self.db.rows(sql, *args)

    def count(self, sql: str, *args: object) -> int:
        return self.db.count(sql, *args)

    def all_text(self) -> str:
        """Every value of every table, blobs decoded, as one string."""
        return self.db.all_text()


def members(n: int, prefix: str = "m") -> list[pb.Elector]:
    return [pb.Elector(person_id=f"{prefix}{i:03d}", name=f"党员{i}", expected=True,
                       **{"class": "member"}) for i in range(1, n + 1)]


def others(n: int) -> list[pb.Elector]:
    return [pb.Elector(person_id=f"r{i:03d}", name=f"居民{i}", expected=False,
                       **{"class": "other"}) for i in range(1, n + 1)]


async def open_meeting(svc: Service, kind: str, session: int, electorate: list[pb.Elector],
                       profile: str = "nanjing") -> pb.Meeting:
    return await svc.stub.OpenMeeting(pb.OpenMeetingRequest(
        idempotency_key=key(), actor=OFFICE, election_id=ELECTION, kind=kind, session=session,
        electorate=electorate, workflow_id=f"wf-{ELECTION}", profile=profile))


async def congress(svc: Service, expected: int, present: int, session: int = 1,
                   extra: list[pb.Elector] | None = None,
                   also_present: tuple[str, ...] = ()) -> pb.Meeting:
    meeting = await open_meeting(svc, "congress", session, members(expected) + (extra or []))
    await svc.stub.CheckIn(pb.CheckInRequest(
        idempotency_key=key(), actor=OFFICE, meeting_id=meeting.meeting_id,
        person_ids=[f"m{i:03d}" for i in range(1, present + 1)] + list(also_present)))
    return await svc.stub.ConfirmAttendance(pb.MeetingActionRequest(
        idempotency_key=key(), actor=OFFICE, meeting_id=meeting.meeting_id))


CANDIDATES = [pb.Candidate(person_id="c-wang", name="王建国"),  # 王 4 strokes
              pb.Candidate(person_id="c-zhao", name="赵磊"),  # 赵 9 strokes
              pb.Candidate(person_id="c-ding", name="丁一")]  # 丁 2 strokes


async def open_round(svc: Service, meeting_id: str, kind: str = "regular", seats: int = 1,
                     candidates: list[pb.Candidate] | None = None,
                     post: str = "secretary") -> pb.Round:
    return await svc.stub.OpenRound(pb.OpenRoundRequest(
        idempotency_key=key(), actor=OFFICE, meeting_id=meeting_id, post=post, kind=kind,
        seats=seats, candidates=candidates or CANDIDATES[:2]))


def line(pid: str, f: int, a: int = 0, ab: int = 0) -> pb.TallyLine:
    return pb.TallyLine(person_id=pid, votes_for=f, votes_against=a, votes_abstain=ab)


async def tally(svc: Service, round_id: str, issued: int, returned: int, invalid: int,
                lines: list[pb.TallyLine], idem: str | None = None,
                write_ins: list[pb.WriteIn] | None = None, confirm: bool = True) -> pb.Round:
    """The tally entered by the office (its answer returned) and, unless ``confirm`` is
    False, confirmed by the supervisor, as a round needs before it is counted (M12)."""
    entered = await svc.stub.EnterTally(pb.EnterTallyRequest(
        idempotency_key=idem or key(), actor=OFFICE, round_id=round_id, issued=issued,
        returned=returned, invalid=invalid, lines=lines, write_ins=write_ins or []))
    if confirm:
        await confirm_tally(svc, round_id)
    return entered


async def confirm_tally(svc: Service, round_id: str, approve: bool = True, reason: str = "",
                        actor: common_pb2.Actor = SUPERVISOR) -> pb.Round:
    return await svc.stub.ConfirmTally(pb.ConfirmTallyRequest(
        idempotency_key=key(), actor=actor, round_id=round_id, approve=approve,
        reason=reason))


async def close(svc: Service, round_id: str) -> pb.Round:
    return await svc.stub.CloseRound(pb.RoundActionRequest(
        idempotency_key=key(), actor=OFFICE, round_id=round_id))


async def open_casting(svc: Service, round_id: str) -> pb.Round:
    return await svc.stub.OpenCasting(pb.RoundActionRequest(
        idempotency_key=key(), actor=OFFICE, round_id=round_id))


async def refused(call, code: grpc.StatusCode) -> grpc.aio.AioRpcError:  # type: ignore[no-untyped-def]
    with pytest.raises(grpc.aio.AioRpcError) as exc:
        await call
    assert exc.value.code() == code, exc.value.details()
    return exc.value


def trailer(err: grpc.aio.AioRpcError, name: str) -> str:
    return dict(err.trailing_metadata() or ()).get(f"gongtui-{name}", "")


async def audit(svc: Service) -> list[common_pb2.AuditRecord]:
    return list((await svc.stub.ListAudit(common_pb2.AuditRequest(election_id=ELECTION))).records)


async def assert_audit_verifies(svc: Service) -> None:
    report = await svc.stub.VerifyAudit(common_pb2.AuditRequest(election_id=ELECTION))
    assert report.verified, report.problem
    assert report.records == len(await audit(svc)) > 0
    assert report.service == "voting"
