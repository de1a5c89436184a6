"""Mutual TLS and the caller check, on a real nomination service over real sockets: who may
connect, who may act as whom, and what reaches the audit chain."""

from __future__ import annotations

import asyncio
import json
import socket
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from core.config import Settings
from gongtui.certs_cli import ensure, paths
from proto import common_pb2, nomination_pb2_grpc
from proto import nomination_pb2 as pb
from services.common import assertions
from services.common.assertions import METADATA_KEY, Asserter, User, current_user
from services.common.clients import ServiceClients, open_channel
from services.common.store.audit import record_hash
from services.common.tls import TlsNotConfigured, component_of_cert
from services.nomination import server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("certs")
    ensure(folder)
    return folder


def as_component(certs: Path, component: str, **values: object) -> Settings:
    cert, key = paths(certs, component)
    return Settings(tls_ca=str(certs / "ca.pem"), tls_cert=str(cert), tls_key=str(key),
                    allow_insecure=False, **values)  # type: ignore[arg-type]


@dataclass
class Running:
    address: str
    certs: Path

    def settings(self, component: str) -> Settings:
        return as_component(self.certs, component, nomination_address=self.address,
                            temporal_address="")

    def stub(self, component: str) -> tuple[grpc.aio.Channel, nomination_pb2_grpc.NominationStub]:
        channel = open_channel(self.address, self.settings(component), "nomination")
        return channel, nomination_pb2_grpc.NominationStub(channel)


@pytest.fixture
async def nomination(tmp_path: Path, certs: Path,
                     service_database_url: str) -> AsyncIterator[Running]:
    address = f"127.0.0.1:{free_port()}"
    settings = as_component(certs, "nomination", data_dir=tmp_path, nomination_address=address,
                            temporal_address="", database_url=service_database_url)
    ready, stop = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(server.main(settings, ready, stop))
    done, _ = await asyncio.wait({task, asyncio.ensure_future(ready.wait())}, timeout=30,
                                 return_when=asyncio.FIRST_COMPLETED)
    if task in done:
        task.result()
    yield Running(address, certs)
    stop.set()
    await asyncio.wait_for(task, timeout=30)


@pytest.fixture
def no_user() -> Iterator[None]:
    token = current_user.set(None)
    yield
    current_user.reset(token)


def create(election_id: str, actor: common_pb2.Actor) -> pb.CreateElectionRequest:
    return pb.CreateElectionRequest(
        idempotency_key=uuid.uuid4().hex, actor=actor,
        election=pb.Election(election_id=election_id, community_id="tls-c",
                             community_name="证书社区", org_type="branch"))


def roster(election_id: str, actor: common_pb2.Actor) -> pb.ImportRosterRequest:
    return pb.ImportRosterRequest(
        idempotency_key=uuid.uuid4().hex, actor=actor, election_id=election_id,
        people=[pb.Person(person_id="p1", name="甲", status="full", resides_in_community=True)])


SYSTEM = common_pb2.Actor(role="system", scope="district:tls", name="workflow")
OFFICE = common_pb2.Actor(role="community_office", scope="community:tls-c")


async def refused(call: object) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call  # type: ignore[misc]
    return caught.value


async def test_each_certificate_names_its_component(certs: Path) -> None:
    for component in ("nomination", "voting", "approval", "worker", "api", "operator"):
        assert component_of_cert(paths(certs, component)[0].read_bytes()) == component
    again = ensure(certs)  # a second run keeps what is valid
    assert again == []


async def test_no_settings_no_plain_grpc(tmp_path: Path) -> None:
    with pytest.raises(TlsNotConfigured, match="GONGTUI_TLS_CA"):
        ServiceClients(Settings(allow_insecure=False, tls_ca="", tls_cert="", tls_key=""))
    with pytest.raises(TlsNotConfigured, match="incomplete"):
        ServiceClients(Settings(allow_insecure=True, tls_ca=str(tmp_path / "ca.pem")))


