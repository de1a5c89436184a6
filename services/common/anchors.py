"""Chain heads held outside the database: each service's signed head for an election, and
the check of a chain against heads signed before.

A service signs the head of a chain that verifies (``SignHead``). A signed head kept
elsewhere — on a published notice, in an audit bundle, in a supervisor's copy of an earlier
bundle — pins the chain up to it: the record at its seq must still have its hash, so a
chain cut (records and head deleted) or rewritten (every hash recomputed) after the signing
shows, though it verifies on its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

from google.protobuf.json_format import MessageToDict, ParseDict

from core.config import SERVICES
from proto import common_pb2, nomination_pb2
from services.common.signing import check_signed_head


class Stubs(Protocol):
    """What reaches the three services: ServiceClients, or the workflow's activities (a
    ``nomination``, ``voting`` and ``approval`` stub each)."""

    @property
    def nomination(self) -> Any: ...
    @property
    def voting(self) -> Any: ...
    @property
    def approval(self) -> Any: ...


def _stub(clients: Stubs, service: str) -> Any:
    return getattr(clients, service)


async def signed_heads(clients: Stubs, election_id: str) -> list[common_pb2.SignedHead]:
    """Every service's signed head of the election, in the order of ``SERVICES``; a service
    whose chain does not verify refuses (FAILED_PRECONDITION propagates). What a notice
    carries: ``[head_to_dict(h) for h in await signed_heads(clients, election_id)]``."""
    request = common_pb2.AuditRequest(election_id=election_id)
    return [await _stub(clients, s).SignHead(request) for s in SERVICES]


async def published(clients: Stubs, election_id: str
                    ) -> tuple[list[common_pb2.SignedHead], list[dict[str, Any]]]:
    """The heads and round digests the election's notices published (oldest notice first):
    the heads as signed, the digests as JSON with the notice they were published on."""
    listed = await clients.nomination.ListNotices(nomination_pb2.ListNoticesRequest(
        election_id=election_id, limit=1000))
    notices = sorted(listed.notices, key=lambda n: n.published_at)
    heads = [h for n in notices for h in n.heads]
    digests = [{"notice_id": n.notice_id, **MessageToDict(
        d, preserving_proto_field_name=True, always_print_fields_with_no_presence=True)}
        for n in notices for d in n.digests]
    return heads, digests


def short(value: str, n: int = 12) -> str:
    """A hash or key as people read it off a notice: ``sha256:`` and its first hex digits."""
    prefix, _, rest = value.partition(":")
    return f"{prefix}:{rest[:n]}" if rest else value[:n]


async def public_keys(clients: Stubs) -> list[common_pb2.PublicKey]:
    """Every service's head-signing public key."""
    return [await _stub(clients, s).GetPublicKey(common_pb2.PublicKeyRequest())
            for s in SERVICES]


def head_to_dict(signed: common_pb2.SignedHead) -> dict[str, Any]:
    """A signed head as JSON (every field, seq a number) for a notice or a bundle."""
    found = MessageToDict(signed, preserving_proto_field_name=True,
                          always_print_fields_with_no_presence=True)
    found["seq"] = int(found["seq"])
    return found


def head_from_dict(found: Mapping[str, Any]) -> common_pb2.SignedHead:
    return ParseDict(dict(found), common_pb2.SignedHead(), ignore_unknown_fields=False)


def key_to_dict(key: common_pb2.PublicKey) -> dict[str, str]:
    return {"algorithm": key.algorithm, "public_key": key.public_key,
            "fingerprint": key.fingerprint}


def check_against_head(records: Sequence[Any], signed: common_pb2.SignedHead,
                       public_key: str = "") -> tuple[int, str]:
    """(first broken seq, problem) of a chain's records (in seq order, with ``seq`` and
    ``hash``) against a head signed before; (0, "") when the chain still holds it. The
    signature is checked first, under ``public_key`` when given."""
    bad = check_signed_head(signed, public_key)
    if bad:
        return max(int(signed.seq), 1), bad
    seq = int(signed.seq)
    if seq == 0:
        return 0, ""
    if len(records) < seq:
        return len(records) + 1, (f"record {len(records) + 1} is missing: the head signed at"
                                  f" {signed.signed_at} has seq {seq}")
    record = records[seq - 1]
    if int(record.seq) != seq or record.hash != signed.head:
        return seq, f"record {seq} is not the head signed at {signed.signed_at}"
    return 0, ""


def check_against_heads(service: str, records: Sequence[Any],
                        heads: Iterable[common_pb2.SignedHead],
                        keys: Mapping[str, str] | None = None) -> tuple[int, str]:
    """The first break of ``service``'s chain against every head of that service in
    ``heads`` (``keys``: service → the public key known for it)."""
    known = (keys or {}).get(service, "")
    found = [check_against_head(records, h, known) for h in heads if h.service == service]
    broken = [f for f in found if f[0]]
    return min(broken) if broken else (0, "")
