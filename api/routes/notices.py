"""The public notice board (公示栏): readable without a token."""

from __future__ import annotations

from fastapi import APIRouter, Query
from pydantic import BaseModel

from api.deps import ClientsDep
from proto import nomination_pb2
from services.common.signing import fingerprint

router = APIRouter(prefix="/api/v1", tags=["notices"])


class NoticeHead(BaseModel):
    """A service's chain head signed when the notice was published (docs/audit.md)."""

    service: str
    seq: int
    head: str
    signed_at: str
    public_key: str
    fingerprint: str  # sha256: of the raw public key, as ``gongtui audit keys`` prints it
    signature: str


class NoticeDigest(BaseModel):
    """A counted round's ballot-box digest, on a results notice."""

    round_id: str
    post: str
    number: int
    source: str
    digest: str


class NoticePublic(BaseModel):
    notice_id: str
    election_id: str
    community_name: str
    kind: str
    title: str
    body: str
    names: list[str]
    days: int
    published_at: str
    closed_at: str = ""  # when the notice period ended (O1); objections are refused after it
    heads: list[NoticeHead] = []
    digests: list[NoticeDigest] = []


def notice_public(n: nomination_pb2.Notice) -> NoticePublic:
    return NoticePublic(
        notice_id=n.notice_id, election_id=n.election_id, community_name=n.community_name,
        kind=n.kind, title=n.title, body=n.body, names=list(n.names), days=n.days,
        published_at=n.published_at, closed_at=n.closed_at,
        heads=[NoticeHead(service=h.service, seq=h.seq, head=h.head, signed_at=h.signed_at,
                          public_key=h.public_key, fingerprint=fingerprint(h.public_key),
                          signature=h.signature) for h in n.heads],
        digests=[NoticeDigest(round_id=d.round_id, post=d.post, number=d.number,
                              source=d.source, digest=d.digest) for d in n.digests])


@router.get("/notices", response_model=list[NoticePublic])
async def list_notices(clients: ClientsDep, election_id: str = "",
                       limit: int = Query(100, ge=1, le=1000)) -> list[NoticePublic]:
    res = await clients.nomination.ListNotices(
        nomination_pb2.ListNoticesRequest(election_id=election_id, limit=limit))
    return [notice_public(n) for n in res.notices]