async def test_a_call_without_a_client_certificate_is_refused(nomination: Running) -> None:
    ca = (nomination.certs / "ca.pem").read_bytes()
    request = pb.GetElectionRequest(election_id="none")
    async with grpc.aio.secure_channel(
            nomination.address, grpc.ssl_channel_credentials(root_certificates=ca),
            options=[("grpc.ssl_target_name_override", "nomination")]) as channel:
        exc = await refused(nomination_pb2_grpc.NominationStub(channel).GetElection(
            request, timeout=5))
        assert exc.code() == grpc.StatusCode.UNAVAILABLE
    async with grpc.aio.insecure_channel(nomination.address) as channel:
        exc = await refused(nomination_pb2_grpc.NominationStub(channel).GetElection(
            request, timeout=5))
        assert exc.code() == grpc.StatusCode.UNAVAILABLE
        health = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(),
                                                            timeout=5)
        assert (await refused(health)).code() == grpc.StatusCode.UNAVAILABLE


async def test_a_certificate_of_another_ca_is_refused(nomination: Running,
                                                      tmp_path: Path) -> None:
    other = tmp_path / "other"
    ensure(other, ("worker",))
    settings = Settings(tls_ca=str(nomination.certs / "ca.pem"),
                        tls_cert=str(other / "worker.pem"), tls_key=str(other / "worker.key"))
    async with open_channel(nomination.address, settings, "nomination") as channel:
        exc = await refused(nomination_pb2_grpc.NominationStub(channel).CreateElection(
            create("tls-other", SYSTEM), timeout=5))
        assert exc.code() == grpc.StatusCode.UNAVAILABLE


async def test_the_client_checks_it_reached_the_service_it_named(nomination: Running) -> None:
    settings = nomination.settings("worker")
    async with open_channel(nomination.address, settings, "voting") as channel:  # not voting
        exc = await refused(nomination_pb2_grpc.NominationStub(channel).GetElection(
            pb.GetElectionRequest(election_id="x"), timeout=5))
        assert exc.code() == grpc.StatusCode.UNAVAILABLE


async def test_a_worker_certificate_may_act_as_system(nomination: Running) -> None:
    channel, stub = nomination.stub("worker")
    async with channel:
        await stub.CreateElection(create("tls-worker", SYSTEM))
        audit = await stub.ListAudit(common_pb2.AuditRequest(election_id="tls-worker"))
    assert [r.actor_role for r in audit.records][:1] == ["system"]


async def test_the_api_claiming_system_is_refused(nomination: Running, no_user: None) -> None:
    await _worker_creates(nomination, "tls-forged")
    channel, stub = nomination.stub("api")
    async with channel:
        before = await stub.ListAudit(common_pb2.AuditRequest(election_id="tls-forged"))
        exc = await refused(stub.ImportRoster(roster("tls-forged", SYSTEM)))
        assert exc.code() == grpc.StatusCode.UNAUTHENTICATED
        assert "assertion" in (exc.details() or "")
        # an assertion of system, signed with the API's own key, is refused as well
        key = serialization.load_pem_private_key(paths(nomination.certs, "api")[1].read_bytes(),
                                                 password=None)
        now = int(time.time())
        forged = jwt.encode({"role": "system", "scope": "district:tls", "rpc":
                             "/gongtui.v1.Nomination/ImportRoster", "iat": now,
                             "exp": now + 60}, key, algorithm="ES256")  # type: ignore[arg-type]
        exc = await refused(stub.ImportRoster(roster("tls-forged", SYSTEM),
                                              metadata=((METADATA_KEY, forged),)))
        assert exc.code() == grpc.StatusCode.UNAUTHENTICATED
        assert "'system' cannot be asserted" in (exc.details() or ""), exc.details()
        # and the service holds no trace of either
        after = await stub.ListAudit(common_pb2.AuditRequest(election_id="tls-forged"))
    assert after == before
    with pytest.raises(assertions.AssertionRefused):
        Asserter(paths(nomination.certs, "api")[1].read_bytes()).sign(
            User("system", "district:tls"), "/x")


