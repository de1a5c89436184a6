"""What the nomination service's tests share (and the cross-service race tests use): the
actors, the roster and plan of one community's election, and the calls that set it up."""

from __future__ import annotations

import socket
import uuid
from dataclasses import dataclass
from typing import Any

import grpc
import pytest

from proto import common_pb2, nomination_pb2_grpc
from proto import nomination_pb2 as pb
from tests.support.postgres import SqlProbe

SYSTEM = common_pb2.Actor(role="system", scope="district:test")
STREET = common_pb2.Actor(role="street_committee", scope="street:xw-mf", name="街道党工委")
OFFICE = common_pb2.Actor(role="community_office", scope="community:xw-001")
ELECTION = "xw-001-2026"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def key() -> str:
    return uuid.uuid4().hex


@dataclass
class Service:
    stub: nomination_pb2_grpc.NominationStub
    db: SqlProbe  # the service's tables, on SQLite or PostgreSQL

    def count(self, sql: str, *args: object) -> int:
        return self.db.count(sql, *args)


def person(pid: str, name: str, status: str = "full", **kw: Any) -> pb.Person:
    return pb.Person(person_id=pid, name=name, status=status, resides_in_community=True, **kw)


# 12 full members, one probationary, one guest member, 8 residents
ROSTER = [
    person(f"p{i:02d}", n) for i, n in enumerate(
        ["王建国", "李秀英", "张伟", "刘洋", "陈静", "杨帆", "赵磊", "黄敏", "周杰", "吴芳", "徐涛", "孙丽"],
        start=1)
] + [
    person("p13", "马超", "probationary"),
    person("p14", "朱红", "guest_member"),
] + [person(f"r{i:02d}", f"居民{i}", "resident") for i in range(1, 9)]

GOOD_PLAN = [
    pb.PostPlan(post="secretary", seats=1, shortlist=4, inspected=3, candidates=2),
    pb.PostPlan(post="deputy_secretary", seats=1, shortlist=4, inspected=3, candidates=2),
    pb.PostPlan(post="member", seats=3, shortlist=6, inspected=5, candidates=4),
]


async def expect_error(call, code: grpc.StatusCode) -> grpc.aio.AioRpcError:  # type: ignore[no-untyped-def]
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await call
    assert info.value.code() == code, info.value.details()
    return info.value


def meta(err: grpc.aio.AioRpcError) -> dict[str, str]:
    return {k: v for k, v in (err.trailing_metadata() or ())}


def plain(err: grpc.aio.AioRpcError) -> bool:
    """The message is the refusal's own text: the rule and field travel only in the metadata."""
    rule, field = meta(err).get("gongtui-rule", ""), meta(err).get("gongtui-field", "")
    details = err.details() or ""
    return bool(details) and not details.startswith(f"[{rule}]") \
        and not details.startswith(f"{field}:")


async def create(svc: Service, roster: list[pb.Person] | None = None) -> pb.Election:
    election = pb.Election(election_id=ELECTION, community_id="xw-001", community_name="梅园社区",
                           org_type="branch", street_id="xw-mf", district_id="xw",
                           workflow_id=f"community-{ELECTION}")
    created = await svc.stub.CreateElection(pb.CreateElectionRequest(
        idempotency_key=key(), actor=SYSTEM, election=election))
    if roster:
        await svc.stub.ImportRoster(pb.ImportRosterRequest(
            idempotency_key=key(), actor=OFFICE, election_id=ELECTION, people=roster))
    return created


async def approved_plan(svc: Service) -> None:
    await svc.stub.SubmitPlan(pb.SubmitPlanRequest(
        idempotency_key=key(), actor=OFFICE, election_id=ELECTION, posts=GOOD_PLAN))
    await svc.stub.DecidePlan(pb.DecidePlanRequest(
        idempotency_key=key(), actor=STREET, election_id=ELECTION, approve=True))


async def register(svc: Service, pid: str, post: str, channel: str) -> pb.Registration:
    return await svc.stub.Register(pb.RegisterRequest(
        idempotency_key=key(), actor=OFFICE, election_id=ELECTION, person_id=pid, post=post,
        channel=channel))


async def cosign(svc: Service, registration_id: str, pid: str) -> pb.Cosignature:
    return await svc.stub.Cosign(pb.CosignRequest(
        idempotency_key=key(), actor=OFFICE, registration_id=registration_id,
        cosigner_person_id=pid))
