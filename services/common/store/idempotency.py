"""Idempotency keys: a retried request returns the first answer and writes nothing.

Every mutating request carries a key. The first request under a key stores its response
beside the method and a digest of the request, in the same transaction as its facts; a
request under a used key gets that response back, unless it is a different request (another
method or other contents), which is refused.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any, NamedTuple, TypeVar

from google.protobuf.message import Message
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.errors import AlreadyExists, InvalidArgument
from services.common.store.inline import InlineSQLite

M = TypeVar("M", bound=Message)


class Answered(NamedTuple):
    """What a used key holds."""

    method: str
    request_digest: str
    response: bytes


def request_digest(key: str, request: Message) -> str:
    """The digest a key is stored with (the request's deterministic wire form)."""
    if not key:
        raise InvalidArgument("an idempotency key is required", field="idempotency_key")
    return hashlib.sha256(request.SerializeToString(deterministic=True)).hexdigest()


async def find(model: Any, session: AsyncSession, inline: InlineSQLite | None,
               key: str) -> Answered | None:
    """The answer stored under ``key`` in this transaction's view, if any."""
    if inline is not None:
        found = inline.first(f"SELECT method, request_digest, response FROM"
                             f" {model.__tablename__} WHERE key = ?", (key,))
    else:
        found = (await session.execute(select(model.method, model.request_digest,
                                              model.response).where(model.key == key))).first()
    return None if found is None else Answered(found[0], found[1], found[2])


def replay(answered: Answered, method: str, digest: str, key: str, response_type: type[M]) -> M:
    """The first answer again, if this is the same request; else a refusal."""
    if answered.method != method or answered.request_digest != digest:
        raise AlreadyExists(
            f"idempotency key already used for a different {answered.method} request",
            field="idempotency_key", value=key)
    out = response_type()
    out.ParseFromString(answered.response)
    return out


def key_row(key: str, method: str, digest: str, response: Message,
            now: datetime) -> dict[str, Any]:
    """The row that stores the answer under its key."""
    return {"key": key, "method": method, "request_digest": digest,
            "response": response.SerializeToString(deterministic=True), "created_at": now}