async def test_an_assertion_not_signed_by_the_api_is_refused(nomination: Running,
                                                             no_user: None) -> None:
    await _worker_creates(nomination, "tls-unsigned")
    method = "/gongtui.v1.Nomination/ImportRoster"
    strangers = [paths(nomination.certs, "worker")[1].read_bytes(),  # a CA key, not the API's
                 ec.generate_private_key(ec.SECP256R1()).private_bytes(
                     serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                     serialization.NoEncryption())]
    channel, stub = nomination.stub("api")
    async with channel:
        for pem in strangers:
            token = Asserter(pem).sign(User("community_office", "community:tls-c"), method)
            exc = await refused(stub.ImportRoster(roster("tls-unsigned", OFFICE),
                                                  metadata=((METADATA_KEY, token),)))
            assert exc.code() == grpc.StatusCode.UNAUTHENTICATED
            assert "does not verify" in (exc.details() or "")
        # the API's own signature, but for another RPC, or expired
        api = Asserter(paths(nomination.certs, "api")[1].read_bytes())
        other = api.sign(User("community_office", "community:tls-c"),
                         "/gongtui.v1.Nomination/SubmitPlan")
        old = api.sign(User("community_office", "community:tls-c"), method,
                       now=time.time() - 600)
        for token, why in ((other, "not /gongtui.v1.Nomination/ImportRoster"),
                           (old, "expired")):
            exc = await refused(stub.ImportRoster(roster("tls-unsigned", OFFICE),
                                                  metadata=((METADATA_KEY, token),)))
            assert exc.code() == grpc.StatusCode.UNAUTHENTICATED
            assert why in (exc.details() or ""), exc.details()
        # the request naming someone other than the assertion
        token = api.sign(User("resident", "community:tls-c"), method)
        exc = await refused(stub.ImportRoster(roster("tls-unsigned", OFFICE),
                                              metadata=((METADATA_KEY, token),)))
        assert exc.code() == grpc.StatusCode.PERMISSION_DENIED


async def _worker_creates(nomination: Running, election_id: str) -> None:
    channel, stub = nomination.stub("worker")
    async with channel:
        await stub.CreateElection(create(election_id, SYSTEM))


async def test_the_apis_asserted_user_reaches_the_audit_record(nomination: Running) -> None:
    await _worker_creates(nomination, "tls-api")
    clients = ServiceClients(nomination.settings("api"))
    token = current_user.set(User("community_office", "community:tls-c", "t-42", "选举工作小组"))
    try:
        # the request's actor says nothing: the assertion says who
        await clients.nomination.ImportRoster(roster("tls-api", common_pb2.Actor()))
        audit = await clients.nomination.ListAudit(common_pb2.AuditRequest(election_id="tls-api"))
    finally:
        current_user.reset(token)
        await clients.close()
    last = audit.records[-1]
    assert (last.actor_role, last.actor_scope) == ("community_office", "community:tls-c")
    # the acting token's ID and holder are in the record, under its hash
    assert json.loads(last.payload_json)["acted_by"] == {"token_id": "t-42",
                                                         "holder": "选举工作小组"}
    assert record_hash(last.prev_hash, "tls-api", last.seq, last.kind, last.payload_json,
                       last.actor_role, last.actor_scope, last.created_at) == last.hash


async def test_the_operator_names_a_role_but_never_system(nomination: Running) -> None:
    await _worker_creates(nomination, "tls-operator")
    channel, stub = nomination.stub("operator")
    async with channel:
        exc = await refused(stub.ImportRoster(roster("tls-operator", SYSTEM)))
        assert exc.code() == grpc.StatusCode.PERMISSION_DENIED
        exc = await refused(stub.ImportRoster(roster("tls-operator", common_pb2.Actor())))
        assert exc.code() == grpc.StatusCode.PERMISSION_DENIED
        # not a person role beyond the district's own (the service's operator_roles)
        exc = await refused(stub.ImportRoster(roster("tls-operator", OFFICE)))
        assert exc.code() == grpc.StatusCode.PERMISSION_DENIED
        assert "operator_roles" in (exc.details() or ""), exc.details()


