"""A notice carries the services' signed chain heads and, on a results notice, the rounds'
ballot-box digests (docs/audit.md): stored with it, listed with it, in its audit record; a
head whose signature does not check, of another election, or twice of one service, is
refused and nothing is published."""

from __future__ import annotations

import json
from pathlib import Path

import grpc

from proto import common_pb2
from proto import nomination_pb2 as pb
from services.common.signing import HeadSigner, check_signed_head
from tests.services.nomination.support import (
    ELECTION,
    SYSTEM,
    Service,
    create,
    expect_error,
    key,
    meta,
)


def heads(svc_head: common_pb2.SignedHead, tmp_path: Path) -> list[common_pb2.SignedHead]:
    out = [svc_head]
    for service in ("voting", "approval"):
        signer = HeadSigner.load_or_create(service, tmp_path / f"{service}.pem")
        out.append(signer.sign(ELECTION, 7, "sha256:" + "ab" * 32))
    return out


async def test_a_results_notice_carries_the_heads_and_digests(svc: Service,
                                                              tmp_path: Path) -> None:
    await create(svc)
    own = await svc.stub.SignHead(common_pb2.AuditRequest(election_id=ELECTION))
    assert own.seq > 0 and own.service == "nomination"
    signed = heads(own, tmp_path)
    digest = pb.RoundDigest(round_id="rd-1", post="secretary", number=1, source="electronic",
                            digest="sha256:" + "cd" * 32)
    request = pb.PublishNoticeRequest(idempotency_key=key(), actor=SYSTEM, election_id=ELECTION,
                                      kind="results", names=["张三"], heads=signed,
                                      digests=[digest])
    published = await svc.stub.PublishNotice(request)
    assert list(published.heads) == signed and list(published.digests) == [digest]
    assert await svc.stub.PublishNotice(request) == published  # a retried activity
    (listed,) = (await svc.stub.ListNotices(pb.ListNoticesRequest(election_id=ELECTION))).notices
    assert list(listed.heads) == signed and list(listed.digests) == [digest]
    assert all(check_signed_head(h) == "" for h in listed.heads)
    # the notice's own record holds them too: the chain carries what was published
    records = (await svc.stub.ListAudit(common_pb2.AuditRequest(election_id=ELECTION))).records
    payload = json.loads(next(r for r in records if r.kind == "notice.published").payload_json)
    assert [h["head"] for h in payload["heads"]] == [h.head for h in signed]
    assert payload["digests"][0]["digest"] == digest.digest
    # the nomination head published still holds: the chain only grew after it
    assert records[own.seq - 1].hash == own.head


async def test_a_head_that_does_not_check_is_refused(svc: Service, tmp_path: Path) -> None:
    await create(svc)
    own = await svc.stub.SignHead(common_pb2.AuditRequest(election_id=ELECTION))
    forged = common_pb2.SignedHead()
    forged.CopyFrom(own)
    forged.seq += 1  # the statement no longer matches the signature
    other = HeadSigner.load_or_create("voting", tmp_path / "v.pem").sign("another", 1, own.head)
    for bad, want in (([forged], "does not verify"), ([own, other], "a head of election"),
                      ([own, own], "a second head")):
        err = await expect_error(svc.stub.PublishNotice(pb.PublishNoticeRequest(
            idempotency_key=key(), actor=SYSTEM, election_id=ELECTION, kind="candidates",
            heads=bad)), grpc.StatusCode.INVALID_ARGUMENT)
        assert meta(err)["gongtui-field"].startswith("heads[") and want in err.details()
    err = await expect_error(svc.stub.PublishNotice(pb.PublishNoticeRequest(
        idempotency_key=key(), actor=SYSTEM, election_id=ELECTION, kind="results",
        digests=[pb.RoundDigest(round_id="rd-1", digest="md5:x")])),
        grpc.StatusCode.INVALID_ARGUMENT)
    assert meta(err)["gongtui-field"] == "digests[0]"
    assert not (await svc.stub.ListNotices(pb.ListNoticesRequest(election_id=ELECTION))).notices
