"""The public notice board (公示栏): readable without a token."""

from __future__ import annotations

from fastapi import APIRouter, Query
from pydantic import BaseModel

from api.deps import ClientsDep
from proto import nomination_pb2

router = APIRouter(prefix="/api/v1", tags=["notices"])


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


@router.get("/notices", response_model=list[NoticePublic])
async def list_notices(clients: ClientsDep, election_id: str = "",
                       limit: int = Query(100, ge=1, le=1000)) -> list[NoticePublic]:
    res = await clients.nomination.ListNotices(
        nomination_pb2.ListNoticesRequest(election_id=election_id, limit=limit))
    return [NoticePublic(notice_id=n.notice_id, election_id=n.election_id,
                         community_name=n.community_name, kind=n.kind, title=n.title, body=n.body,
                         names=list(n.names), days=n.days, published_at=n.published_at,
                         closed_at=n.closed_at)
            for n in res.notices]