async def test_a_drill_stack_lets_the_operator_play_every_person(
        tmp_path: Path, certs: Path, service_database_url: str) -> None:
    address = f"127.0.0.1:{free_port()}"
    settings = as_component(certs, "nomination", data_dir=tmp_path, nomination_address=address,
                            temporal_address="", database_url=service_database_url,
                            operator_roles="*")
    ready, stop = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(server.main(settings, ready, stop))
    await asyncio.wait_for(ready.wait(), timeout=30)
    running = Running(address, certs)
    try:
        await _worker_creates(running, "tls-drill")
        channel, stub = running.stub("operator")
        async with channel:
            await stub.ImportRoster(roster("tls-drill", OFFICE))
            exc = await refused(stub.ImportRoster(roster("tls-drill", SYSTEM)))
            assert exc.code() == grpc.StatusCode.PERMISSION_DENIED
            audit = await stub.ListAudit(common_pb2.AuditRequest(election_id="tls-drill"))
        # what the operator did is recorded as the operator's certificate
        acted = [json.loads(r.payload_json).get("acted_by", {}).get("token_id")
                 for r in audit.records if r.kind != "election.created"]
        assert acted and set(acted) == {"certificate:operator"}, acted
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=30)


async def test_only_a_worker_creates_an_election(nomination: Running) -> None:
    """The election's ID and its creation key are deterministic: whoever created it first
    with other content would fail the election. Neither the API nor the operator, in any
    role, may create one; the ID stays free for the workflow."""
    channel, stub = nomination.stub("operator")
    async with channel:
        for actor in (common_pb2.Actor(role="district_admin", scope="district:*"), OFFICE):
            exc = await refused(stub.CreateElection(create("tls-squat", actor)))
            assert exc.code() == grpc.StatusCode.PERMISSION_DENIED
            assert "only a worker calls it" in (exc.details() or "")
    await _worker_creates(nomination, "tls-squat")  # the ID was not taken


async def test_a_service_certificate_is_no_client(nomination: Running) -> None:
    channel, stub = nomination.stub("voting")
    async with channel:
        exc = await refused(stub.GetElection(pb.GetElectionRequest(election_id="x")))
    assert exc.code() == grpc.StatusCode.PERMISSION_DENIED


async def _list_services(nomination: Running, component: str) -> list[str]:
    channel = open_channel(nomination.address, nomination.settings(component), "nomination")
    async with channel:
        stub = reflection_pb2_grpc.ServerReflectionStub(channel)
        request = reflection_pb2.ServerReflectionRequest(list_services="")

        async def requests() -> AsyncIterator[reflection_pb2.ServerReflectionRequest]:
            yield request  # then the stream stays open until its answer (or refusal) ends it
            await asyncio.Event().wait()

        async for answer in stub.ServerReflectionInfo(requests(), timeout=5):
            return [s.name for s in answer.list_services_response.service]
    return []


async def test_reflection_is_the_operators_only(nomination: Running) -> None:
    assert "gongtui.v1.Nomination" in await _list_services(nomination, "operator")
    for component in ("api", "worker"):
        exc = await refused(_list_services(nomination, component))
        assert exc.code() == grpc.StatusCode.PERMISSION_DENIED


async def test_the_api_does_not_call_the_workflows_rpcs(nomination: Running) -> None:
    clients = ServiceClients(nomination.settings("api"))
    token = current_user.set(User("district_admin", "district:*", "t-1", "区委组织部"))
    try:
        exc = await refused(clients.nomination.CreateElection(create("tls-first", OFFICE)))
        assert exc.code() == grpc.StatusCode.PERMISSION_DENIED
        assert "CreateElection is the workflow's" in (exc.details() or "")
        # nor records a control act: the workflow that applied it does
        exc = await refused(clients.nomination.RecordElectionEvent(
            pb.RecordElectionEventRequest(idempotency_key="k", election_id="tls-first",
                                          kind="election.resumed", payload_json="{}")))
        assert exc.code() == grpc.StatusCode.PERMISSION_DENIED
        assert "RecordElectionEvent is the workflow's" in (exc.details() or "")
    finally:
        current_user.reset(token)
        await clients.close()
    await _worker_creates(nomination, "tls-first")  # the ID was not taken
