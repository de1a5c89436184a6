"""A batch of one-time codes kept for the idempotency key it was issued under (M12).

A retry of ``IssueBallots`` (a lost answer) must hand the same caller the same codes, yet no
code may be stored where it could be read beside the persons who received the batch. So the
answer the key keeps holds the codes only sealed — AES-256-GCM (the ``cryptography``
package) under a key derived by HKDF-SHA256 from the idempotency key itself — and the key is
stored only as a digest (``lookup_key``): the database holds neither the idempotency key nor
anything that opens the batch. Only a caller who still has the key (the desk that issued the
batch, retrying) gets the codes back; a batch re-issued or spoilt is found the same way.

The batch's digest is taken over the round, the actor and the number of persons, never over
the persons (``digest_request``): a digest of a person list is found again by trying every
member of an electorate. A retry must send the same round and as many persons; its persons
are not compared (they were recorded as having received their ballots by the first call).

The sealing is as strong as the idempotency key is hard to guess: the API sends the client's
own key (or a fresh random one); a key guessed (the simulator's are made of the election and
the round) opens that batch's codes, which still lead to no ballot once the round is closed
(``sealing``).
"""

from __future__ import annotations

import hashlib
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from services.common.errors import FailedPrecondition, InvalidArgument

_NONCE = 12
_INFO = b"gongtui ballot codes v1"


def lookup_key(key: str) -> str:
    """What the idempotency table keeps of a ballot-issuing key: a digest, never the key."""
    if not key:
        raise InvalidArgument("an idempotency key is required", field="idempotency_key")
    return "ballots:" + hashlib.sha256(b"gongtui ballot batch\0" + key.encode()).hexdigest()


def _aead(key: str, round_id: str) -> AESGCM:
    secret = HKDF(algorithm=hashes.SHA256(), length=32, salt=round_id.encode(),
                  info=_INFO).derive(key.encode())
    return AESGCM(secret)


def seal(key: str, round_id: str, codes: list[str]) -> bytes:
    """The codes, in the order they were handed out, sealed under ``key``."""
    nonce = os.urandom(_NONCE)
    return nonce + _aead(key, round_id).encrypt(nonce, "\n".join(codes).encode(),
                                                round_id.encode())


def unseal(key: str, round_id: str, sealed: bytes, field: str = "idempotency_key") -> list[str]:
    """The codes sealed under ``key``; refused when the key does not open them."""
    try:
        text = _aead(key, round_id).decrypt(sealed[:_NONCE], sealed[_NONCE:], round_id.encode())
    except (InvalidTag, ValueError) as exc:
        raise FailedPrecondition("this key does not open the batch's codes", field=field) from exc
    return text.decode().split("\n") if text else []
