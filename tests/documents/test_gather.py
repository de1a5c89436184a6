"""gather over real gRPC stubs for an election that has only just been created: no plan yet,
no meetings, no notices — the facts are empty where the election is, and nothing is invented."""

from __future__ import annotations

import grpc
import pytest

from documents.archive import plan
from documents.gather import gather
from gongtui.stack import EmbeddedStack
from proto import (
    common_pb2,
    nomination_pb2,
)
from services.common.clients import ServiceClients

pytestmark = pytest.mark.stack


async def test_a_new_election_has_facts_but_no_papers_yet(stack: EmbeddedStack) -> None:
    clients = ServiceClients(stack.settings_of("worker"))
    try:
        nomination = clients.nomination
        await nomination.CreateElection(nomination_pb2.CreateElectionRequest(
            idempotency_key="gather-new", actor=common_pb2.Actor(role="system"),
            election=nomination_pb2.Election(
                election_id="gather-new", community_id="g-001", community_name="新建社区",
                org_type="branch", street_id="s-g", district_id="d-g", profile="nanjing")))
        facts = await gather("gather-new", nomination, clients.voting, clients.approval)
        with pytest.raises(grpc.aio.AioRpcError) as missing:
            await gather("no-such-election", nomination, clients.voting, clients.approval)
    finally:
        await clients.close()
    assert missing.value.code() == grpc.StatusCode.NOT_FOUND
    assert facts.community_name == "新建社区" and facts.posts == () and facts.meetings == ()
    assert facts.audit_records and facts.chain_head.startswith("sha256:")
    assert plan(facts) == []
