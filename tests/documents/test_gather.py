"""gather over real gRPC stubs for an election that has only just been created: no plan yet,
no meetings, no notices — the facts are empty where the election is, and nothing is invented."""

from __future__ import annotations

import grpc
import pytest

from documents.archive import plan
from documents.gather import gather
from gongtui.stack import EmbeddedStack
from proto import (
    approval_pb2_grpc,
    common_pb2,
    nomination_pb2,
    nomination_pb2_grpc,
    voting_pb2_grpc,
)

pytestmark = pytest.mark.stack


async def test_a_new_election_has_facts_but_no_papers_yet(stack: EmbeddedStack) -> None:
    s = stack.settings
    async with grpc.aio.insecure_channel(s.service_address("nomination")) as n, \
            grpc.aio.insecure_channel(s.service_address("voting")) as v, \
            grpc.aio.insecure_channel(s.service_address("approval")) as a:
        nomination = nomination_pb2_grpc.NominationStub(n)
        await nomination.CreateElection(nomination_pb2.CreateElectionRequest(
            idempotency_key="gather-new", actor=common_pb2.Actor(role="system"),
            election=nomination_pb2.Election(
                election_id="gather-new", community_id="g-001", community_name="新建社区",
                org_type="branch", street_id="s-g", district_id="d-g", profile="nanjing")))
        facts = await gather("gather-new", nomination, voting_pb2_grpc.VotingStub(v),
                             approval_pb2_grpc.ApprovalStub(a))
        with pytest.raises(grpc.aio.AioRpcError) as missing:
            await gather("no-such-election", nomination, voting_pb2_grpc.VotingStub(v),
                         approval_pb2_grpc.ApprovalStub(a))
    assert missing.value.code() == grpc.StatusCode.NOT_FOUND
    assert facts.community_name == "新建社区" and facts.posts == () and facts.meetings == ()
    assert facts.audit_records and facts.chain_head.startswith("sha256:")
    assert plan(facts) == []
